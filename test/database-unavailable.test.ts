import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient as createSseClient, NetworkError } from 'graphql-sse';
import { withAdminClient } from './support/postgres-admin.ts';
import { authorizationFor, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: a database that drops the app's connections and refuses new ones
// reaches clients as UNAVAILABLE (retryable: 503 with Retry-After, socket close
// 1013), never as INTERNAL; once it is back, the next request is served.

describe('the database away', () => {
  let t: TestApp;
  let name: string;
  let ownPid: number;
  beforeAll(async () => {
    t = await startTestApp();
    name = new URL(t.db.url).pathname.slice(1);
    ownPid = (await t.sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  });
  afterAll(async () => {
    await setAllowed(true);
    await t.close();
  });

  /** Cuts every connection of the app (not the test's own) and refuses or allows new ones. */
  async function setAllowed(allowed: boolean) {
    await withAdminClient(async (admin) => {
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS ${allowed}`);
      if (!allowed) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2', [name, ownPid]);
    });
  }
  const viewerHeaders = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: authorizationFor('viewer')! };

  it('serves the next request after its connections were terminated (the pool reconnects)', async () => {
    await withAdminClient((admin) => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2', [name, ownPid]));
    expect(expectData(await t.gql('{ environments { name } }', {}, 'viewer')).environments).toHaveLength(3);
  });

  it('answers UNAVAILABLE on every transport while it refuses connections, then serves again', async () => {
    // A socket opened before the outage: its next operation fails with the code, the socket stays.
    const open = wsClient(t.url, 'viewer');
    // An operation's refusal arrives as its result's errors or as its error message: both read as errors here.
    type Outcome = { data?: unknown; errors?: readonly { extensions?: { code?: string } }[] };
    const runOnOpen = (query: string) => new Promise<Outcome>((resolve, reject) => {
      let last: Outcome = {};
      open.subscribe({ query }, {
        next: (result) => { last = result as Outcome; },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(last),
      });
    });
    expect((await runOnOpen('{ environments { name } }')).errors).toBeUndefined();

    await setAllowed(false);
    try {
      const graphql = await fetch(`${t.url}/graphql`, { method: 'POST', headers: viewerHeaders, body: JSON.stringify({ query: '{ environments { name } }' }) });
      expect(graphql.status).toBe(503);
      expect(graphql.headers.get('retry-after')).toBe('1');
      const body = await graphql.json();
      expect(body.errors).toEqual([{ message: expect.stringContaining('try again'), extensions: { code: 'UNAVAILABLE' } }]);

      const signIn = await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: testPasswords.viewer }) });
      expect(signIn.status).toBe(503);
      expect((await signIn.json()).error.code).toBe('UNAVAILABLE');

      const sse = createSseClient({ url: `${t.url}/graphql/stream`, headers: { authorization: authorizationFor('viewer')! }, retryAttempts: 0 });
      const refused = await (async () => {
        try {
          for await (const _result of sse.iterate({ query: '{ environments { name } }' })) return undefined;
        } catch (error) {
          if (error instanceof NetworkError && error.response) return { status: error.response.status, body: await (error.response as Response).json() };
          throw error;
        } finally {
          sse.dispose();
        }
        return undefined;
      })();
      expect(refused).toEqual({ status: 503, body: { errors: [{ message: expect.any(String), extensions: { code: 'UNAVAILABLE' } }] } });

      const onOpen = await runOnOpen('{ environments { name } }');
      expect(onOpen.errors?.map((e) => e.extensions)).toEqual([{ code: 'UNAVAILABLE' }]);

      const closed = await new Promise<{ code: number }>((resolve) => {
        const client = wsClient(t.url, 'viewer', { lazy: true, on: { closed: (event) => resolve(event as { code: number }) } });
        client.subscribe({ query: '{ viewer { name } }' }, { next: () => {}, error: () => {}, complete: () => {} });
      });
      expect(closed.code).toBe(1013);

      expect((await fetch(`${t.url}/readyz`)).status).toBe(503);
    } finally {
      await setAllowed(true);
    }

    expect(expectData(await t.gql('{ environments { name } }', {}, 'viewer')).environments).toHaveLength(3);
    expect((await runOnOpen('{ environments { name } }')).errors).toBeUndefined();
    await open.dispose();
  });
});
