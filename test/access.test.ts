import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp, type TestUser } from './support/start-test-app.ts';
import { testPasswords } from './support/test-passwords.ts';

const USER_FIELDS = 'id username displayName role disabled';

describe('users and service tokens', () => {
  let t: TestApp;
  /** Every response body this file received, to search for leaked secrets at the end. */
  const bodies: string[] = [];
  const secrets = new Set<string>(Object.values(testPasswords));

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function gql(query: string, variables: Record<string, unknown> = {}, as: TestUser = 'admin'): Promise<GraphQLResponse> {
    const response = await t.gql(query, variables, as);
    bodies.push(JSON.stringify(response));
    return response;
  }

  /** A GraphQL call with HTTP Basic credentials of any user. */
  async function asBasic(username: string, password: string, query = '{ viewer { kind name role } }'): Promise<GraphQLResponse> {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
      body: JSON.stringify({ query }),
    });
    const body = { status: response.status, ...((await response.json()) as object) } as GraphQLResponse;
    bodies.push(JSON.stringify(body));
    return body;
  }

  const createUser = (input: Record<string, unknown>, as: TestUser = 'admin') =>
    gql(`mutation ($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`, { input }, as);
  const updateUser = (input: Record<string, unknown>, as: TestUser = 'admin') =>
    gql(`mutation ($input: UpdateUserInput!) { updateUser(input: $input) { ${USER_FIELDS} } }`, { input }, as);
  const setPassword = (input: Record<string, unknown>, as: TestUser) =>
    gql(`mutation ($input: SetPasswordInput!) { setPassword(input: $input) { username } }`, { input }, as);

  describe('users', () => {
    const password = 'first-password-of-alice';
    let alice: { id: string };

    it('creates a user who can then sign in', async () => {
      secrets.add(password);
      alice = expectData(await createUser({ username: 'alice.q', displayName: ' Alice Q ', role: 'VIEWER', password })).createUser;
      expect(alice).toMatchObject({ username: 'alice.q', displayName: 'Alice Q', role: 'VIEWER', disabled: false });
      expect(expectData(await asBasic('alice.q', password)).viewer).toEqual({ kind: 'user', name: 'alice.q', role: 'VIEWER' });
      const users = expectData(await gql(`{ users { username } }`)).users.map((u: { username: string }) => u.username);
      expect(users).toEqual(['admin', 'alice.q', 'approver', 'editor', 'viewer']);
    });

    it('refuses duplicates, bad names, short passwords and non-admins', async () => {
      const input = { username: 'bob', displayName: 'Bob', role: 'EDITOR', password: 'long-enough-password' };
      expect(errorCode(await createUser({ ...input, username: 'alice.q' }))).toBe('CONFLICT');
      expect(errorCode(await createUser({ ...input, username: 'Bob' }))).toBe('BAD_REQUEST');
      expect(errorCode(await createUser({ ...input, username: 'bo' }))).toBe('BAD_REQUEST');
      expect(errorCode(await createUser({ ...input, password: 'short-pass' }))).toBe('BAD_REQUEST');
      expect(errorCode(await createUser(input, 'approver'))).toBe('FORBIDDEN');
      expect(errorCode(await gql(`{ users { username } }`, {}, 'editor'))).toBe('FORBIDDEN');
    });

    it('changes role and display name, disables and re-enables', async () => {
      expect(expectData(await updateUser({ id: alice.id, role: 'EDITOR', displayName: 'Alice Quinn' })).updateUser)
        .toMatchObject({ role: 'EDITOR', displayName: 'Alice Quinn' });
      expect(expectData(await updateUser({ id: alice.id, disabled: true })).updateUser.disabled).toBe(true);
      const refused = await asBasic('alice.q', password);
      expect(refused.status).toBe(401);
      expect(errorCode(refused)).toBe('UNAUTHENTICATED');
      expectData(await updateUser({ id: alice.id, disabled: false }));
      expect(expectData(await asBasic('alice.q', password)).viewer.role).toBe('EDITOR');
      expect(errorCode(await updateUser({ id: alice.id }))).toBe('BAD_REQUEST');
      expect(errorCode(await updateUser({ id: '00000000-0000-0000-0000-000000000000', role: 'VIEWER' }))).toBe('NOT_FOUND');
    });

    it('does not let an admin demote or disable themselves', async () => {
      const me = expectData(await gql(`{ users { id username } }`)).users.find((u: { username: string }) => u.username === 'admin');
      expect(errorCode(await updateUser({ id: me.id, role: 'EDITOR' }))).toBe('FORBIDDEN');
      expect(errorCode(await updateUser({ id: me.id, disabled: true }))).toBe('FORBIDDEN');
      expect(expectData(await updateUser({ id: me.id, displayName: 'The Admin' })).updateUser).toMatchObject({ role: 'ADMIN', disabled: false });
    });

    it('changes your own password only with the current one; an admin sets anyone\'s', async () => {
      const second = 'second-password-of-alice';
      const third = 'third-password-of-alice';
      secrets.add(second).add(third);
      const query = `mutation ($input: SetPasswordInput!) { setPassword(input: $input) { username } }`;
      const own = async (input: Record<string, unknown>, current: string) =>
        fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`alice.q:${current}`).toString('base64')}` },
          body: JSON.stringify({ query, variables: { input } }),
        }).then(async (r) => {
          const body = (await r.json()) as GraphQLResponse;
          bodies.push(JSON.stringify(body));
          return body;
        });
      expect(errorCode(await own({ newPassword: second }, password))).toBe('FORBIDDEN');
      expect(errorCode(await own({ currentPassword: 'not-the-password', newPassword: second }, password))).toBe('FORBIDDEN');
      expect(errorCode(await own({ currentPassword: password, newPassword: 'short' }, password))).toBe('BAD_REQUEST');
      expect(expectData(await own({ currentPassword: password, newPassword: second }, password)).setPassword.username).toBe('alice.q');
      expect(errorCode(await asBasic('alice.q', password))).toBe('UNAUTHENTICATED');
      expect(expectData(await asBasic('alice.q', second)).viewer.name).toBe('alice.q');

      expect(errorCode(await setPassword({ id: alice.id, newPassword: third }, 'approver'))).toBe('FORBIDDEN');
      expectData(await setPassword({ id: alice.id, newPassword: third }, 'admin'));
      expect(expectData(await asBasic('alice.q', third)).viewer.name).toBe('alice.q');
      expect(errorCode(await setPassword({ newPassword: third }, { token: 'ucp_not-a-token' }))).toBe('UNAUTHENTICATED');
    });
  });

  describe('service tokens', () => {
    let token: string;
    let tokenId: string;

    it('creates a token shown once that works as a Bearer credential', async () => {
      const created = await t.gql(`mutation { createServiceToken(input: { environment: "staging", name: "grafana" }) {
        token serviceToken { id name revoked revokedAt environment { name } createdBy { username } }
      } }`);
      const payload = expectData(created).createServiceToken;
      token = payload.token;
      tokenId = payload.serviceToken.id;
      secrets.add(token);
      expect(token).toMatch(/^ucp_[A-Za-z0-9_-]{40,}$/);
      expect(payload.serviceToken).toMatchObject({ name: 'grafana', revoked: false, revokedAt: null, environment: { name: 'staging' }, createdBy: { username: 'admin' } });

      const me = expectData(await gql(`{ viewer { kind name environment } }`, {}, { token }));
      expect(me.viewer).toEqual({ kind: 'service', name: 'grafana', environment: 'staging' });
      const listed = expectData(await gql(`{ serviceTokens { id name environment { name } } }`)).serviceTokens;
      expect(listed).toEqual([{ id: tokenId, name: 'grafana', environment: { name: 'staging' } }]);
      // The hash is not in the graph at all (an unknown field: the contract's BAD_REQUEST).
      expect(errorCode(await gql(`{ serviceTokens { tokenHash } }`))).toBe('BAD_REQUEST');
    });

    it('refuses a second live token of the same name and non-admins', async () => {
      expect(errorCode(await gql(`mutation { createServiceToken(input: { environment: "staging", name: "grafana" }) { token } }`))).toBe('CONFLICT');
      expect(errorCode(await gql(`mutation { createServiceToken(input: { environment: "staging", name: "other" }) { token } }`, {}, 'approver'))).toBe('FORBIDDEN');
      expect(errorCode(await gql(`{ serviceTokens { id } }`, {}, { token }))).toBe('FORBIDDEN');
      expect(errorCode(await gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: tokenId }, 'editor'))).toBe('FORBIDDEN');
    });

    it('revokes a token: its next request is UNAUTHENTICATED', async () => {
      const revoked = expectData(await gql(`mutation ($id: ID!) { revokeServiceToken(id: $id) { revoked revokedAt } }`, { id: tokenId })).revokeServiceToken;
      expect(revoked.revoked).toBe(true);
      const refused = await gql(`{ viewer { kind } }`, {}, { token });
      expect(refused.status).toBe(401);
      expect(errorCode(refused)).toBe('UNAUTHENTICATED');
      expect(errorCode(await gql(`mutation ($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id: tokenId }))).toBe('CONFLICT');
      expect(expectData(await gql(`{ serviceTokens { id } }`)).serviceTokens).toEqual([]);
      expect(expectData(await gql(`{ serviceTokens(includeRevoked: true) { id revoked } }`)).serviceTokens).toEqual([{ id: tokenId, revoked: true }]);
      // The name is free again once the old token is revoked.
      const replacement = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "staging", name: "grafana" }) { token } }`)).createServiceToken.token;
      secrets.add(replacement);
    });
  });

  it('never puts a password, a hash or a token in a response or an audit row', async () => {
    const { prisma } = t.database;
    const stored = [
      ...(await prisma.user.findMany({ select: { passwordHash: true } })).map((u) => u.passwordHash),
      ...(await prisma.serviceToken.findMany({ select: { tokenHash: true } })).map((s) => s.tokenHash),
    ];
    const audit = await prisma.auditEvent.findMany({
      where: { action: { in: ['user_created', 'user_updated', 'service_token_created', 'service_token_revoked'] } },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((row) => row.action)).toEqual([
      'user_created', 'user_updated', 'user_updated', 'user_updated', 'user_updated', 'user_updated', 'user_updated',
      'service_token_created', 'service_token_revoked', 'service_token_created',
    ]);
    const texts = [...bodies, ...audit.map((row) => JSON.stringify(row.details))];
    for (const text of texts) {
      for (const secret of [...secrets, ...stored]) expect(text.includes(secret), `leaked into ${text.slice(0, 200)}`).toBe(false);
      expect(text).not.toMatch(/\$argon2/);
    }
  });
});
