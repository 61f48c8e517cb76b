import { Writable } from 'node:stream';
import type { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicChallenge, errorTable, unauthenticated } from '../server/errors/index.ts';
import { createMaskError } from '../server/http/mask-error.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { startTestApp, type TestApp } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

// Each transport answers a representative code as server/errors/error-table.ts says.

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const challenge = basicChallenge['WWW-Authenticate'];

/** Resolves with the close event of a socket whose handshake carries these connectionParams (no sleeps). */
function closeOf(url: string, connectionParams: Record<string, unknown>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close within 5 s')), 5_000);
    const client = wsClient(url, null, {
      lazy: true,
      connectionParams,
      on: { closed: (event) => { clearTimeout(timer); const { code, reason } = event as { code: number; reason: string }; resolve({ code, reason }); } },
    });
    client.subscribe({ query: '{ viewer { name } }' }, { next: () => {}, error: () => {}, complete: () => {} });
  });
}

describe('one error table on every wire', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers }, body });

  describe('GraphQL over HTTP', () => {
    it('answers UNAUTHENTICATED with the table\'s 401 and its Basic challenge', async () => {
      const response = await post('/graphql', JSON.stringify({ query: '{ environments { name } }' }));
      expect(response.status).toBe(errorTable.UNAUTHENTICATED.graphqlHttp!.status);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
      const body = await response.json();
      expect(body.errors).toEqual([{ message: 'Sign in to continue.', path: ['environments'], extensions: { code: 'UNAUTHENTICATED' } }]);
    });

    it('answers FORBIDDEN with the table\'s 403 and no challenge', async () => {
      const response = await post('/graphql', JSON.stringify({ query: 'mutation { createServiceToken(input: { environment: "dev", name: "x" }) { token } }' }), { authorization: basic('viewer', testPasswords.viewer!) });
      expect(response.status).toBe(errorTable.FORBIDDEN.graphqlHttp!.status);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect((await response.json()).errors[0]).toMatchObject({ path: ['createServiceToken'], extensions: { code: 'FORBIDDEN' } });
    });

    it('answers VALIDATION_FAILED with GraphQL\'s own 200 and its violations beside the code', async () => {
      expect(errorTable.VALIDATION_FAILED.graphqlHttp).toBeUndefined();
      const response = await post('/graphql', JSON.stringify({
        query: 'mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { __typename } }',
        variables: { input: { environment: 'dev', expectedVersion: 1, reason: '  ', changes: [{ name: 'CVN_ATR_PERIOD', value: '16' }] } },
      }), { authorization: basic('editor', testPasswords.editor!) });
      expect(response.status).toBe(200);
      const [error] = (await response.json()).errors;
      expect(error.extensions).toEqual({ code: 'VALIDATION_FAILED', violations: [{ code: 'REQUIRED', field: 'reason', message: 'Give a reason for the change.' }] });
    });

    it('keeps GraphiQL for signed-in people with the table\'s 401 and challenge', async () => {
      const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(errorTable.UNAUTHENTICATED.httpStatus);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
    });
  });

  describe('the session route', () => {
    it('answers a body that is not JSON with BAD_REQUEST and the table\'s 400', async () => {
      const response = await post('/auth/session', '{not json');
      expect(response.status).toBe(errorTable.BAD_REQUEST.httpStatus);
      expect(await response.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'Send a JSON body with a username and a password.' } });
    });

    it('answers a method it does not serve with 405 and Allow', async () => {
      const response = await fetch(`${t.url}/auth/session`, { method: 'PUT' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
      expect(await response.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'Use POST to sign in, DELETE to sign out.' } });
    });

    it('answers a wrong password with UNAUTHENTICATED and the table\'s 401, without a challenge that would pop up a browser dialog', async () => {
      const response = await post('/auth/session', JSON.stringify({ username: 'editor', password: 'not-the-password' }));
      expect(response.status).toBe(errorTable.UNAUTHENTICATED.httpStatus);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(await response.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'The user name or password is wrong.' } });
    });

    it('answers a cookie without its CSRF token with FORBIDDEN and the table\'s 403', async () => {
      const signedIn = await post('/auth/session', JSON.stringify({ username: 'viewer', password: testPasswords.viewer }));
      const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const response = await fetch(`${t.url}/auth/session`, { method: 'DELETE', headers: { cookie } });
      expect(response.status).toBe(errorTable.FORBIDDEN.httpStatus);
      expect((await response.json()).error.code).toBe('FORBIDDEN');
    });
  });

  it('closes a socket with refused credentials with the table\'s close code and the reason', async () => {
    expect(await closeOf(t.url, { authorization: basic('viewer', 'nope') })).toEqual({ code: errorTable.UNAUTHENTICATED.closeCode, reason: 'The user name or password is wrong.' });
    expect((await closeOf(t.url, {})).code).toBe(errorTable.UNAUTHENTICATED.closeCode);
  });

  it('answers an unknown path with NOT_FOUND and the table\'s 404', async () => {
    const response = await fetch(`${t.url}/no/such/route`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(errorTable.NOT_FOUND.httpStatus);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Nothing at /no/such/route.' } });
  });

  it('answers graphql-sse on /graphql/stream as /graphql: the table\'s 401, challenge and extensions', async () => {
    const response = await post('/graphql/stream', JSON.stringify({ query: '{ environments { name } }' }), { accept: 'text/event-stream' });
    expect(response.status).toBe(errorTable.UNAUTHENTICATED.graphqlHttp!.status);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    const body = await response.json();
    expect(body.errors).toEqual([{ message: 'Sign in to continue.', path: ['environments'], extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it('sends a code without a status of its own inside an SSE event', async () => {
    const response = await post('/graphql/stream', JSON.stringify({ query: '{ environment(name: "qa") { name } }' }), { accept: 'text/event-stream', authorization: basic('viewer', testPasswords.viewer!) });
    expect(response.status).toBe(200);
    const next = (await response.text()).split('\n').find((line) => line.startsWith('data: {'));
    expect(JSON.parse(next!.slice('data: '.length)).errors[0]).toMatchObject({ path: ['environment'], extensions: { code: 'NOT_FOUND' } });
  });
});

describe('masking on GraphQL', () => {
  it('passes a domain error through as the table says and masks a fault, logging its cause', () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const maskError = createMaskError(createLogger({ destination }));
    const passed = maskError(unauthenticated(), 'Unexpected error.') as GraphQLError;
    expect(passed.extensions).toEqual({ code: 'UNAUTHENTICATED', http: errorTable.UNAUTHENTICATED.graphqlHttp });
    const masked = maskError(new Error('pool exhausted at 10.0.0.5'), 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.extensions).toEqual({ code: errorTable.INTERNAL.graphqlCode });
    expect(lines.join('')).toContain('pool exhausted');
  });
});
