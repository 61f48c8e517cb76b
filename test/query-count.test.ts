import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type GraphQLResponse, type TestApp } from './support/start-test-app.ts';
import { testPasswords } from './support/test-passwords.ts';

/**
 * The number of SQL statements a request makes must not grow with the length
 * of the lists it returns (no N+1): plugin-prisma folds relations into one
 * query per level, and the catalog comes from a cache.
 */
describe('SQL statements per request', () => {
  let t: TestApp;
  let counting = false;
  let count = 0;
  let sent: string[] = [];
  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => { if (counting) { count += 1; sent.push(e.query); if (process.env.SHOW_SQL) console.log(e.query.slice(0, 120)); } } });
    // Enough history to page through.
    let version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    // The LISTEN bridge reads each new version in the background; wait until
    // it has published the last one so its reads do not land in a count.
    const published = t.app.pubsub.subscribe('configChanged', 'dev')[Symbol.asyncIterator]();
    // The subscription listens from the moment it is made: before writing.
    let next = published.next();
    for (let i = 0; i < 60; i += 1) {
      const response = await t.gql(`mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`, {
        input: { environment: 'dev', expectedVersion: version, reason: `history ${i}`, changes: [{ name: 'CVN_ATR_PERIOD', value: String(10 + (i % 20)) }] },
      }, i % 2 ? 'editor' : 'approver');
      version = expectData(response).updateConfig.version.version;
    }
    for (let event = await next; event.value.version < version; event = await next) next = published.next();
    await published.return?.();
    // The viewer's first sign-in from this address is remembered once by the
    // sign-in throttle (a write that later sign-ins do not repeat): keep it out of the counts.
    expectData(await t.gql('{ __typename }', {}, 'viewer'));
  });
  afterAll(() => t.close());

  async function statements(query: string, variables: Record<string, unknown>): Promise<number> {
    count = 0;
    counting = true;
    try {
      expectData(await t.gql(query, variables, 'viewer'));
    } finally {
      counting = false;
    }
    return count;
  }

  it('version history with authors and changes: the same statements for 5 and 50 versions', async () => {
    const query = `query($n: Int!) { environment(name: "dev") { versions(first: $n) { edges { node { version author { username } approver { username } changes { name before after parameter { name critical } } } } } } }`;
    const few = await statements(query, { n: 5 });
    const many = await statements(query, { n: 50 });
    expect(many).toBe(few);
    expect(few).toBeLessThanOrEqual(8);
  });

  it('catalog pages: the same statements for 10 and 500 entries', async () => {
    const query = `query($n: Int!) { catalog(first: $n) { totalCount edges { node { name type group replacement { name } } } } }`;
    const few = await statements(query, { n: 10 });
    const many = await statements(query, { n: 500 });
    expect(many).toBe(few);
  });

  it('typed values of every parameter of every environment: a fixed number of statements', async () => {
    const query = `{ environments { name values { name value typed entry { type critical hotReloadable } } } }`;
    // The first read of a version's values reads them from the database; from then on they are in memory.
    const cold = await statements(query, {});
    const all = await statements(query, {});
    expect(all).toBeLessThan(cold);
    const one = await statements(`{ environments { name values(names: ["CVN_ATR_PERIOD"]) { name typed } } }`, {});
    expect(all).toBe(one);
  });

  it('a one-parameter save from a console session: one statement for the whole write (the session read moments ago is remembered)', async () => {
    const signIn = await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: testPasswords.editor }) });
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const save = async (expectedVersion: number, value: string) => {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({
          query: `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { id version } changeRequest { id status } } }`,
          variables: { input: { environment: 'dev', expectedVersion, reason: 'count', changes: [{ name: 'CVN_ATR_PERIOD', value }] } },
        }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<{ updateConfig: { version: { version: number } } }>, 'status'>;
      return expectData({ status: response.status, ...body }).updateConfig.version.version;
    };
    let version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion as number;
    // The first save of a process reads the snapshot it builds on (and the rules), and its session; the next ones know them.
    version = await save(version, '31');
    const published = t.app.pubsub.subscribe('configChanged', 'dev')[Symbol.asyncIterator]();
    const next = published.next();
    sent = [];
    count = 0;
    counting = true;
    try {
      version = await save(version, '32');
      // The LISTEN bridge's read of the new version is the fan-out's, not the save's.
      for (let event = await next; event.value.version < version;) event = await published.next();
    } finally {
      counting = false;
      await published.return?.();
    }
    const ofTheSave = sent.filter((query) => !query.includes('json_agg(json_build_object(\'name\', c.parameter_name'));
    expect(ofTheSave).toHaveLength(1);
    expect(ofTheSave[0]).toContain('ucp_save_config_version');
  });
});
