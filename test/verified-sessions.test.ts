import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifiedSessions, type VerifiedSession } from '../server/auth/verified-sessions.ts';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp } from './support/start-test-app.ts';

/**
 * The verified-session cache spares a console request its session read, and
 * never outlives a sign-out, a disabled user, a demotion or a reset password:
 * a change forgets, a read begun before a change is not remembered, nothing
 * is trusted while changes cannot be heard, and entries expire.
 */
const session: VerifiedSession = { sessionId: 's1', csrfToken: 'c', expiresMs: Number.MAX_SAFE_INTEGER, userId: 'u1', username: 'ed', displayName: 'Ed', role: 'EDITOR' };

describe('verified sessions', () => {
  it('remembers a session, and forgets it on a change of that session, its user or all; not of a token', () => {
    const cache = createVerifiedSessions({ listening: () => true });
    cache.remember(cache.epoch(), 'h1', session);
    expect(cache.sessionOf('h1')).toEqual(session);
    cache.forget({ kind: 'token', id: 's1' });
    cache.forget({ kind: 'user', id: 'u2' });
    cache.forget({ kind: 'session', id: 's2' });
    expect(cache.sessionOf('h1')).toEqual(session);
    for (const change of [{ kind: 'session', id: 's1' }, { kind: 'user', id: 'u1' }, { kind: 'all', id: '' }] as const) {
      cache.remember(cache.epoch(), 'h1', session);
      cache.forget(change);
      expect(cache.sessionOf('h1')).toBeUndefined();
    }
  });

  it('does not remember a read that began before a change', () => {
    const cache = createVerifiedSessions({ listening: () => true });
    const before = cache.epoch();
    cache.forget({ kind: 'session', id: 's1' }); // the sign-out's notification arrives mid-read
    cache.remember(before, 'h1', session);
    expect(cache.sessionOf('h1')).toBeUndefined();
  });

  it('trusts nothing while changes cannot be heard, and nothing past its TTL', () => {
    let listening = false;
    let clock = 0;
    const cache = createVerifiedSessions({ listening: () => listening, ttlMs: 1_000, now: () => clock });
    cache.remember(cache.epoch(), 'h1', session);
    expect(cache.sessionOf('h1')).toBeUndefined();
    listening = true;
    cache.remember(cache.epoch(), 'h1', session);
    listening = false;
    expect(cache.sessionOf('h1')).toBeUndefined();
    listening = true;
    cache.remember(cache.epoch(), 'h1', session);
    clock = 1_001;
    expect(cache.sessionOf('h1')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = createVerifiedSessions({ listening: () => true, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) cache.remember(cache.epoch(), `h${id}`, { ...session, sessionId: id });
    expect(cache.sessionOf('ha')).toBeUndefined();
    expect(cache.sessionOf('hc')?.sessionId).toBe('c');
  });
});

describe('a console session on the cached path', () => {
  let t: TestApp;
  let counter = 0;
  const PASSWORD = 'a-long-enough-password';
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** A fresh editor, signed in: the console's cookie and CSRF token, and a request made with them. */
  async function signedInEditor() {
    counter += 1;
    const username = `session.${counter}`;
    const { id } = expectData(await t.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { username, displayName: `Session ${counter}`, role: 'EDITOR', password: PASSWORD },
    })).createUser;
    const signIn = await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
    expect(signIn.status).toBe(200);
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const ask = async (query = '{ viewer { role } }'): Promise<GraphQLResponse<any>> => {
      const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ query }) });
      return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse<any>;
    };
    // Read (and remembered) by the first request, served from memory by the second.
    expect(expectData(await ask()).viewer.role).toBe('EDITOR');
    expect(expectData(await ask()).viewer.role).toBe('EDITOR');
    return { id, username, cookie, csrfToken, ask };
  }

  it('is refused on the very next request after signing out', async () => {
    const editor = await signedInEditor();
    expect((await fetch(`${t.url}/auth/session`, { method: 'DELETE', headers: { cookie: editor.cookie, 'x-csrf-token': editor.csrfToken } })).status).toBe(200);
    expect(errorCode(await editor.ask())).toBe('UNAUTHENTICATED');
  });

  it('is refused on the very next request after its user is disabled, and runs with a lowered role at once', async () => {
    const demoted = await signedInEditor();
    expectData(await t.gql(`mutation($id: ID!) { updateUser(input: { id: $id, role: VIEWER }) { role } }`, { id: demoted.id }));
    expect(expectData(await demoted.ask()).viewer.role).toBe('VIEWER');
    const disabled = await signedInEditor();
    expectData(await t.gql(`mutation($id: ID!) { updateUser(input: { id: $id, disabled: true }) { disabled } }`, { id: disabled.id }));
    expect(errorCode(await disabled.ask())).toBe('UNAUTHENTICATED');
  });

  it('still needs its CSRF token when served from memory', async () => {
    const editor = await signedInEditor();
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: editor.cookie }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    expect(errorCode({ status: response.status, ...((await response.json()) as object) } as GraphQLResponse)).toBe('FORBIDDEN');
  });

  it('is refused after its session is deleted outside this process (heard through NOTIFY)', async () => {
    const editor = await signedInEditor();
    const heard = new Promise<void>((resolve) => {
      const changes = t.app.pubsub.subscribe('credentialsChanged');
      void changes.next().then(() => {
        void changes.return?.();
        resolve();
      });
    });
    await t.sql.query(`DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)`, [editor.username]);
    await heard;
    expect(errorCode(await editor.ask())).toBe('UNAUTHENTICATED');
  });
});
