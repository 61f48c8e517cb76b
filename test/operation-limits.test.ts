import WebSocket from 'ws';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationLimits } from '../server/http/operation-limits.ts';
import { authorizationFor, expectData, startTestApp, type GraphQLResponse, type TestApp, type TestUser } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';

// Every hostile operation of issue 9 is refused with a code, fast, on every
// transport, while the server keeps answering /healthz; introspection and
// suggestions are for signed-in callers. (The real operations pass:
// real-operations-within-limits.test.ts.)

/** How fast a refusal must come back, and how fast /healthz must answer meanwhile (loopback, a shared CI box). */
const REFUSED_WITHIN_MS = 1_000;
const HEALTHZ_WITHIN_MS = 200;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // The first request of each transport pays for compiling the server's code paths, not for any limit.
  for (const send of Object.values(transports)) await send('{ environments { name } }');
});
afterAll(() => t.close());

type Refusal = { code?: string; limit?: string; [key: string]: unknown };
const firstError = (response: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (response.errors?.[0]?.extensions ?? {}) as Refusal;

/** Runs `send` beside a /healthz probe; both timed. */
async function whileHealthy<T>(send: () => Promise<T>): Promise<{ result: T; ms: number; healthzMs: number }> {
  const started = performance.now();
  const sending = send().then((result) => ({ result, ms: performance.now() - started }));
  const healthStarted = performance.now();
  const health = await fetch(`${t.url}/healthz`);
  const healthzMs = performance.now() - healthStarted;
  expect(health.status).toBe(200);
  const { result, ms } = await sending;
  return { result, ms, healthzMs };
}

/** POST /graphql. */
const http = (query: string, variables: Record<string, unknown> = {}, as: TestUser = 'viewer') => t.gql(query, variables, as);

/** One operation over graphql-ws: its first result or its error list. */
async function overWs(query: string, variables: Record<string, unknown> = {}, as: TestUser = 'viewer'): Promise<GraphQLResponse> {
  const client = wsClient(t.url, as);
  try {
    return await new Promise<GraphQLResponse>((resolve, reject) => {
      client.subscribe({ query, variables }, {
        next: (result) => resolve({ status: 0, ...(result as object) }),
        error: (error) => (Array.isArray(error) ? resolve({ status: 0, errors: error }) : reject(error)),
        complete: () => undefined,
      });
    });
  } finally {
    await client.dispose();
  }
}

/** One operation over yoga's SSE (Accept: text/event-stream on /graphql): the first event's payload, or the refusal's body. */
async function overYogaSse(query: string, variables: Record<string, unknown> = {}, as: TestUser = 'viewer'): Promise<GraphQLResponse> {
  return overSse('/graphql', query, variables, as);
}

/** The graphql-sse protocol (distinct connections) on /graphql/stream. */
async function overGraphqlSse(query: string, variables: Record<string, unknown> = {}, as: TestUser = 'viewer'): Promise<GraphQLResponse> {
  return overSse('/graphql/stream', query, variables, as);
}

async function overSse(path: string, query: string, variables: Record<string, unknown>, as: TestUser): Promise<GraphQLResponse> {
  const authorization = authorizationFor(as);
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return { status: response.status, ...JSON.parse(text) };
  const data = /^data: ?(.*)$/m.exec(text)?.[1];
  return { status: response.status, ...(data ? JSON.parse(data) : {}) };
}

const transports = { http, ws: overWs, 'yoga SSE': overYogaSse, 'graphql-sse': overGraphqlSse } as const;

/** `environment → versions → node → environment → versions …`, `levels` times. */
function nestedVersions(levels: number): string {
  let inner = 'version';
  for (let i = 0; i < levels; i += 1) inner = `environment { versions(first: 5) { edges { node { ${inner} } } } }`;
  return `{ environment(name: "dev") { versions(first: 5) { edges { node { ${inner} } } } } }`;
}

/** `runs → parameterSet → runs …`, `levels` times. */
function nestedRuns(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i += 1) inner = `parameterSet { runs(first: 5) { edges { node { ${inner} } } } }`;
  return `{ runs(first: 5) { edges { node { ${inner} } } } }`;
}

const aliases = (count: number, field: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

describe('hostile operations are refused with a code, fast, on every transport, while /healthz answers', () => {
  // Twenty levels nest the braces past 64, where the parser's guard
  // (use-input-limits.ts) refuses the document as BAD_REQUEST before it is
  // parsed; three levels are parsed, and refused by the depth limit.
  const nestingGuard = 'BAD_REQUEST';
  const cases: [string, string, Record<string, unknown>, string[]][] = [
    ['a query nested 20 levels through environment → versions → node', nestedVersions(20), {}, [nestingGuard, 'depth']],
    ['a query nested 3 levels through environment → versions → node', nestedVersions(3), {}, ['depth']],
    ['runs → parameterSet → runs nested 20 levels with first: 5', nestedRuns(20), {}, [nestingGuard, 'depth']],
    ['runs → parameterSet → runs nested 3 levels with first: 5', nestedRuns(3), {}, ['depth']],
    ['500 aliases of catalog(first: 100)', aliases(500, 'catalog(first: 100) { edges { node { name } } }'), {}, ['tokens', 'aliases']],
    ['20 aliases of catalog(first: 100)', aliases(20, 'catalog(first: 100) { totalCount }'), {}, ['aliases']],
    ['1,000 aliases of environment.values', aliases(1_000, 'environment(name: "dev") { values { name value } }'), {}, ['tokens', 'aliases']],
    ['catalog(first: 100000)', '{ catalog(first: 100000) { edges { node { name } } } }', {}, ['pageSize', 'cost']],
    ['catalog(first: $n) with n = 100000', 'query ($n: Int) { catalog(first: $n) { edges { node { name } } } }', { n: 100_000 }, ['pageSize']],
    ['versions(first: 100000) { values }', '{ environment(name: "dev") { versions(first: 100000) { edges { node { values } } } } }', {}, ['pageSize', 'cost']],
    ['recentApplies(last: 100000000)', '{ recentApplies(environment: "dev", last: 100000000) { version } }', {}, ['pageSize', 'cost']],
    ['recentApplies(last: $n) with n = 100000000', 'query ($n: Int) { recentApplies(environment: "dev", last: $n) { version } }', { n: 100_000_000 }, ['pageSize']],
    ['two levels of versions with their values, at the default page size', '{ environment(name: "dev") { versions { edges { node { environment { versions { edges { node { values } } } } } } } } }', {}, ['rows']],
    ['values(names:) with 2,000 names', 'query ($names: [String!]) { environment(name: "dev") { values(names: $names) { name } } }', { names: Array.from({ length: 2_000 }, (_, i) => `CVN_${i}`) }, ['listLength']],
  ];
  for (const [transport, send] of Object.entries(transports)) {
    describe(transport, () => {
      it.each(cases)('%s', async (_name, query, variables, accepted) => {
        const { result, ms, healthzMs } = await whileHealthy(() => send(query, variables));
        const refusals = (result.errors ?? []).map((error) => (error.extensions ?? {}) as Refusal);
        const what = JSON.stringify(result).slice(0, 500);
        expect(refusals.length, what).toBeGreaterThan(0);
        expect(result.data ?? null, what).toBeNull();
        // Every error is a refusal with a code; one of them is the limit this case is about.
        for (const refusal of refusals) expect(refusal.code === nestingGuard || (refusal.code === 'LIMIT_EXCEEDED' && typeof refusal.max === 'number'), what).toBe(true);
        expect(refusals.some((refusal) => accepted.includes(refusal.code === nestingGuard ? nestingGuard : String(refusal.limit))), what).toBe(true);
        expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
        expect(healthzMs).toBeLessThan(HEALTHZ_WITHIN_MS);
      });
    });
  }

  it('answers checkRule with a CEL map nested 7 deep as INVALID_EXPRESSION for every environment, at once', async () => {
    let inner = '1';
    for (let i = 6; i >= 0; i -= 1) inner = `params.map(k${i}, ${inner})`;
    const query = 'query ($expression: String!) { checkRule(expression: $expression) { environment passed violation { code message } } }';
    for (const send of Object.values(transports)) {
      const { result, ms, healthzMs } = await whileHealthy(() => send(query, { expression: `${inner}.size() > 0` }));
      const checks = (result.data as { checkRule: { passed: boolean; violation: { code: string; message: string } }[] }).checkRule;
      expect(checks).toHaveLength(3);
      for (const check of checks) expect(check).toMatchObject({ passed: false, violation: { code: 'INVALID_EXPRESSION', message: expect.stringMatching(/macros/) } });
      expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
      expect(healthzMs).toBeLessThan(HEALTHZ_WITHIN_MS);
    }
  });

  it('refuses a negative page size as BAD_REQUEST naming the argument, not as a fault', async () => {
    for (const send of Object.values(transports)) {
      const refusal = firstError(await send('{ catalog(first: -5) { totalCount } }'));
      expect(refusal).toMatchObject({ code: 'BAD_REQUEST', field: 'first' });
    }
  });

  it('answers an operation over a limit with 413 on HTTP, and keeps the socket open for the next one on graphql-ws', async () => {
    const response = await http(nestedVersions(3));
    expect(response.status).toBe(413);
    const client = wsClient(t.url, 'viewer');
    try {
      const results: unknown[] = [];
      for (const query of [nestedVersions(3), '{ environments { name } }']) {
        results.push(await new Promise((resolve) => {
          client.subscribe({ query }, { next: resolve, error: resolve, complete: () => undefined });
        }));
      }
      expect((results[0] as { extensions: Refusal }[]).map((error) => error.extensions.limit).sort()).toEqual(['cost', 'depth']);
      expect((results[1] as { data: { environments: unknown[] } }).data.environments).toHaveLength(3);
    } finally {
      await client.dispose();
    }
  });
});

describe('document size', () => {
  // About 280,000 `__typename` aliases, sent by nobody.
  const fiveMegabytes = `{ ${'a: __typename '.repeat(350_000)} }`;

  it('refuses a 5 MB document before reading it, on HTTP and both SSE protocols', async () => {
    for (const path of ['/graphql', '/graphql/stream']) {
      const { result, ms, healthzMs } = await whileHealthy(async () => {
        const response = await fetch(`${t.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: path === '/graphql' ? 'application/json' : 'text/event-stream' },
          body: JSON.stringify({ query: fiveMegabytes }),
        });
        return { status: response.status, body: (await response.json()) as { errors: { extensions: Refusal }[] } };
      });
      expect(result.status).toBe(413);
      expect(result.body.errors[0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'requestBytes', max: operationLimits.requestBytes });
      expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
      expect(healthzMs).toBeLessThan(HEALTHZ_WITHIN_MS);
    }
  });

  it('refuses a chunked body over the limit, which declares no length', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(firstError((await response.json()) as never)).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'requestBytes' });
  });

  it('closes a socket that sends a message over the limit with 1009, before buffering it', async () => {
    const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: authorizationFor('viewer') } }));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: fiveMegabytes } }));
    expect(await closed).toBe(1009);
  });

  it('refuses a document over its length or its tokens while parsing', async () => {
    const long = await http(`{ environments { name } } # ${'x'.repeat(operationLimits.documentLength)}`, {}, null);
    expect(firstError(long)).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'documentLength', max: operationLimits.documentLength });
    const many = await http(aliases(2_000, '__typename'), {}, null);
    expect(firstError(many)).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'tokens', max: operationLimits.tokens });
    const overWsTokens = await overWs(aliases(2_000, '__typename'));
    expect(firstError(overWsTokens)).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'tokens' });
  });

  it('answers fragments that spread each other fourfold, level after level, fast', async () => {
    const levels = 9;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Environment { name ${i + 1 < levels ? `...F${i + 1} `.repeat(4) : ''}}`).join(' ');
    const { result, ms, healthzMs } = await whileHealthy(() => http(`{ environments { ...F0 } } ${fragments}`));
    expect(result.errors?.length ?? 0, JSON.stringify(result.errors)).toBeGreaterThan(0);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
    expect(healthzMs).toBeLessThan(HEALTHZ_WITHIN_MS);
  });

  it('validates the costliest document within the token limit fast (conflicting fields, compared pairwise)', async () => {
    const conflicting = `{ ${Array.from({ length: Math.floor(operationLimits.tokens / 7) }, (_, i) => `environment(name: "e${i}") { id }`).join(' ')} }`;
    const { result, ms, healthzMs } = await whileHealthy(() => http(conflicting));
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
    expect(healthzMs).toBeLessThan(HEALTHZ_WITHIN_MS);
  });
});

describe('the schema is for signed-in callers', () => {
  it('refuses anonymous introspection as UNAUTHENTICATED, on HTTP and both SSE protocols', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Mutation") { fields { name } } }', 'query { ...Schema } fragment Schema on Query { __schema { queryType { name } } }']) {
      const response = await http(query, {}, null);
      expect(response.status).toBe(401);
      expect(firstError(response).code).toBe('UNAUTHENTICATED');
      expect(response.data ?? null).toBeNull();
      for (const overSse of [overYogaSse, overGraphqlSse]) expect(firstError(await overSse(query, {}, null)).code).toBe('UNAUTHENTICATED');
    }
  });

  it('gives GraphiQL and codegen their full introspection, signed in, on HTTP and graphql-ws', async () => {
    const graphiql = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const overHttp = expectData(await http(graphiql)) as { __schema: { types: { name: string }[] } };
    expect(overHttp.__schema.types.map((type) => type.name)).toContain('Mutation');
    const overSocket = await overWs(getIntrospectionQuery(), {}, 'admin');
    expect(overSocket.errors).toBeUndefined();
    expect((overSocket.data as { __schema: { types: unknown[] } }).__schema.types.length).toBe(overHttp.__schema.types.length);
  });

  it('suggests field names to signed-in callers only', async () => {
    const anonymous = await http('mutation { createServiceTokn(input: {}) { token } }', {}, null);
    expect(anonymous.errors?.[0]?.message).toMatch(/Cannot query field "createServiceTokn"/);
    expect(JSON.stringify(anonymous.errors)).not.toMatch(/Did you mean|createServiceToken/);
    const enumGuess = await http('query ($k: RunKind) { runs(kind: $k) { totalCount } }', { k: 'PAPR' }, null);
    expect(JSON.stringify(enumGuess.errors)).not.toMatch(/Did you mean|PAPER/);
    const signedIn = await http('mutation { createServiceTokn(input: {}) { token } }', {}, 'viewer');
    expect(signedIn.errors?.[0]?.message).toMatch(/Did you mean "createServiceToken"/);
    // The anonymous answer did not spoil the cached validation of the same document.
    const again = await http('mutation { createServiceTokn(input: {}) { token } }', {}, null);
    expect(JSON.stringify(again.errors)).not.toMatch(/Did you mean/);
  });
});
