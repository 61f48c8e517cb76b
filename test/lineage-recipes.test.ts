import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, freeze, startRun } from './support/lineage-fixtures.ts';
import { buildLineageScenario, lineageRecipes, type LineageScenario } from './support/lineage-scenario.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

// schema/LINEAGE.md's recipes cannot rot: each fenced graphql block runs here
// against a seeded history, with the variables its text declares.

describe('schema/LINEAGE.md recipes', () => {
  let t: TestApp;
  let scenario: LineageScenario;
  let session: string;
  const recipes = lineageRecipes();
  const since = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp();
    scenario = await buildLineageScenario(t, { sharingRuns: 3, changes: 3, round: 0 });
    // A refused change request (recipe 5) and a paper session with an epoch (recipe 2).
    const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
    const request = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { changeRequest { id revision } } }`, {
      input: { environment: 'dev', expectedVersion: activeVersion, submitForApproval: true, reason: 'Double the position size', changes: [{ name: 'CVN_RISK_MAX_POSITION_USDC', value: '2000.0' }] },
    }, 'editor')).updateConfig.changeRequest;
    expectData(await t.gql(`mutation ($input: ReviewChangeRequestInput!) { rejectChangeRequest(input: $input) { id } }`, {
      input: { id: request.id, revision: request.revision, comment: 'Not before the quarter closes' },
    }, 'approver'));
    const token = await createToken(t, 'dev', 'paper-agent');
    const sessionSet = await freeze(t, { environment: 'dev', version: scenario.version }, { token });
    session = await startRun(t, { kind: 'PAPER', name: 'paper session recipes', parameterSetHash: sessionSet }, { token });
    expectData(await t.gql(`mutation ($input: RecordSessionEpochInput!) { recordSessionEpoch(input: $input) { id } }`, {
      input: { run: session, configVersion: scenario.version, parameterSetHash: sessionSet, appliedAt: new Date().toISOString() },
    }, { token }));
  });
  afterAll(() => t.close());

  it('has five or six named recipes', () => {
    expect(recipes.length).toBeGreaterThanOrEqual(5);
    expect(recipes.length).toBeLessThanOrEqual(6);
    expect(recipes.every((r) => r.name !== '')).toBe(true);
  });

  it.each(lineageRecipes().map((r) => [r.name, r] as const))('%s runs as written', async (_name, recipe) => {
    const values: Record<string, unknown> = {
      run: scenario.run,
      other: scenario.other,
      hash: scenario.hash,
      name: recipe.name === 'RunByName' ? 'paper session recipes' : scenario.name,
      environment: 'dev',
      parameter: 'CVN_RISK_MAX_POSITION_USDC',
      version: scenario.version,
      since,
    };
    const unknown = recipe.variables.filter((v) => !(v in values));
    expect(unknown, 'variables the test does not know how to fill').toEqual([]);
    const data = expectData(await t.gql(recipe.query, Object.fromEntries(recipe.variables.map((v) => [v, values[v]])), 'viewer'));

    switch (recipe.name) {
      case 'RunLineage': {
        const run = data.run;
        expect(run.parameterSet.runs.totalCount).toBe(3);
        expect(run.configVersion).toMatchObject({ version: scenario.version, approvalComment: 'Agreed at the risk meeting', author: { username: 'editor' }, approver: { username: 'approver' } });
        expect(run.configVersion.changes.map((c: { name: string }) => c.name)).toContain('CVN_RISK_MAX_POSITION_USDC');
        expect(run.parameterSet.code.commit).toMatch(/^[0-9a-f]{40}$/);
        expect(run.comparisonWith.verdict).toBe('FORBIDDEN');
        expect(run.comparisonWith.reasons.map((r: { code: string }) => r.code)).toContain('VALUE_DIFFERS_OUTSIDE_FACTORS');
        break;
      }
      case 'RunByName':
        expect(data.run.kind).toBe('PAPER');
        expect(data.run.epochs.totalCount).toBe(1);
        expect(data.run.parameterSet.valueGroups.find((g: { name: string }) => g.name === 'Risk').values.length).toBeGreaterThan(0);
        break;
      case 'RunsSharingASet':
        expect(data.runs.totalCount).toBe(3);
        break;
      case 'CompareTwoRuns':
        expect(data.compareRuns.verdict).toBe('FORBIDDEN');
        break;
      case 'ParameterHistory':
        expect(data.changes.edges.map((e: { node: { action: string } }) => e.node.action)).toContain('config_change_approved');
        expect(data.refused.edges[0].node).toMatchObject({ actor: 'approver', reason: 'Not before the quarter closes' });
        break;
      case 'RunsUnderAVersion':
        expect(data.runs.totalCount).toBeGreaterThanOrEqual(3);
        expect(data.environment.version.approver.username).toBe('approver');
        break;
      default:
        expect(Object.keys(data).length).toBeGreaterThan(0);
    }
  });
});
