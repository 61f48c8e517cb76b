import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLineageScenario, lineageRecipes, type LineageScenario } from './support/lineage-scenario.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The analysts' one-request lineage (schema/LINEAGE.md, RunLineage) makes
 * the same number of SQL statements whether 1 or 20 runs share the set and
 * whether the config version changed 1 or 20 parameters: relations fold into
 * one query per level, the comparison reads both runs with their sets, and
 * the catalog comes from its cache.
 */
describe('SQL statements of the lineage query', () => {
  let t: TestApp;
  let counting = false;
  let count = 0;
  const scenarios: Record<string, LineageScenario> = {};
  const lineage = lineageRecipes().find((r) => r.name === 'RunLineage')!;

  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => { if (counting) { count += 1; if (process.env.SHOW_SQL) console.log(e.query.slice(0, 160)); } } });
    // The LISTEN bridge reads each new version in the background; wait until
    // it has published the last one so its reads do not land in a count.
    const published = t.app.pubsub.subscribe('configChanged', 'dev')[Symbol.asyncIterator]();
    let next = published.next();
    scenarios.small = await buildLineageScenario(t, { sharingRuns: 1, changes: 1, round: 1 });
    scenarios.manyRuns = await buildLineageScenario(t, { sharingRuns: 20, changes: 1, round: 2 });
    scenarios.manyChanges = await buildLineageScenario(t, { sharingRuns: 1, changes: 20, round: 3 });
    for (let event = await next; event.value.version < scenarios.manyChanges.version; event = await next) next = published.next();
    await published.return?.();
  });
  afterAll(() => t.close());

  async function statements(scenario: LineageScenario): Promise<{ count: number; data: any }> {
    // Warm the catalog cache outside the count, as a running server has it.
    expectData(await t.gql(lineage.query, { run: scenario.run, other: scenario.other }, 'viewer'));
    count = 0;
    counting = true;
    try {
      const data = expectData(await t.gql(lineage.query, { run: scenario.run, other: scenario.other }, 'viewer'));
      return { count, data };
    } finally {
      counting = false;
    }
  }

  it('is the same for 1 and 20 runs sharing the set, and for 1 and 20 changes', async () => {
    const small = await statements(scenarios.small!);
    const manyRuns = await statements(scenarios.manyRuns!);
    const manyChanges = await statements(scenarios.manyChanges!);
    // The scenarios are what they claim to be.
    expect(small.data.run.parameterSet.runs.totalCount).toBe(1);
    expect(manyRuns.data.run.parameterSet.runs.totalCount).toBe(20);
    expect(manyRuns.data.run.parameterSet.runs.edges).toHaveLength(20);
    expect(small.data.run.configVersion.changes).toHaveLength(1);
    expect(manyChanges.data.run.configVersion.changes).toHaveLength(20);

    expect(manyRuns.count).toBe(small.count);
    expect(manyChanges.count).toBe(small.count);
    console.info(`lineage query: ${small.count} SQL statements (1 run / 1 change), ${manyRuns.count} (20 runs), ${manyChanges.count} (20 changes)`);
    expect(small.count).toBeLessThanOrEqual(14);
  });
});
