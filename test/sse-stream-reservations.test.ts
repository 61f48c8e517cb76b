import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../server/auth/index.ts';
import { createStreamReservations } from '../server/http/sse-stream-reservations.ts';
import { useGraphQLSseStream } from '../server/http/use-graphql-sse-stream.ts';
import { authorizationFor, expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';

// Issue 9: an anonymous PUT /graphql/stream reserved a stream that never
// expired (5,000 of them: +36 MiB). Reservations need credentials, expire
// unless opened, and serve only whoever made them.

const streamToken = 'x-graphql-event-stream-token';

/** Rejects after `ms` unless the promise settled first (a bound on waiting, not a sleep). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('graphql-sse stream reservations on the product', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const reserve = (as: TestUser) => {
    const authorization = authorizationFor(as);
    return fetch(`${t.url}/graphql/stream`, { method: 'PUT', headers: authorization ? { authorization } : {} });
  };

  it('refuses an anonymous reservation with 401 UNAUTHENTICATED', async () => {
    const response = await reserve(null);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses bad credentials the way /graphql does', async () => {
    const response = await reserve({ token: 'ucp_not-a-token' });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('reserves with credentials, under a token the server chose, for the reserver only', async () => {
    const response = await reserve('viewer');
    expect(response.status).toBe(201);
    const token = await response.text();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    // Someone else holding the token cannot open the stream or send operations on it.
    const opened = await fetch(`${t.url}/graphql/stream`, { headers: { accept: 'text/event-stream', [streamToken]: token, authorization: authorizationFor('editor')! } });
    expect(opened.status).toBe(403);
    expect((await opened.json()).error.code).toBe('FORBIDDEN');
    const anonymous = await fetch(`${t.url}/graphql/stream`, { method: 'POST', headers: { 'content-type': 'application/json', [streamToken]: token }, body: JSON.stringify({ query: '{ __typename }', extensions: { operationId: '1' } }) });
    expect(anonymous.status).toBe(401);
    // A token the server never handed out names nothing.
    const made = await fetch(`${t.url}/graphql/stream`, { headers: { accept: 'text/event-stream', [streamToken]: 'made-up', authorization: authorizationFor('viewer')! } });
    expect(made.status).toBe(404);
    await made.body?.cancel();
  });

  it('lets one caller hold only a few unopened reservations', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      const response = await reserve('approver');
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([...Array(8).fill(201), 409]);
    // Another caller is not held back by it.
    expect((await reserve('admin')).status).toBe(201);
  });

  it('still serves the single connection mode end to end', async () => {
    const client = createSseClient({ url: `${t.url}/graphql/stream`, singleConnection: true, headers: { authorization: authorizationFor('viewer')! }, retryAttempts: 0 });
    try {
      const result = await within(new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: '{ environments { name } }' }, { next: resolve, error: reject, complete: () => {} });
      }), 10_000, 'the query over the reserved stream');
      expect(expectData(result as { data: { environments: { name: string }[] } } & { status: number }).environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    } finally {
      client.dispose();
    }
  });
});

describe('an unopened reservation expires', () => {
  const viewer: Viewer = { kind: 'user', userId: 'u-1', username: 'someone', displayName: 'Someone', role: 'VIEWER', via: 'basic' };
  const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'hi' } } }) });

  /** The plugin as the product mounts it, on its own yoga, with a clock the test moves: no waiting on real time. */
  function streamServer() {
    const due: { expire: () => void; ms: number; cancelled: boolean }[] = [];
    const expired: { token: string; freed: boolean }[] = [];
    let wake: (() => void) | undefined;
    const reservations = createStreamReservations({
      identify: async (request) => (request.headers.get('authorization') ? viewer : null),
      ttlMs: 30_000,
      schedule: (expire, ms) => {
        const entry = { expire, ms, cancelled: false };
        due.push(entry);
        return () => { entry.cancelled = true; };
      },
      onExpired: (token, freed) => {
        expired.push({ token, freed });
        wake?.();
      },
    });
    const yoga = createYoga({ schema, plugins: [useGraphQLSseStream({ maskError: (error) => error as Error, faultMessage: 'Unexpected error.', reservations })] });
    return {
      reservations, yoga, due, expired,
      /** Lets the TTL of every reservation pass; resolves once each due expiry has been handled. */
      async passTtl() {
        const live = due.filter((entry) => !entry.cancelled);
        const handled = new Promise<void>((resolve) => { wake = () => (expired.length >= live.length ? resolve() : undefined); });
        for (const entry of live) entry.expire();
        if (live.length) await within(handled, 5_000, 'the expiries');
      },
    };
  }

  const headers = { authorization: 'Basic x' };

  it('is dropped after its TTL, freeing graphql-sse\'s own stream, and names nothing afterwards', async () => {
    const server = streamServer();
    const response = await server.yoga.fetch('http://yoga/graphql/stream', { method: 'PUT', headers });
    expect(response.status).toBe(201);
    const token = await response.text();
    expect(server.reservations.size).toBe(1);
    expect(server.due.map((entry) => entry.ms)).toEqual([30_000]);

    await server.passTtl();
    // graphql-sse's stream was opened and cancelled: its memory is gone too.
    expect(server.expired).toEqual([{ token, freed: true }]);
    expect(server.reservations.size).toBe(0);
    const late = await server.yoga.fetch('http://yoga/graphql/stream', { headers: { ...headers, accept: 'text/event-stream', [streamToken]: token } });
    expect(late.status).toBe(404);
    expect((await late.json()).error.code).toBe('NOT_FOUND');
  });

  it('does not expire once opened, and is forgotten when its connection closes', async () => {
    const server = streamServer();
    const token = await (await server.yoga.fetch('http://yoga/graphql/stream', { method: 'PUT', headers })).text();
    const connection = new AbortController();
    const opened = await server.yoga.fetch('http://yoga/graphql/stream', { headers: { ...headers, accept: 'text/event-stream', [streamToken]: token }, signal: connection.signal });
    expect(opened.status).toBe(200);
    const reader = opened.body!.getReader();
    await reader.read(); // the stream's first (empty) message: it is open

    await server.passTtl();
    expect(server.expired).toEqual([]);
    expect(server.reservations.size).toBe(1);

    connection.abort();
    await reader.cancel().catch(() => {});
    await within((async () => {
      while (server.reservations.size > 0) await new Promise((resolve) => setImmediate(resolve));
    })(), 2_000, 'the closed stream to be forgotten');
  });
});
