import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * A worker's load reads the catalog from memory while catalog changes are
 * heard (catalog-cache.ts `read`): a fleet starting together then costs no
 * statement each for it. A change still shows on the next load: this
 * process's own at once, another replica's within a notification's delay.
 */
const LOAD = `query($names: [String!]) { environment(name: "dev") { values(names: $names) { name entry { name } } } }`;
const CREATE = `mutation ($input: CreateCatalogEntryInput!) { createCatalogEntry(input: $input) { name } }`;
const isRevisionRead = (query: string) => query.includes('FROM variable_catalog_history');

describe('the catalog of a read while LISTEN is up', () => {
  let t: TestApp;
  let revisionReads = 0;
  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => { if (isRevisionRead(e.query)) revisionReads += 1; } });
  });
  afterAll(() => t.close());

  const load = async (names: string[]) => expectData(await t.gql(LOAD, { names }, 'viewer')).environment.values as { name: string; entry: { name: string } | null }[];

  it('costs no revision read once loaded, and shows a new entry on the next load', async () => {
    await load(['CVN_ATR_PERIOD']);
    const before = revisionReads;
    for (let i = 0; i < 5; i += 1) expect((await load(['CVN_ATR_PERIOD']))[0]!.entry).toEqual({ name: 'CVN_ATR_PERIOD' });
    expect(revisionReads).toBe(before);
    expect(await load(['CVN_READ_WHILE_LISTENING'])).toEqual([]);
    expectData(await t.gql(CREATE, { input: {
      name: 'CVN_READ_WHILE_LISTENING', type: 'INT', minValue: 1, maxValue: 100, defaultValue: '10', unit: 'bars',
      description: 'A test entry.', group: 'Tests', category: 'THRESHOLD', reason: 'catalog read test',
    } }, 'admin'));
    expect(await load(['CVN_READ_WHILE_LISTENING'])).toEqual([{ name: 'CVN_READ_WHILE_LISTENING', entry: { name: 'CVN_READ_WHILE_LISTENING' } }]);
  });
});
