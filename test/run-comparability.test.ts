import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeA, codeB, factor, freeze, save, startRun } from './support/lineage-fixtures.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

// The comparability rules of docs/comparability.md, computed by the server.

const COMPARE = `query ($a: ID!, $b: ID!) {
  compareRuns(a: $a, b: $b) {
    verdict
    reasons { code verdict parameter field before after message }
    parameterSets { values { name before after } catalog { name field before after } factors { key before after } codeVersion { key before after } }
  }
}`;

describe('comparability of two runs', () => {
  let t: TestApp;
  let baseSet: string;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    baseSet = await freeze(t, { environment: 'dev' });
    base = await startRun(t, { name: 'baseline', parameterSetHash: baseSet });
  });
  afterAll(() => t.close());

  const compare = async (a: string, b: string) => expectData(await t.gql(COMPARE, { a, b }, 'viewer')).compareRuns;
  const codes = (c: { reasons: { code: string }[] }) => c.reasons.map((r) => r.code);

  it('STRICT: the same parameter set, whatever the environment or kind', async () => {
    const other = await startRun(t, { kind: 'PAPER', name: 'staging paper', parameterSetHash: baseSet, environment: 'staging' });
    const c = await compare(base, other);
    expect(c.verdict).toBe('STRICT');
    expect(codes(c)).toEqual(['SAME_PARAMETER_SET']);
    expect(c.parameterSets).toEqual({ values: [], catalog: [], factors: [], codeVersion: [] });
  });

  it('RELAXED: same code and catalog, values differing only in declared factors', async () => {
    const trial = await startRun(t, { name: 'rsi 21', parameterSetHash: await freeze(t, { environment: 'dev', experimentalFactors: [factor('CVN_RSI_PERIOD', '21')] }) });
    const c = await compare(base, trial);
    expect(c.verdict).toBe('RELAXED');
    expect(c.reasons).toEqual([expect.objectContaining({ code: 'FACTOR_DIFFERS', verdict: 'RELAXED', parameter: 'CVN_RSI_PERIOD', before: '14', after: '21' })]);
    expect(c.parameterSets.factors).toEqual([{ key: 'CVN_RSI_PERIOD', before: null, after: '21' }]);

    // Two trials of one sweep: both declare the factor.
    const other = await startRun(t, { name: 'rsi 28', parameterSetHash: await freeze(t, { environment: 'dev', experimentalFactors: [factor('CVN_RSI_PERIOD', '28')] }) });
    expect((await compare(trial, other)).verdict).toBe('RELAXED');
  });

  it('FORBIDDEN: different code (commit or a package)', async () => {
    const commit = await startRun(t, { name: 'new commit', parameterSetHash: await freeze(t, { environment: 'dev', code: codeB }) });
    const c = await compare(base, commit);
    expect(c.verdict).toBe('FORBIDDEN');
    expect(c.reasons).toEqual([expect.objectContaining({ code: 'CODE_VERSION_DIFFERS', field: 'commit', before: codeA.commit, after: codeB.commit })]);

    const bumped = { ...codeA, packages: [{ name: 'xgboost', version: '2.1.0' }, { name: 'cvntrade', version: '4.2.0' }] };
    const pkg = await startRun(t, { name: 'xgboost bump', parameterSetHash: await freeze(t, { environment: 'dev', code: bumped }) });
    expect((await compare(base, pkg)).reasons).toEqual([expect.objectContaining({ code: 'CODE_VERSION_DIFFERS', field: 'packages.xgboost', before: '2.0.3', after: '2.1.0' })]);
  });

  it('FORBIDDEN: a value differing outside the declared factors (ceteris paribus broken)', async () => {
    const v2 = await save(t, 'dev', { CVN_ATR_PERIOD: '21' }, 'longer ATR for the comparability test');
    const moved = await startRun(t, { name: 'atr 21 by save', parameterSetHash: await freeze(t, { environment: 'dev', version: v2 }) });
    const c = await compare(base, moved);
    expect(c.verdict).toBe('FORBIDDEN');
    expect(c.reasons).toEqual([expect.objectContaining({ code: 'VALUE_DIFFERS_OUTSIDE_FACTORS', parameter: 'CVN_ATR_PERIOD', before: '14', after: '21' })]);

    // The same effective value as a factor on version 1: RELAXED against the save, and named.
    const asFactor = await startRun(t, { name: 'atr 21 as factor', parameterSetHash: await freeze(t, { environment: 'dev', version: 1, experimentalFactors: [factor('CVN_ATR_PERIOD', '21')] }) });
    const same = await compare(moved, asFactor);
    expect(same.verdict).toBe('RELAXED');
    expect(codes(same)).toEqual(['FACTOR_DIFFERS']);
  });

  it('FORBIDDEN: a legacy run, even on the same set', async () => {
    const { rows } = await t.sql.query<{ id: string }>(
      `INSERT INTO runs (id, kind, name, parameter_set_hash, legacy, status, started_at, ended_at, started_by)
       VALUES (gen_random_uuid(), 'EXPERIMENT', 'imported ftf run', $1, true, 'SUCCEEDED', now() - interval '1 day', now(), 'import') RETURNING id`, [baseSet]);
    const c = await compare(base, rows[0]!.id);
    expect(c.verdict).toBe('FORBIDDEN');
    expect(codes(c)).toEqual(['LEGACY_RUN', 'SAME_PARAMETER_SET']);
  });

  it('answers from a run\'s page too (Run.comparisonWith)', async () => {
    const other = await startRun(t, { name: 'seed 7', parameterSetHash: await freeze(t, { environment: 'dev', version: 1, experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '7')] }) });
    const page = expectData(await t.gql(`query ($id: ID!, $other: ID!) { run(id: $id) { name comparisonWith(run: $other) { a { name } b { name } verdict } } }`, { id: base, other }, 'viewer')).run;
    expect(page).toEqual({ name: 'baseline', comparisonWith: { a: { name: 'baseline' }, b: { name: 'seed 7' }, verdict: 'RELAXED' } });
  });
  it('FORBIDDEN: a catalog definition change of a parameter they use; documentation edits do not count', async () => {
    const entry = expectData(await t.gql(`{ catalogEntry(name: "CVN_ATR_PERIOD") { revision } }`)).catalogEntry;
    const update = (input: Record<string, unknown>) => t.gql(`mutation ($input: UpdateCatalogEntryInput!) { updateCatalogEntry(input: $input) { revision } }`, { input: { name: 'CVN_ATR_PERIOD', reason: 'test', ...input } }, 'admin');
    const described = expectData(await update({ expectedRevision: entry.revision, description: 'Wilder ATR period (reworded).' })).updateCatalogEntry;
    expect(await freeze(t, { environment: 'dev', version: 1 })).toBe(baseSet);

    expectData(await update({ expectedRevision: described.revision, maxValue: 300 }));
    const wider = await startRun(t, { name: 'after widening', parameterSetHash: await freeze(t, { environment: 'dev', version: 1 }) });
    const c = await compare(base, wider);
    expect(c.verdict).toBe('FORBIDDEN');
    expect(c.reasons).toEqual([expect.objectContaining({ code: 'CATALOG_DEFINITION_DIFFERS', parameter: 'CVN_ATR_PERIOD', field: 'maxValue', before: 200, after: 300 })]);
  });
});
