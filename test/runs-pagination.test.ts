import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeze } from './support/lineage-fixtures.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The console's runs page over 10,000 runs: the server filters, sorts and
 * pages; a page costs the same statements at the start and deep in the list,
 * and cursors neither skip nor repeat a run.
 */
describe('runs list at 10,000 runs', () => {
  let t: TestApp;
  let counting = false;
  let count = 0;
  const total = 10_000;

  beforeAll(async () => {
    t = await startTestApp({ onQuery: () => { if (counting) count += 1; } });
    const set = await freeze(t, { environment: 'dev' });
    // Bulk history as an import would write it: pinned to dev@1, a mix of kinds and outcomes.
    await t.sql.query(`
      INSERT INTO runs (id, kind, name, parameter_set_hash, environment_id, config_version, started_by, started_at)
      SELECT gen_random_uuid(), (ARRAY['EXPERIMENT','BACKTEST','PAPER','LIVE'])[1 + i % 4]::"RunKind", 'bulk ' || lpad(i::text, 5, '0'),
             $1, e.id, 1, CASE WHEN i % 2 = 0 THEN 'editor' ELSE 'token:orchestrator' END, now() - make_interval(secs => i)
      FROM generate_series(1, ${total}) AS i, environments e WHERE e.name = 'dev'`, [set]);
    await t.sql.query(`UPDATE runs SET status = 'SUCCEEDED', ended_at = started_at + interval '1 minute' WHERE name LIKE 'bulk %' AND right(name, 1) = '7'`);
  });
  afterAll(() => t.close());

  const PAGE = `query ($after: String, $kind: RunKind) {
    runs(first: 100, after: $after, orderBy: NAME_ASC, search: "bulk", kind: $kind) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { name kind status environment { name } configVersion { version } } }
    }
  }`;

  it('pages through every run once, at the same cost per page', async () => {
    const seen: string[] = [];
    const costs: number[] = [];
    let after: string | null = null;
    // The caller's first request also checks its credentials (cached afterwards): not a page's cost.
    expectData(await t.gql('{ __typename }', {}, 'viewer'));
    for (;;) {
      count = 0;
      counting = true;
      const page: any = expectData(await t.gql(PAGE, { after }, 'viewer')).runs;
      counting = false;
      costs.push(count);
      expect(page.totalCount).toBe(total);
      seen.push(...page.edges.map((e: any) => e.node.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(costs).size, `statements per page: ${[...new Set(costs)].join(', ')} (${costs.join(' ')})`).toBe(1);
    console.info(`runs list: ${costs.length} pages of 100 (the page cap) over ${total.toLocaleString('en-US')} runs, ${costs[0]} SQL statements each`);
  });

  it('filters on the server: kind, outcome, started-by', async () => {
    expect(expectData(await t.gql(PAGE, { kind: 'LIVE' }, 'viewer')).runs.totalCount).toBe(total / 4);
    const q = `{ runs(search: "bulk", outcome: SUCCEEDED, startedBy: "token:orchestrator", orderBy: ENDED_AT_DESC, first: 5) { totalCount edges { node { name outcome } } } }`;
    const finished = expectData(await t.gql(q, {}, 'viewer')).runs;
    expect(finished.totalCount).toBe(total / 10);
    expect(finished.edges[0].node).toEqual({ name: 'bulk 00007', outcome: 'SUCCEEDED' });
  });

  it('sorts by every column both ways, and cursors neither skip nor repeat a run (ties broken by id)', async () => {
    const ORDERED = `query ($after: String, $orderBy: RunOrder) {
      runs(first: 7, after: $after, orderBy: $orderBy, search: "bulk 000") { totalCount pageInfo { hasNextPage endCursor } edges { node { id name kind status startedBy } } }
    }`;
    const { data: introspected } = await t.gql(`{ __type(name: "RunOrder") { enumValues { name } } }`, {}, 'viewer') as any;
    const orders: string[] = introspected.__type.enumValues.map((v: any) => v.name);
    expect(orders).toEqual(expect.arrayContaining(['KIND_ASC', 'STATUS_DESC', 'ENVIRONMENT_ASC', 'CONFIG_VERSION_DESC', 'PARAMETER_SET_ASC', 'STARTED_BY_DESC']));
    for (const orderBy of orders.filter((o) => !o.startsWith('ENDED_AT'))) {
      const seen: { id: string; kind: string; startedBy: string }[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = expectData(await t.gql(ORDERED, { after, orderBy }, 'viewer')).runs;
        seen.push(...page.edges.map((e: any) => e.node));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen, orderBy).toHaveLength(99);
      expect(new Set(seen.map((r) => r.id)).size, orderBy).toBe(99);
      const column = orderBy.startsWith('KIND') ? 'kind' : orderBy.startsWith('STARTED_BY') ? 'startedBy' : null;
      if (column) {
        // Kinds sort in the database enum's order (EXPERIMENT, BACKTEST, PAPER, LIVE), names alphabetically.
        const rank = (v: string) => (column === 'kind' ? ['EXPERIMENT', 'BACKTEST', 'PAPER', 'LIVE'].indexOf(v) : v);
        const values = seen.map((r) => r[column]);
        const sorted = [...values].sort((x, y) => (rank(x) < rank(y) ? -1 : rank(x) > rank(y) ? 1 : 0));
        expect(values, orderBy).toEqual(orderBy.endsWith('_ASC') ? sorted : sorted.reverse());
      }
    }
  });
});
