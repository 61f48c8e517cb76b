import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

async function signIn(url: string, username: string, password: string) {
  const response = await fetch(`${url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const setCookies = response.headers.getSetCookie();
  const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
  return { response, body: (await response.json()) as Record<string, any>, cookie, setCookies };
}

/** Waits for the socket's close event (no sleeps): resolves with its code. */
function closeCodeOf(url: string, connectionParams: Record<string, unknown>, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close within 5 s')), 5_000);
    const client = wsClient(url, null, {
      lazy: true,
      connectionParams,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      },
      on: { closed: (event) => { clearTimeout(timer); resolve((event as { code: number }).code); } },
    });
    client.subscribe({ query: '{ viewer { name } }' }, { next: () => {}, error: () => {}, complete: () => {} });
  });
}

describe('authentication on every transport', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 401 UNAUTHENTICATED over HTTP without a credential, and gives no data', async () => {
    const response = await t.gql(`{ environments { name } }`, {}, null);
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.data?.environments ?? null).toBeNull();
  });

  it('refuses a wrong password with 401 and a sentence', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('editor:wrong').toString('base64')}` },
      body: JSON.stringify({ query: '{ viewer { name } }' }),
    });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.errors[0]).toMatchObject({ message: 'The user name or password is wrong.', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('accepts HTTP Basic for scripts', async () => {
    expect(expectData(await t.gql(`{ viewer { kind name role } }`, {}, 'approver')).viewer).toEqual({ kind: 'user', name: 'approver', role: 'APPROVER' });
  });

  it('signs in with a cookie session, demands the CSRF token on POST, and signs out', async () => {
    const { response, body, cookie, setCookies } = await signIn(t.url, 'editor', testPasswords.editor!);
    expect(response.status).toBe(200);
    expect(body.user).toEqual({ username: 'editor', displayName: 'Editor', role: 'EDITOR' });
    expect(setCookies.find((c) => c.startsWith('ucp_session='))).toMatch(/HttpOnly/i);
    expect(setCookies.find((c) => c.startsWith('ucp_session='))).toMatch(/SameSite=Strict/i);
    const post = (headers: Record<string, string>) => fetch(`${t.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ query: '{ viewer { name } }' }),
    });
    const withoutCsrf = await post({});
    expect(withoutCsrf.status).toBe(403);
    expect((await withoutCsrf.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    const withCsrf = await post({ 'x-csrf-token': body.csrfToken });
    expect((await withCsrf.json()).data.viewer.name).toBe('editor');
    const viaGet = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ viewer { name } }')}`, { headers: { cookie, accept: 'application/json' } });
    expect((await viaGet.json()).data.viewer.name).toBe('editor');

    const signOut = await fetch(`${t.url}/auth/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    expect(signOut.status).toBe(200);
    const after = await post({ 'x-csrf-token': body.csrfToken });
    expect(after.status).toBe(401);
  });

  it('answers GET /auth/session with 200 and who is signed in, or signedIn: false (no 401 for the console to log)', async () => {
    const anonymous = await fetch(`${t.url}/auth/session`, { headers: { accept: 'application/json' } });
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ signedIn: false, user: null });
    const stale = await fetch(`${t.url}/auth/session`, { headers: { cookie: 'ucp_session=not-a-session' } });
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual({ signedIn: false, user: null });

    const { cookie, body } = await signIn(t.url, 'viewer', testPasswords.viewer!);
    const signedIn = await fetch(`${t.url}/auth/session`, { headers: { cookie } });
    expect(await signedIn.json()).toEqual({ signedIn: true, user: { username: 'viewer', displayName: 'Viewer', role: 'VIEWER' } });
    await fetch(`${t.url}/auth/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    const after = await fetch(`${t.url}/auth/session`, { headers: { cookie } });
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ signedIn: false, user: null });

    // Wrong credentials are still refused: only "nobody is signed in" is an answer.
    const wrongBasic = await fetch(`${t.url}/auth/session`, { headers: { authorization: `Basic ${Buffer.from('viewer:wrong').toString('base64')}` } });
    expect(wrongBasic.status).toBe(401);
  });

  it('refuses a wrong sign-in without revealing which part was wrong', async () => {
    const unknown = await signIn(t.url, 'nobody', 'whatever-password');
    const wrong = await signIn(t.url, 'editor', 'whatever-password');
    expect(unknown.response.status).toBe(401);
    expect(wrong.response.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('shows GraphiQL to signed-in users only', async () => {
    const anonymous = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const signedIn = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html', authorization: `Basic ${Buffer.from(`viewer:${testPasswords.viewer}`).toString('base64')}` } });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toMatch(/GraphiQL/i);
  });

  it('closes a WebSocket with 4401 without credentials or with wrong ones', async () => {
    expect(await closeCodeOf(t.url, {})).toBe(4401);
    expect(await closeCodeOf(t.url, { authorization: `Basic ${Buffer.from('viewer:nope').toString('base64')}` })).toBe(4401);
  });

  it('accepts the session cookie on a same-origin WebSocket, not a cross-site one', async () => {
    const { cookie } = await signIn(t.url, 'viewer', testPasswords.viewer!);
    const host = new URL(t.url).host;
    expect(await closeCodeOf(t.url, {}, { cookie, origin: 'https://evil.example' })).toBe(4401);
    const client = wsClient(t.url, null, {
      lazy: true,
      connectionParams: {},
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie, origin: `http://${host}` } });
        }
      },
    });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        client.subscribe({ query: '{ viewer { name } }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(result.data.viewer.name).toBe('viewer');
    } finally {
      await client.dispose();
    }
  });

  it('accepts the same credentials over SSE', async () => {
    const response = await fetch(`${t.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Basic ${Buffer.from(`viewer:${testPasswords.viewer}`).toString('base64')}` },
      body: JSON.stringify({ query: '{ viewer { name } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"name":"viewer"');
  });
});

describe('revoking a credential cuts its open sockets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('closes a service token\'s WebSocket with 4401 once the token is revoked', async () => {
    const created = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "soon-revoked" }) { token serviceToken { id } } }`)).createServiceToken;
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => { connected = resolve; });
    const closed = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket still open 5 s after revocation')), 5_000);
      const client = wsClient(t.url, { token: created.token }, {
        lazy: true,
        on: { connected: () => connected(), closed: (event) => { clearTimeout(timer); resolve((event as { code: number }).code); } },
      });
      client.subscribe({ query: 'subscription { configChanged(environment: "dev") { version } }' }, {
        next: () => {}, error: () => {}, complete: () => {},
      });
    });
    // The socket is accepted first (connection_ack), then the token is revoked.
    await isConnected;
    expect(expectData(await t.gql(`{ viewer { kind name } }`, {}, { token: created.token })).viewer).toEqual({ kind: 'service', name: 'soon-revoked' });
    expectData(await t.gql(`mutation($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id: created.serviceToken.id }));
    expect(await closed).toBe(4401);
  });
});
