import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor, expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';
import WebSocket from 'ws';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: every operation on an open socket or stream runs with its caller's
// current role and status. The periodic re-check is off (an hour) in this
// file, so what closes a socket is the operation's own check or the
// credentials_changed notification, nothing slower.

const PASSWORD = 'a-long-enough-password';
const CONFIG_CHANGED = 'subscription { configChanged(environment: "dev") { version } }';
const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }';
const UPDATE_CONFIG = 'mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }';
const REGISTER = 'mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}

/** What an operation ended with: its data, or the code of the error (a GraphQL error's, or the socket's close code). */
type Outcome = { data: unknown } | { code: string | number };

function outcomeOf(error: unknown): Outcome {
  if (Array.isArray(error)) return { code: error[0]?.extensions?.code };
  return { code: (error as { code?: number }).code ?? String(error) };
}

/** A graphql-ws socket of `as`, connected before it is returned. */
async function openSocket(url: string, as: TestUser) {
  let closedWith!: (code: number) => void;
  const closed = new Promise<number>((resolve) => { closedWith = resolve; });
  let connectedNow!: () => void;
  const connected = new Promise<void>((resolve) => { connectedNow = resolve; });
  const client = wsClient(url, as, {
    lazy: false,
    // The close is what these tests wait for: not worth a console error.
    onNonLazyError: () => {},
    on: { connected: () => connectedNow(), closed: (event) => closedWith((event as { code: number }).code) },
  });
  await within(connected, 5_000, 'connection_ack');
  const run = (query: string, variables: Record<string, unknown> = {}) =>
    new Promise<Outcome>((resolve) => {
      let last: { data?: unknown; errors?: { extensions?: { code?: string } }[] } | undefined;
      client.subscribe({ query, variables }, {
        next: (result) => { last = result as typeof last; },
        error: (error) => resolve(outcomeOf(error)),
        complete: () => resolve(last?.errors?.length ? { code: last.errors[0]!.extensions?.code ?? 'UNKNOWN' } : { data: last?.data }),
      });
    });
  return { client, closed, run, dispose: () => client.dispose() as Promise<void> };
}

describe('every operation runs with the caller\'s current privileges', () => {
  let t: TestApp;
  let counter = 0;
  beforeAll(async () => {
    t = await startTestApp({ options: { wsRecheckIntervalMs: 3_600_000 } });
  });
  afterAll(() => t.close());

  /** A fresh user of `role` (the role set directly: this file is about sockets, not about granting). */
  async function newUser(role: 'VIEWER' | 'EDITOR' | 'ADMIN'): Promise<{ id: string; username: string; as: TestUser }> {
    counter += 1;
    const username = `subject.${counter}`;
    const { id } = expectData(await t.gql(CREATE_USER, { input: { username, displayName: `Subject ${counter}`, role: 'VIEWER', password: PASSWORD } })).createUser;
    await t.sql.query(`UPDATE users SET role = $2 WHERE username = $1`, [username, role]);
    return { id, username, as: { authorization: `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString('base64')}` } };
  }
  async function newToken(): Promise<{ id: string; as: TestUser }> {
    counter += 1;
    const created = expectData(await t.gql(`mutation($name: String!) { createServiceToken(input: { environment: "dev", name: $name }) { token serviceToken { id } } }`, { name: `subject-${counter}` })).createServiceToken;
    return { id: created.serviceToken.id, as: { token: created.token } };
  }
  const changes = {
    demote: (id: string) => t.gql(`mutation($id: ID!) { updateUser(input: { id: $id, role: VIEWER }) { role } }`, { id }),
    disable: (id: string) => t.gql(`mutation($id: ID!) { updateUser(input: { id: $id, disabled: true }) { disabled } }`, { id }),
    resetPassword: (id: string) => t.gql(`mutation($id: ID!) { setPassword(input: { id: $id, newPassword: "another-long-password" }) { id } }`, { id }),
    revoke: (id: string) => t.gql(`mutation($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id }),
  };
  const activeVersion = async () => (await t.sql.query(`SELECT active_version FROM environments WHERE name = 'dev'`)).rows[0].active_version as number;
  const saveInput = async () => ({ environment: 'dev', expectedVersion: await activeVersion(), reason: 'socket write', changes: [{ name: 'CVN_ATR_PERIOD', value: String(10 + (counter % 20)) }] });

  describe('on graphql-ws: the next operation is refused and the socket closes', () => {
    it('an admin demoted to viewer can no longer create an admin (FORBIDDEN, 4403)', async () => {
      const admin = await newUser('ADMIN');
      const socket = await openSocket(t.url, admin.as);
      expect(await socket.run('{ viewer { role } }')).toEqual({ data: { viewer: { role: 'ADMIN' } } });
      expectData(await changes.demote(admin.id));
      const outcome = await socket.run(CREATE_USER, { input: { username: 'made.by.demoted', displayName: 'X', role: 'ADMIN', password: PASSWORD } });
      expect(outcome).not.toHaveProperty('data');
      expect(await within(socket.closed, 2_000, 'close')).toBe(4403);
      expect((await t.sql.query(`SELECT count(*)::int AS n FROM users WHERE username = 'made.by.demoted'`)).rows[0].n).toBe(0);
      await socket.dispose();
    });

    it('a disabled user can no longer save a version (UNAUTHENTICATED, 4401)', async () => {
      const editor = await newUser('EDITOR');
      const socket = await openSocket(t.url, editor.as);
      expect(await socket.run('{ viewer { role } }')).toEqual({ data: { viewer: { role: 'EDITOR' } } });
      const before = await activeVersion();
      const input = await saveInput();
      expectData(await changes.disable(editor.id));
      const outcome = await socket.run(UPDATE_CONFIG, { input });
      expect(outcome).not.toHaveProperty('data');
      expect(await within(socket.closed, 2_000, 'close')).toBe(4401);
      expect(await activeVersion()).toBe(before);
      await socket.dispose();
    });

    it('a user whose password was reset can no longer save over their Basic socket (UNAUTHENTICATED, 4401)', async () => {
      const editor = await newUser('EDITOR');
      const socket = await openSocket(t.url, editor.as);
      expect(await socket.run('{ viewer { role } }')).toEqual({ data: { viewer: { role: 'EDITOR' } } });
      const before = await activeVersion();
      const input = await saveInput();
      expectData(await changes.resetPassword(editor.id));
      const outcome = await socket.run(UPDATE_CONFIG, { input });
      expect(outcome).not.toHaveProperty('data');
      expect(await within(socket.closed, 2_000, 'close')).toBe(4401);
      expect(await activeVersion()).toBe(before);
      await socket.dispose();
    });

    it('a revoked token can no longer register a worker (UNAUTHENTICATED, 4401)', async () => {
      const token = await newToken();
      const socket = await openSocket(t.url, token.as);
      expect(await socket.run('{ viewer { kind } }')).toEqual({ data: { viewer: { kind: 'service' } } });
      expectData(await changes.revoke(token.id));
      const outcome = await socket.run(REGISTER, { input: { name: 'after-revocation', mode: 'PAPER', consumes: ['CVN_ATR_PERIOD'] } });
      expect(outcome).not.toHaveProperty('data');
      expect(await within(socket.closed, 2_000, 'close')).toBe(4401);
      expect((await t.sql.query(`SELECT count(*)::int AS n FROM workers WHERE name = 'after-revocation'`)).rows[0].n).toBe(0);
      await socket.dispose();
    });

    it('a console socket closes when its session ends (signed out elsewhere)', async () => {
      const signedIn = await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: testPasswords.viewer }) });
      const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
      const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const origin = `http://${new URL(t.url).host}`;
      let closedWith!: (code: number) => void;
      const closed = new Promise<number>((resolve) => { closedWith = resolve; });
      let connectedNow!: () => void;
      const connected = new Promise<void>((resolve) => { connectedNow = resolve; });
      const client = wsClient(t.url, null, {
        lazy: false,
        onNonLazyError: () => {},
        connectionParams: {},
        webSocketImpl: class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers: { cookie, origin } });
          }
        },
        on: { connected: () => connectedNow(), closed: (event) => closedWith((event as { code: number }).code) },
      });
      await within(connected, 5_000, 'connection_ack');
      expect((await fetch(`${t.url}/auth/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } })).status).toBe(200);
      expect(await within(closed, 2_000, 'close')).toBe(4401);
      await client.dispose();
    });

    it('runs with a raised role at once, and the socket stays open', async () => {
      const viewer = await newUser('VIEWER');
      const socket = await openSocket(t.url, viewer.as);
      expect(await socket.run('{ viewer { role } }')).toEqual({ data: { viewer: { role: 'VIEWER' } } });
      await t.sql.query(`UPDATE users SET role = 'EDITOR' WHERE username = $1`, [viewer.username]);
      expect(await socket.run(UPDATE_CONFIG, { input: await saveInput() })).toEqual({ data: { updateConfig: { outcome: 'APPLIED' } } });
      await socket.dispose();
    });

    it('an idle socket with a live subscription closes as soon as each change commits', async () => {
      const [admin, disabled, reset, token] = [await newUser('ADMIN'), await newUser('EDITOR'), await newUser('EDITOR'), await newToken()];
      const sockets = await Promise.all([admin, disabled, reset, token].map((subject) => openSocket(t.url, subject.as)));
      const before = t.app.pubsub.count('configChanged', 'dev');
      for (const socket of sockets) socket.client.subscribe({ query: CONFIG_CHANGED }, { next: () => {}, error: () => {}, complete: () => {} });
      await within((async () => { while (t.app.pubsub.count('configChanged', 'dev') < before + 4) await new Promise((r) => setImmediate(r)); })(), 5_000, 'subscriptions');
      await Promise.all([changes.demote(admin.id), changes.disable(disabled.id), changes.resetPassword(reset.id), changes.revoke(token.id)]);
      const codes = await within(Promise.all(sockets.map((socket) => socket.closed)), 2_000, 'closes');
      expect(codes).toEqual([4403, 4401, 4401, 4401]);
      await Promise.all(sockets.map((socket) => socket.dispose()));
    });
  });

  it('closes a socket on another replica as soon as the change commits on this one', async () => {
    const replica = await startTestApp({ db: t.db, options: { wsRecheckIntervalMs: 3_600_000 } });
    try {
      const [editor, token] = [await newUser('EDITOR'), await newToken()];
      const sockets = await Promise.all([openSocket(replica.url, editor.as), openSocket(replica.url, token.as)]);
      // Changed through the first server; the sockets live on the second.
      await Promise.all([changes.disable(editor.id), changes.revoke(token.id)]);
      expect(await within(Promise.all(sockets.map((socket) => socket.closed)), 2_000, 'closes on the other replica')).toEqual([4401, 4401]);
      await Promise.all(sockets.map((socket) => socket.dispose()));
    } finally {
      await replica.close();
    }
  });

  describe('on SSE (graphql-sse, /graphql/stream): the stream ends with the refusal, and the next operation is refused', () => {
    /** A configChanged stream of `as`, live (its pubsub subscription exists) before it is returned. */
    async function openStream(as: TestUser) {
      const authorization = authorizationFor(as)!;
      const client = createSseClient({ url: `${t.url}/graphql/stream`, headers: { authorization }, retryAttempts: 0 });
      const before = t.app.pubsub.count('configChanged', 'dev');
      const results: { errors?: { extensions?: { code?: string } }[] }[] = [];
      const ended = (async () => {
        for await (const result of client.iterate({ query: CONFIG_CHANGED })) results.push(result as (typeof results)[number]);
        return results;
      })();
      await within((async () => { while (t.app.pubsub.count('configChanged', 'dev') <= before) await new Promise((r) => setImmediate(r)); })(), 5_000, 'SSE subscription');
      return { ended, dispose: () => client.dispose() };
    }
    /** One operation over /graphql/stream as `as`: the HTTP status and the body's text. */
    async function overSse(as: TestUser, query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${t.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: authorizationFor(as)! },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, text: await response.text() };
    }
    const refusalOf = async (stream: { ended: Promise<{ errors?: { extensions?: { code?: string } }[] }[]> }) =>
      (await within(stream.ended, 2_000, 'end of stream')).at(-1)?.errors?.[0]?.extensions?.code;

    it('demoted: FORBIDDEN ends the stream; createUser over SSE is FORBIDDEN', async () => {
      const admin = await newUser('ADMIN');
      const stream = await openStream(admin.as);
      expectData(await changes.demote(admin.id));
      expect(await refusalOf(stream)).toBe('FORBIDDEN');
      const next = await overSse(admin.as, CREATE_USER, { input: { username: 'made.over.sse', displayName: 'X', role: 'ADMIN', password: PASSWORD } });
      expect(next.text).toContain('"FORBIDDEN"');
      expect((await t.sql.query(`SELECT count(*)::int AS n FROM users WHERE username = 'made.over.sse'`)).rows[0].n).toBe(0);
      stream.dispose();
    });

    it('disabled: UNAUTHENTICATED ends the stream; a save over SSE is refused', async () => {
      const editor = await newUser('EDITOR');
      const stream = await openStream(editor.as);
      const before = await activeVersion();
      expectData(await changes.disable(editor.id));
      expect(await refusalOf(stream)).toBe('UNAUTHENTICATED');
      const next = await overSse(editor.as, UPDATE_CONFIG, { input: await saveInput() });
      expect(next.status).toBe(401);
      expect(await activeVersion()).toBe(before);
      stream.dispose();
    });

    it('password reset: UNAUTHENTICATED ends the stream; the old password is refused over SSE', async () => {
      const editor = await newUser('EDITOR');
      const stream = await openStream(editor.as);
      expectData(await changes.resetPassword(editor.id));
      expect(await refusalOf(stream)).toBe('UNAUTHENTICATED');
      expect((await overSse(editor.as, '{ viewer { role } }')).status).toBe(401);
      stream.dispose();
    });

    it('revoked: UNAUTHENTICATED ends the stream; registering a worker over SSE is refused', async () => {
      const token = await newToken();
      const stream = await openStream(token.as);
      expectData(await changes.revoke(token.id));
      expect(await refusalOf(stream)).toBe('UNAUTHENTICATED');
      expect((await overSse(token.as, REGISTER, { input: { name: 'sse-after-revocation', mode: 'PAPER', consumes: ['CVN_ATR_PERIOD'] } })).status).toBe(401);
      expect((await t.sql.query(`SELECT count(*)::int AS n FROM workers WHERE name = 'sse-after-revocation'`)).rows[0].n).toBe(0);
      stream.dispose();
    });
  });
});
