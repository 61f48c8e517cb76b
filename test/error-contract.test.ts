import { encodeGlobalID } from '@pothos/plugin-relay';
import { createClient as createSseClient, NetworkError } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_NESTING, MAX_VARIABLE_NESTING } from '../server/http/use-input-limits.ts';
import { authorizationFor, type TestApp, type TestUser, startTestApp } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: every caller mistake is a GraphQL error with a code and a human
// message, on every transport; never INTERNAL_SERVER_ERROR, never a stack.

/** What no answer may carry: a stack frame or a path of the server's files. */
const leak = /\bat [^\n]*\(?[^\s()]+:\d+:\d+\)?|node_modules|\/work\/|server\/[\w/-]+\.ts|GraphQLError:|PrismaClient/;

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  body: any;
}

describe('one error contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function send(path: string, init: RequestInit): Promise<Answer> {
    const response = await fetch(`${t.url}${path}`, init);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    expect(text, `${path} leaks`).not.toMatch(leak);
    return { status: response.status, contentType: response.headers.get('content-type'), text, body };
  }
  const headers = (as: TestUser, extra: Record<string, string> = {}) => {
    const authorization = authorizationFor(as);
    return { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(authorization ? { authorization } : {}), ...extra };
  };
  const gql = (query: string, variables?: unknown, as: TestUser = 'viewer') =>
    send('/graphql', { method: 'POST', headers: headers(as), body: JSON.stringify({ query, variables }) });
  const codes = (answer: Answer): string[] => (answer.body?.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);

  describe('GraphQL over HTTP: the request refused with BAD_REQUEST and GraphQL\'s sentence', () => {
    it.each([
      ['a variable of the wrong type', 'query($n: String!) { environment(name: $n) { name } }', { n: 5 }, /String cannot represent a non string value: 5/],
      ['an extra input field', 'mutation($i: CreateRunInput!) { createRun(input: $i) { id } }', { i: { kind: 'PAPER', name: 'x', parameterSetHash: 'x', bogus: 1 } }, /Field "bogus" is not defined by type "CreateRunInput"/],
      ['a missing input field', 'mutation($i: CreateRunInput!) { createRun(input: $i) { id } }', { i: { kind: 'PAPER' } }, /Field "name" of required type "String!" was not provided/],
      ['a bad enum value', 'mutation($i: CreateRunInput!) { createRun(input: $i) { id } }', { i: { kind: 'NOPE', name: 'x', parameterSetHash: 'x' } }, /Value "NOPE" does not exist in "RunKind" enum/],
      ['a bad enum literal', '{ runs(kind: NOPE) { totalCount } }', undefined, /Value "NOPE" does not exist in "RunKind" enum/],
      ['an unknown field', '{ environments { nope } }', undefined, /Cannot query field "nope"/],
      ['a syntax error', '{ environments { name ', undefined, /Syntax Error/],
      ['a NUL character in a variable', 'query($n: String!) { environment(name: $n) { name } }', { n: 'a\u0000b' }, /NUL/],
      ['a NUL character in a literal', '{ environment(name: "a\\u0000b") { name } }', undefined, /NUL/],
    ])('%s', async (_what, query, variables, message) => {
      const answer = await gql(query, variables, 'editor');
      expect(answer.status).toBe(400);
      expect(codes(answer)).toEqual(answer.body.errors.map(() => 'BAD_REQUEST'));
      expect(answer.body.errors[0].message).toMatch(message);
      expect(answer.body.errors[0].extensions).not.toHaveProperty('http');
    });

    it('keeps GraphQL\'s 200 for a document refused by validation when the client accepts only application/json', async () => {
      const answer = await send('/graphql', {
        method: 'POST',
        headers: { ...headers('viewer'), accept: 'application/json' },
        body: JSON.stringify({ query: '{ environments { nope } }' }),
      });
      expect(answer.status).toBe(200);
      expect(codes(answer)).toEqual(['BAD_REQUEST']);
    });

    it('reads an id that is not a UUID as naming nothing in a mutation', async () => {
      for (const [query, as] of [
        ['mutation { revokeServiceToken(id: "not-a-uuid") { id } }', 'admin'],
        ['mutation { withdrawChangeRequest(id: "not-a-uuid") { id } }', 'editor'],
      ] as const) {
        const answer = await gql(query, undefined, as);
        expect(answer.status, query).toBeLessThan(500);
        expect(codes(answer), query).toEqual([expect.stringMatching(/^(NOT_FOUND|BAD_REQUEST)$/)]);
      }
    });

    it('refuses a garbage cursor and a negative page size at their field, with BAD_REQUEST', async () => {
      for (const query of ['{ catalog(after: "garbage") { totalCount } }', '{ runs(after: "garbage") { totalCount } }', '{ catalog(first: -5) { totalCount } }', '{ changeRequests(last: -1) { edges { cursor } } }']) {
        const answer = await gql(query);
        expect(codes(answer), query).toEqual(['BAD_REQUEST']);
        expect(answer.status, query).toBeLessThan(500);
      }
    });

    it('refuses JSON nested 20,000 deep, as a variable or as a literal, before anything recurses', async () => {
      const deep = '['.repeat(20_000) + ']'.repeat(20_000);
      const asVariable = await send('/graphql', {
        method: 'POST',
        headers: headers('editor'),
        body: `{"query":"mutation($m: JSON) { createRun(input: { kind: PAPER, name: \\"x\\", parameterSetHash: \\"x\\", metadata: $m }) { id } }","variables":{"m":${deep}}}`,
      });
      expect(asVariable.status).toBe(400);
      expect(asVariable.body.errors).toEqual([{ message: `Variable "$m" nests deeper than ${MAX_VARIABLE_NESTING} levels.`, extensions: { code: 'BAD_REQUEST', field: 'm' } }]);
      const asLiteral = await gql(`mutation { createRun(input: { kind: PAPER, name: "x", parameterSetHash: "x", metadata: ${deep} }) { id } }`, undefined, 'editor');
      expect(asLiteral.status).toBeLessThan(500);
      expect(codes(asLiteral)).toEqual([expect.stringMatching(/^(BAD_REQUEST|LIMIT_EXCEEDED)$/)]);
      const nested = await gql(`{ ${'environments { '.repeat(MAX_DOCUMENT_NESTING + 1)}name${' }'.repeat(MAX_DOCUMENT_NESTING + 1)} }`);
      expect(codes(nested)).toEqual([expect.stringMatching(/^(BAD_REQUEST|LIMIT_EXCEEDED)$/)]);
    });

    it('refuses a NUL character on the sign-in route with BAD_REQUEST, and in Basic credentials as wrong credentials', async () => {
      const signIn = await send('/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer\u0000', password: 'x' }) });
      expect(signIn.status).toBe(400);
      expect(signIn.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'The username must not contain NUL characters (\\u0000).', field: 'username' } });
      const basic = await gql('{ viewer { name } }', undefined, { authorization: `Basic ${Buffer.from('vie\u0000wer:x').toString('base64')}` });
      expect(basic.status).toBe(401);
      expect(codes(basic)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('node lookups read an id that names nothing as null', () => {
    it('for every Node type: a missing key, a malformed key, a key with a NUL character', async () => {
      const types: { name: string; interfaces: { name: string }[] | null }[] = (await gql('{ __schema { types { name interfaces { name } } } }', undefined, 'admin')).body.data.__schema.types;
      const nodeTypes = types.filter((type) => type.interfaces?.some((face) => face.name === 'Node')).map((type) => type.name);
      expect(nodeTypes).toEqual(expect.arrayContaining(['ParameterSet', 'Run', 'Worker', 'ServiceToken', 'ChangeRequest', 'Environment', 'User', 'Rule', 'FreezeWindow', 'ConfigVersion', 'CatalogEntry']));
      for (const type of nodeTypes) {
        for (const key of ['00000000-0000-4000-8000-000000000001', 'not-a-uuid', 'a\u0000b', '9'.repeat(64), '-1']) {
          const id = encodeGlobalID(type, key);
          const answer = await gql('query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }', { id }, 'admin');
          expect(answer.body, `${type}:${JSON.stringify(key)}`).toEqual({ data: { node: null, nodes: [null] } });
        }
      }
    });

    it('for an id that is no global id, or names a type that is not a Node', async () => {
      for (const id of ['!!!', '', encodeGlobalID('Query', '1'), encodeGlobalID('Nope', '1'), encodeGlobalID('ParameterSetEntry', 'x'), Buffer.from('Run').toString('base64')]) {
        const answer = await gql('query($id: ID!) { node(id: $id) { id } nodes(ids: [$id, $id]) { id } }', { id });
        expect(answer.body, JSON.stringify(id)).toEqual({ data: { node: null, nodes: [null, null] } });
      }
    });
  });

  describe('plain-HTTP refusals of the GraphQL paths carry a JSON body with a code', () => {
    it.each([
      ['415 for a body that is not JSON', '/graphql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }, 415, 'BAD_REQUEST'],
      ['415 on the stream too', '/graphql/stream', { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'text/event-stream' }, body: 'x' }, 415, 'BAD_REQUEST'],
      ['406 for an Accept it cannot serve', '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'image/png' }, body: '{"query":"{ __typename }"}' }, 406, 'BAD_REQUEST'],
      ['405 for a method it does not serve', '/graphql', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }, 405, 'BAD_REQUEST'],
      ['400 for a body that is not valid JSON', '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: '{bad' }, 400, 'BAD_REQUEST'],
      ['400 for a stream request without a query', '/graphql/stream', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: '{}' }, 400, 'BAD_REQUEST'],
    ])('%s', async (_what, path, init, status, code) => {
      const answer = await send(path, init as RequestInit);
      expect(answer.status).toBe(status);
      expect(answer.contentType).toMatch(/json/);
      expect(answer.body.errors[0]).toMatchObject({ message: expect.any(String), extensions: { code } });
      expect(answer.body.errors[0].message.length).toBeGreaterThan(3);
      expect(answer.body.errors[0].extensions).not.toHaveProperty('originalError');
    });
  });

  describe('/graphql/stream answers like /graphql, and the graphql-sse client sees the reason', () => {
    /** The refusal the real graphql-sse client meets: its NetworkError carries the response. */
    async function sseRefusal(clientHeaders: Record<string, string>, query: string): Promise<{ status: number; body: any }> {
      const client = createSseClient({ url: `${t.url}/graphql/stream`, headers: clientHeaders, retryAttempts: 0 });
      try {
        for await (const _result of client.iterate({ query })) throw new Error('the stream was not refused');
        throw new Error('the stream was not refused');
      } catch (error) {
        if (!(error instanceof NetworkError) || !error.response) throw error;
        const text = await (error.response as Response).text();
        expect(text).not.toMatch(leak);
        return { status: error.response.status, body: JSON.parse(text) };
      } finally {
        client.dispose();
      }
    }

    it('wrong credentials: 401, UNAUTHENTICATED and the challenge, exactly as /graphql', async () => {
      const wrong = { authorization: `Basic ${Buffer.from('viewer:not-the-password').toString('base64')}` };
      const viaStream = await sseRefusal(wrong, '{ environments { name } }');
      const viaGraphQL = await gql('{ environments { name } }', undefined, wrong);
      expect(viaStream).toEqual({ status: 401, body: { errors: [{ message: 'The user name or password is wrong.', extensions: { code: 'UNAUTHENTICATED' } }] } });
      expect(viaGraphQL.status).toBe(401);
      expect(viaGraphQL.body).toEqual(viaStream.body);
      const unknownToken = await sseRefusal({ authorization: 'Bearer ucp_nope' }, '{ environments { name } }');
      expect(unknownToken.status).toBe(401);
      expect(unknownToken.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
      const response = await fetch(`${t.url}/graphql/stream`, { method: 'POST', headers: { ...wrong, 'content-type': 'application/json', accept: 'text/event-stream' }, body: '{"query":"{ __typename }"}' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      await response.body?.cancel();
    });

    it('a session cookie without its CSRF token: 403 FORBIDDEN', async () => {
      const signedIn = await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: testPasswords.viewer }) });
      const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const refused = await sseRefusal({ cookie }, '{ environments { name } }');
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0]).toEqual({ message: expect.stringContaining('CSRF'), extensions: { code: 'FORBIDDEN' } });
    });

    it('a bad query: 400 with BAD_REQUEST and GraphQL\'s sentence', async () => {
      const as = { authorization: authorizationFor('viewer')! };
      for (const query of ['{ nope }', '{ environments { name ', 'subscription { configChanged(environment: 5) { version } }']) {
        const refused = await sseRefusal(as, query);
        expect(refused.status, query).toBe(400);
        expect(refused.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code), query).toEqual(refused.body.errors.map(() => 'BAD_REQUEST'));
      }
    });

    it('an error that sets /graphql\'s status refuses the stream with it; one that does not is an event', async () => {
      const as = { authorization: authorizationFor('viewer')! };
      const forbidden = await sseRefusal(as, 'mutation { createServiceToken(input: { environment: "dev", name: "x" }) { token } }');
      expect(forbidden).toEqual({ status: 403, body: { errors: [expect.objectContaining({ path: ['createServiceToken'], extensions: { code: 'FORBIDDEN' } })], data: null } });
      const client = createSseClient({ url: `${t.url}/graphql/stream`, headers: as, retryAttempts: 0 });
      const results: { errors?: readonly { extensions?: Record<string, unknown> }[] }[] = [];
      for await (const result of client.iterate({ query: '{ environment(name: "qa") { name } }' })) results.push(result as (typeof results)[number]);
      client.dispose();
      expect(results[0]?.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', id: 'qa' });
    });
  });

  describe('graphql-ws: refusals are the operation\'s error, in the contract\'s form, and the socket stays open', () => {
    it('a syntax error, an unknown field and a FORBIDDEN field, one after another on one socket', async () => {
      const client = wsClient(t.url, 'viewer');
      const run = (query: string) => new Promise<unknown[]>((resolve) => {
        const errors: unknown[] = [];
        client.subscribe({ query }, { next: (result) => errors.push(...(result.errors ?? [])), error: (error) => resolve([...errors, ...(Array.isArray(error) ? error : [error])]), complete: () => resolve(errors) });
      });
      try {
        expect(await run('{ environments { name ')).toEqual([expect.objectContaining({ message: expect.stringContaining('Syntax Error'), extensions: { code: 'BAD_REQUEST' } })]);
        expect(await run('{ nope }')).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
        expect(await run('mutation { createServiceToken(input: { environment: "dev", name: "x" }) { token } }')).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
        expect(await run('query($n: String!) { environment(name: $n) { name } }')).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) })]);
      } finally {
        await client.dispose();
      }
    });
  });
});
