// What one agent's ready() costs the database once the server is warm: a
// fleet of a thousand starts at once on two cores (issue 15), so a statement
// more per agent is a thousand more. Prisma's and the plain driver's
// statements both reach onQuery (server/db/connect-postgres.ts); the two
// left are plain SQL (the environment's read, the registration).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { createRuntimeAgent, type RuntimeAgent } from '../src/index.ts';
import { LOAD } from '../src/wire-documents.ts';
import { within } from './support/wait-for.ts';

const CONSUMES = ['CVN_SIGNAL_THRESHOLD_BUY', 'CVN_CUSUM_ENABLED', 'CVN_RISK_POSITION_SIZING', 'CVN_RSI_PERIOD'] as const;
// A deprecated entry with a replacement (an agent refuses to consume it, but its LOAD must say why).
const DEPRECATED = 'CVN_READY_STATEMENTS_OLD';
const REPLACEMENT = 'CVN_READY_STATEMENTS_NEW';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A statement by what it is for, so a failure names the one that came back. */
function kind(query: string): string {
  if (/^\s*WITH up AS/.test(query)) return 'registration';
  // Prisma's quoted "public"."table", or a plain statement's table (not extract(epoch FROM column)).
  const table = /(?<!epoch )FROM\s+(?:"public"\.)?"?(\w+)"?/.exec(query)?.[1];
  // Plain SQL where it is hot: a model query costs more CPU than its statement.
  const by = /"public"\./.test(query) ? 'Prisma ' : '';
  return table ? `${by}read ${table}` : query.slice(0, 80);
}

describe('statements of one warm agent\'s ready()', () => {
  let t: TestApp;
  let token: string;
  let counting = false;
  let sent: string[] = [];
  const agents: RuntimeAgent[] = [];

  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => { if (counting) sent.push(e.query); } });
    token = expectData(await t.gql(`mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment: 'dev', name: 'ready-statements' } })).createServiceToken.token;
    const create = (name: string) => t.gql(`mutation ($input: CreateCatalogEntryInput!) { createCatalogEntry(input: $input) { name } }`, { input: {
      name, type: 'INT', minValue: 1, maxValue: 100, defaultValue: '10', unit: 'bars', description: 'A test entry.', group: 'Tests', category: 'THRESHOLD', reason: 'ready statements test',
    } });
    expectData(await create(REPLACEMENT));
    expectData(await create(DEPRECATED));
    expectData(await t.gql(`mutation ($input: DeprecateCatalogEntryInput!) { deprecateCatalogEntry(input: $input) { name } }`, { input: { name: DEPRECATED, reason: 'ready statements test', replacementName: REPLACEMENT } }));
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await t.close();
  });

  /** An agent READY with its change stream subscribed on the server. */
  async function ready(consumes: readonly string[], workerName: string): Promise<RuntimeAgent> {
    const agent = createRuntimeAgent({
      url: t.url, token, environment: 'dev', workerName, mode: 'PAPER', consumes, logger: silent,
      // No heartbeat inside the count.
      heartbeatIntervalMs: 600_000, stalenessBudgetMs: 600_000,
    }) as unknown as RuntimeAgent;
    agents.push(agent);
    const subscribed = t.app.pubsub.count('configChanged', 'dev') + 1;
    await agent.ready();
    // ready() resolves before its stream subscribes: the socket's statements are ready()'s too.
    await within((async () => { while (t.app.pubsub.count('configChanged', 'dev') < subscribed) await new Promise((r) => setImmediate(r)); })(), 10_000, 'the change stream');
    return agent;
  }

  it('reads the environment and registers, in plain SQL: the catalog entries, their replacements and the registered worker come from memory', async () => {
    // The first of a process reads the catalog, the version's values and the token.
    await ready(CONSUMES.slice(0, 1), 'warm-0');
    await ready(CONSUMES.slice(1), 'warm-1');
    sent = [];
    counting = true;
    try {
      await ready(CONSUMES, 'counted');
    } finally {
      counting = false;
    }
    expect(sent.map(kind)).toEqual(['read environments', 'registration']);
  });

  it('answers a deprecated entry\'s replacement from memory too, and any other relation selected as the catalog has it', async () => {
    const load = async () => expectData(await t.gql(LOAD, { environment: 'dev', names: [DEPRECATED, REPLACEMENT] }, { token })).environment.values.map((v: { entry: unknown }) => v.entry);
    await load();
    sent = [];
    counting = true;
    let entries: unknown;
    try {
      entries = await load();
    } finally {
      counting = false;
    }
    expect(sent.map(kind)).toEqual(['read environments']);
    expect(entries).toMatchObject([
      { name: REPLACEMENT, deprecated: false, replacement: null },
      { name: DEPRECATED, deprecated: true, replacement: { name: REPLACEMENT } },
    ]);
    // Deeper than the snapshot carries: plugin-prisma reads it, as before.
    const deep = `query($names: [String!]) { environment(name: "dev") { values(names: $names) { name entry {
      name deprecated replacement { name deprecated replacement { name } history { action } } history { action }
    } } } }`;
    expect(expectData(await t.gql(deep, { names: [DEPRECATED, REPLACEMENT] }, { token })).environment.values).toEqual([
      { name: REPLACEMENT, entry: { name: REPLACEMENT, deprecated: false, replacement: null, history: [{ action: 'created' }] } },
      { name: DEPRECATED, entry: {
        name: DEPRECATED, deprecated: true,
        replacement: { name: REPLACEMENT, deprecated: false, replacement: null, history: [{ action: 'created' }] },
        history: [{ action: 'deprecated' }, { action: 'created' }],
      } },
    ]);
  });
});
