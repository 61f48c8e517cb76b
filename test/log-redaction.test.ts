import { Writable } from 'node:stream';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../server/logging/create-logger.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: the whole setPassword input, current password included, was
// written to the log when a field name was misspelt. This file runs the
// server with its most verbose log into a buffer, goes through what handles
// secrets on every transport, and then looks for every secret in the text.

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const MISSPELT = 'mutation($input: SetPasswordInput!) { setPassword(input: $input) { id } }';

describe('the log never holds a password or a token', () => {
  let t: TestApp;
  const lines: string[] = [];
  const secrets = new Set<string>(Object.values(testPasswords));
  const logText = () => lines.join('');

  beforeAll(async () => {
    const destination = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    t = await startTestApp({ logger: createLogger({ level: 'trace', destination }) });
  });
  afterAll(() => t.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers }, body: JSON.stringify(body) });

  it('goes through sign-in, a misspelt setPassword on every transport, tokens and refused credentials', async () => {
    // Sign-in, a wrong one (another user's password), and sign-out.
    const signedIn = await post('/auth/session', { username: 'editor', password: testPasswords.editor });
    const session = (await signedIn.json()) as { csrfToken: string };
    secrets.add(session.csrfToken);
    const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    for (const part of cookie.split('; ')) secrets.add(part.split('=')[1]!);
    expect((await post('/auth/session', { username: 'admin', password: testPasswords.approver })).status).toBe(401);
    expect((await post('/auth/session', { username: testPasswords.viewer, password: testPasswords.viewer })).status).toBe(401);

    // setPassword with a misspelt field: over HTTP (Basic and session), SSE and graphql-ws.
    const misspelt = { input: { currentPasword: testPasswords.editor, newPassword: testPasswords.admin } };
    await (await post('/graphql', { query: MISSPELT, variables: misspelt }, { authorization: basic('editor', testPasswords.editor!) })).text();
    await (await post('/graphql', { query: MISSPELT, variables: misspelt }, { cookie, 'x-csrf-token': session.csrfToken })).text();
    await (await post('/graphql', { query: `mutation { setPassword(input: { currentPasword: "${testPasswords.editor}", newPassword: "${testPasswords.admin}" }) { id } }` }, { authorization: basic('editor', testPasswords.editor!) })).text();
    await (await post('/graphql/stream', { query: MISSPELT, variables: misspelt }, { authorization: basic('editor', testPasswords.editor!), accept: 'text/event-stream' })).text();
    const sse = createSseClient({ url: `${t.url}/graphql/stream`, headers: { authorization: basic('editor', testPasswords.editor!) }, retryAttempts: 0 });
    await (async () => { for await (const _ of sse.iterate({ query: MISSPELT, variables: misspelt })) { /* drained */ } })().catch(() => {});
    sse.dispose();
    const ws = wsClient(t.url, 'editor');
    await new Promise<void>((resolve) => {
      ws.subscribe({ query: MISSPELT, variables: misspelt }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
    });
    await ws.dispose();
    // A wrong current password, spelt right.
    await (await post('/graphql', { query: MISSPELT, variables: { input: { currentPassword: testPasswords.approver, newPassword: testPasswords.viewer } } }, { authorization: basic('editor', testPasswords.editor!) })).text();

    // A service token: issued, used, revoked, refused.
    const issued = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "log-probe" }) { token serviceToken { id } } }`)).createServiceToken;
    secrets.add(issued.token);
    expectData(await t.gql('{ viewer { kind } }', {}, { token: issued.token }));
    expectData(await t.gql(`mutation($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id: issued.serviceToken.id }));
    expect((await t.gql('{ viewer { kind } }', {}, { token: issued.token })).status).toBe(401);
    const refusedSocket = wsClient(t.url, { token: issued.token }, { lazy: true });
    await new Promise<void>((resolve) => {
      refusedSocket.subscribe({ query: '{ viewer { kind } }' }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
    });
    await refusedSocket.dispose();

    // Refused Basic credentials on every transport: HTTP, GraphiQL's page, a socket.
    expect((await post('/graphql', { query: '{ viewer { name } }' }, { authorization: basic('viewer', testPasswords.admin!) })).status).toBe(401);
    expect((await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html', authorization: basic('viewer', testPasswords.approver!) } })).status).toBe(401);
    const wrongSocket = wsClient(t.url, { authorization: basic('approver', testPasswords.editor!) }, { lazy: true });
    await new Promise<void>((resolve) => {
      wrongSocket.subscribe({ query: '{ viewer { kind } }' }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
    });
    await wrongSocket.dispose();

    // The log was written (the test would prove nothing otherwise)...
    expect(logText()).toContain('user_signed_in');
    expect(logText()).toContain('service_token_created');
    // ...and holds none of the secrets, in any form a line could carry them.
    const found = [...secrets].filter((secret) => {
      const text = logText();
      return text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1)) || text.includes(Buffer.from(secret).toString('base64'));
    });
    expect(found).toEqual([]);
    expect(logText()).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
  });
});

describe('the logger scrubs what a caller passes in, not only known paths', () => {
  function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
    const chunks: string[] = [];
    const destination = new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } });
    write(createLogger({ level: 'trace', destination }));
    return chunks.join('');
  }
  const token = 'ucp_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
  const password = 'hunter2-but-longer';

  it('removes inputs and secret-named values at any depth, misspelt or not', () => {
    const text = logged((logger) => logger.error({
      event: 'probe',
      input: { currentPasword: password },
      request: { variables: { x: password }, headers: { Authorization: `Bearer ${token}`, cookie: `ucp_session=${token}` } },
      deep: { a: { b: { c: { newPassword: password, apiSecret: password, sessionToken: token, token_id: 'still-here' } } } },
    }, 'probe'));
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
    expect(text).toContain('still-here');
  });

  it('removes secrets from error messages, stacks and messages, whatever the key', () => {
    const coercion = new Error(`Variable "$input" got invalid value { currentPasword: "${password}", newPassword: "${password}" }; Field "currentPasword" is not defined by type "SetPasswordInput".`);
    const prisma = new Error(`Invalid \`prisma.user.update()\` invocation: { data: { passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$abc$def" } } with ${token}`);
    const text = logged((logger) => {
      logger.error({ event: 'probe', err: coercion }, 'failed');
      logger.warn({ event: 'probe', detail: String(prisma), wrapped: { cause: prisma } }, `while using ${token}`);
      logger.info(`Expected value of type "String!", found "${password}".`);
      logger.info({ event: 'probe', line: `Authorization: Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });
    });
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
    expect(text).not.toContain('argon2id$v=19');
    expect(text).not.toContain(Buffer.from(`admin:${password}`).toString('base64'));
    // What is not secret stays readable.
    expect(text).toContain('is not defined by type');
    expect(text).toContain('"event":"probe"');
  });
});

