import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, factor, finishRun, freeze, save, startRun } from './support/lineage-fixtures.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const RUN = `query ($id: ID, $name: String) {
  run(id: $id, name: $name) {
    id kind name status legacy startedBy outcome outcomeMessage outputDigest endedAt metadata
    environment { name } configVersion { version reason author { username } }
    parameterSet { hash environment { name } configVersion }
    rerunOf { id }
  }
}`;
const UPDATE = `mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id status outcome } }`;
const RERUN = `mutation ($input: RerunRunInput!) { rerunRun(input: $input) { id kind name environment { name } configVersion { version } parameterSet { hash } metadata rerunOf { id } startedBy } }`;
const EPOCH = `mutation ($input: RecordSessionEpochInput!) { recordSessionEpoch(input: $input) { id version appliedAt parameterSetHash recordedBy worker { name } } }`;

describe('runs of every kind', () => {
  let t: TestApp;
  let devToken: string;
  let prodToken: string;
  let baseSet: string;

  beforeAll(async () => {
    t = await startTestApp();
    devToken = await createToken(t, 'dev', 'orchestrator');
    prodToken = await createToken(t, 'prod', 'live-agent');
    baseSet = await freeze(t, { environment: 'dev' });
  });
  afterAll(() => t.close());

  const run = async (variables: Record<string, unknown>, as: Parameters<TestApp['gql']>[2] = 'viewer') => expectData(await t.gql(RUN, variables, as)).run;

  describe('pinning', () => {
    it('records the run\'s own environment and version, not its set\'s first ones', async () => {
      // staging@1 holds the seed values, like dev@1: freezing it gives dev's set back.
      const reused = expectData(await t.gql(`mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { created version { version environment { name } } parameterSet { hash environment { name } } } }`, {
        input: { environment: 'staging', code: { commit: 'a1'.repeat(20), packages: [{ name: 'xgboost', version: '2.0.3' }, { name: 'cvntrade', version: '4.2.0' }] } },
      })).createParameterSet;
      expect(reused).toMatchObject({ created: false, version: { version: 1, environment: { name: 'staging' } }, parameterSet: { hash: baseSet, environment: { name: 'dev' } } });

      const id = await startRun(t, { kind: 'PAPER', name: 'staging paper', parameterSetHash: baseSet, environment: 'staging' });
      expect(await run({ id })).toMatchObject({
        kind: 'PAPER', environment: { name: 'staging' }, configVersion: { version: 1, reason: 'Initial values: the catalog defaults', author: { username: 'admin' } },
        parameterSet: { environment: { name: 'dev' }, configVersion: 1 }, legacy: false, startedBy: 'editor', outcome: null,
      });
    });

    it('refuses a version that does not hold the set\'s values, and defaults to the set\'s own', async () => {
      const v2 = await save(t, 'dev', { CVN_ATR_PERIOD: '21' }, 'longer ATR for the pinning test');
      const refused = await t.gql(`mutation ($input: CreateRunInput!) { createRun(input: $input) { id } }`, {
        input: { kind: 'BACKTEST', name: 'wrong version', parameterSetHash: baseSet, environment: 'dev', configVersion: v2 },
      });
      expect(errorCode(refused)).toBe('BAD_REQUEST');
      expect(refused.errors![0]!.message).toMatch(/does not hold the values of version/);
      // Without a version: the one the set was frozen from (dev@1), not the active one.
      const id = await startRun(t, { kind: 'BACKTEST', name: 'default version', parameterSetHash: baseSet });
      expect((await run({ id })).configVersion.version).toBe(1);
    });

    it('starts experiments, backtests, paper and live sessions, each naming who started it', async () => {
      for (const [kind, as, startedBy] of [['EXPERIMENT', 'editor', 'editor'], ['BACKTEST', { token: devToken }, 'token:orchestrator'], ['PAPER', 'approver', 'approver'], ['LIVE', 'admin', 'admin']] as const) {
        const id = await startRun(t, { kind, name: `${kind.toLowerCase()} on base`, parameterSetHash: baseSet, environment: 'dev', configVersion: 1 }, as);
        expect(await run({ id })).toMatchObject({ kind, status: 'PENDING', startedBy, environment: { name: 'dev' } });
      }
      expect(errorCode(await t.gql(`mutation { createRun(input: { kind: LIVE, name: "x", parameterSetHash: "${baseSet}" }) { id } }`, {}, 'viewer'))).toBe('FORBIDDEN');
    });
  });

  describe('service tokens stay in their environment', () => {
    let devRun: string;
    beforeAll(async () => { devRun = await startRun(t, { name: 'dev only', parameterSetHash: baseSet }, { token: devToken }); });

    it('a dev token cannot start a prod run; a prod token cannot read, list, update or compare dev runs', async () => {
      const startInProd = await t.gql(`mutation ($input: CreateRunInput!) { createRun(input: $input) { id } }`, {
        input: { kind: 'LIVE', name: 'sneaky', parameterSetHash: baseSet, environment: 'prod' },
      }, { token: devToken });
      expect(errorCode(startInProd)).toBe('FORBIDDEN');
      // Another environment's run is absent to a token (issue 9's confinement), not FORBIDDEN.
      expect(await run({ id: devRun }, { token: prodToken })).toBeNull();
      expect(await run({ name: 'dev only' }, { token: prodToken })).toBeNull();
      const listed = expectData(await t.gql(`query ($hash: String!) { runs { totalCount } parameterSet(hash: $hash) { runs { totalCount } } }`, { hash: baseSet }, { token: prodToken }));
      // The set was frozen by dev only: absent to a prod token, like dev's runs.
      expect(listed).toEqual({ runs: { totalCount: 0 }, parameterSet: null });
      expect(errorCode(await t.gql(UPDATE, { input: { id: devRun, status: 'CANCELLED' } }, { token: prodToken }))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(`query ($a: ID!) { compareRuns(a: $a, b: $a) { verdict } }`, { a: devRun }, { token: prodToken }))).toBe('NOT_FOUND');
      expect(expectData(await t.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: devRun }, { token: prodToken })).node).toBeNull();
      // The dev token reads its own.
      expect((await run({ id: devRun }, { token: devToken })).name).toBe('dev only');
    });
  });

  describe('status and outcome', () => {
    it('moves forward, records the outcome once with the terminal status, and never changes after', async () => {
      const id = await startRun(t, { kind: 'BACKTEST', name: 'backtest with digest', parameterSetHash: baseSet }, { token: devToken });
      const digest = `sha256:${'9f'.repeat(32)}`;
      expect(errorCode(await t.gql(UPDATE, { input: { id, status: 'RUNNING', outputDigest: digest } }, { token: devToken }))).toBe('BAD_REQUEST');
      expectData(await t.gql(UPDATE, { input: { id, status: 'RUNNING' } }, { token: devToken }));
      expect(errorCode(await t.gql(UPDATE, { input: { id, status: 'SUCCEEDED', outputDigest: 'md5 of something' } }, { token: devToken }))).toBe('BAD_REQUEST');
      await finishRun(t, id, 'SUCCEEDED', { outputDigest: digest, outcomeMessage: 'all folds done' }, { token: devToken });
      expect(await run({ id })).toMatchObject({ status: 'SUCCEEDED', outcome: 'SUCCEEDED', outputDigest: digest, outcomeMessage: 'all folds done' });
      expect(errorCode(await t.gql(UPDATE, { input: { id, status: 'FAILED' } }, { token: devToken }))).toBe('CONFLICT');
      const audit = expectData(await t.gql(`query ($id: String!) { auditEvents(subject: $id) { edges { node { action actor details } } } }`, { id })).auditEvents.edges.map((e: any) => e.node);
      expect(audit.map((e: any) => e.action)).toEqual(['run_status_changed', 'run_status_changed', 'run_registered']);
      expect(audit[0]).toMatchObject({ actor: 'token:orchestrator', details: { from: 'RUNNING', to: 'SUCCEEDED', outputDigest: digest } });
    });
  });

  describe('re-run identical', () => {
    it('starts a new run on the same set, environment version and metadata (editors and above, audited)', async () => {
      const original = await startRun(t, { kind: 'EXPERIMENT', name: 'ftf defi_top5', parameterSetHash: baseSet, environment: 'staging', metadata: { cryptos: ['BTC', 'ETH'], folds: 5 } });
      expect(errorCode(await t.gql(RERUN, { input: { run: original } }, 'viewer'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(RERUN, { input: { run: original } }, { token: devToken }))).toBe('FORBIDDEN');
      const again = expectData(await t.gql(RERUN, { input: { run: original } }, 'editor')).rerunRun;
      expect(again).toMatchObject({
        kind: 'EXPERIMENT', name: 'ftf defi_top5', environment: { name: 'staging' }, configVersion: { version: 1 },
        parameterSet: { hash: baseSet }, metadata: { cryptos: ['BTC', 'ETH'], folds: 5 }, rerunOf: { id: original }, startedBy: 'editor',
      });
      expect(again.id).not.toBe(original);
      const reruns = expectData(await t.gql(`query ($id: ID!) { runs(rerunOf: $id) { totalCount edges { node { id } } } }`, { id: original })).runs;
      expect(reruns).toEqual({ totalCount: 1, edges: [{ node: { id: again.id } }] });
      const audit = expectData(await t.gql(`query ($id: String!) { auditEvents(subject: $id, action: ["run_registered"]) { edges { node { actor details } } } }`, { id: again.id })).auditEvents.edges;
      expect(audit[0].node).toMatchObject({ actor: 'editor', details: { rerunOf: decodeGlobalID(original).id, parameterSetHash: baseSet } });
    });
  });

  describe('session epochs', () => {
    it('records the versions a session applied, in order, bound to its worker; retries are answered with the recorded epoch', async () => {
      const worker = expectData(await t.gql(`mutation { registerWorker(input: { name: "paper-7", mode: PAPER, consumes: ["CVN_ATR_PERIOD"] }) { id } }`, {}, { token: devToken })).registerWorker.id;
      const session = await startRun(t, { kind: 'PAPER', name: 'paper session 7', parameterSetHash: baseSet }, { token: devToken });
      const startedAt = Date.now();
      const first = { run: session, configVersion: 1, parameterSetHash: baseSet, appliedAt: new Date(startedAt + 10).toISOString(), worker };
      const e1 = expectData(await t.gql(EPOCH, { input: first }, { token: devToken })).recordSessionEpoch;
      expect(e1).toMatchObject({ version: 1, parameterSetHash: baseSet, recordedBy: 'token:orchestrator', worker: { name: 'paper-7' } });
      expect(expectData(await t.gql(EPOCH, { input: first }, { token: devToken })).recordSessionEpoch.id).toBe(e1.id);

      // The environment moves on; the agent freezes what it applies and records it.
      const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
      const nextSet = await freeze(t, { environment: 'dev' }, { token: devToken });
      const second = { ...first, configVersion: activeVersion, parameterSetHash: nextSet, appliedAt: new Date(startedAt + 20).toISOString() };
      expectData(await t.gql(EPOCH, { input: second }, { token: devToken }));
      expect(errorCode(await t.gql(EPOCH, { input: { ...second, appliedAt: new Date(startedAt + 15).toISOString() } }, { token: devToken }))).toBe('BAD_REQUEST');
      expect(errorCode(await t.gql(EPOCH, { input: { ...second, parameterSetHash: baseSet, appliedAt: new Date(startedAt + 30).toISOString() } }, { token: devToken }))).toBe('BAD_REQUEST');
      expect(errorCode(await t.gql(EPOCH, { input: second }, 'admin'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(EPOCH, { input: second }, { token: prodToken }))).toBe('FORBIDDEN');

      const epochs = expectData(await t.gql(`query ($id: ID!) { run(id: $id) { epochs { totalCount edges { node { version parameterSet { hash } configVersion { version author { username } } } } } } }`, { id: session })).run.epochs;
      expect(epochs.totalCount).toBe(2);
      expect(epochs.edges.map((e: any) => [e.node.version, e.node.parameterSet.hash])).toEqual([[1, baseSet], [activeVersion, nextSet]]);
      expect(epochs.edges[1].node.configVersion.author.username).toBe('editor');

      const backtest = await startRun(t, { kind: 'BACKTEST', name: 'no epochs here', parameterSetHash: baseSet }, { token: devToken });
      expect(errorCode(await t.gql(EPOCH, { input: { ...first, run: backtest } }, { token: devToken }))).toBe('BAD_REQUEST');
      await finishRun(t, session, 'CANCELLED', {}, { token: devToken });
      expect(errorCode(await t.gql(EPOCH, { input: { ...second, appliedAt: new Date().toISOString() } }, { token: devToken }))).toBe('CONFLICT');
    });
  });

  describe('finding runs', () => {
    let names: string[];
    beforeAll(async () => {
      names = ['list a', 'list b', 'list c', 'list d', 'list e'];
      for (const name of names) await startRun(t, { kind: 'BACKTEST', name, parameterSetHash: baseSet, environment: 'staging', metadata: { batch: 'list' } });
    });

    it('finds one run by id or by name (the newest of that name)', async () => {
      const first = await startRun(t, { name: 'same name', parameterSetHash: baseSet });
      const second = await startRun(t, { name: 'same name', parameterSetHash: baseSet, environment: 'staging' });
      expect((await run({ name: 'same name' })).id).not.toBe(first);
      expect((await run({ name: 'same name' })).id).toBe(second);
      expect(await run({ id: '00000000-0000-0000-0000-000000000000' })).toBeNull();
      expect(errorCode(await t.gql(RUN, {}))).toBe('BAD_REQUEST');
      expect(errorCode(await t.gql(RUN, { id: first, name: 'same name' }))).toBe('BAD_REQUEST');
    });

    it('filters, searches, sorts and pages on the server', async () => {
      const q = `query ($first: Int, $after: String, $search: String, $environment: String, $kind: RunKind, $orderBy: RunOrder, $startedBy: String, $finished: Boolean, $configVersion: Int, $outcome: RunOutcome) {
        runs(first: $first, after: $after, search: $search, environment: $environment, kind: $kind, orderBy: $orderBy, startedBy: $startedBy, finished: $finished, configVersion: $configVersion, outcome: $outcome) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { name environment { name } } }
        }
      }`;
      const list = async (variables: Record<string, unknown>) => expectData(await t.gql(q, variables)).runs;
      const page1 = await list({ search: 'LIST', orderBy: 'NAME_ASC', first: 2 });
      expect(page1.totalCount).toBe(5);
      expect(page1.edges.map((e: any) => e.node.name)).toEqual(['list a', 'list b']);
      const page2 = await list({ search: 'list', orderBy: 'NAME_ASC', first: 2, after: page1.pageInfo.endCursor });
      expect(page2.edges.map((e: any) => e.node.name)).toEqual(['list c', 'list d']);
      expect((await list({ search: 'list', orderBy: 'NAME_DESC', first: 1 })).edges[0].node.name).toBe('list e');
      expect((await list({ search: baseSet.slice(0, 10) })).totalCount).toBeGreaterThan(5);
      expect((await list({ environment: 'staging', kind: 'BACKTEST', configVersion: 1, search: 'list' })).totalCount).toBe(5);
      expect((await list({ startedBy: 'token:orchestrator', outcome: 'SUCCEEDED' })).edges.map((e: any) => e.node.name)).toEqual(['backtest with digest']);
      expect((await list({ finished: true, orderBy: 'ENDED_AT_DESC' })).edges.every((e: any) => e.node.name)).toBe(true);
      expect((await list({ finished: false, search: 'list' })).totalCount).toBe(5);
    });
  });

  describe('the audit trail', () => {
    it('filters on environment, parameter, actor, action and time; a token reads its own environment\'s only', async () => {
      const since = new Date(Date.now() - 1000).toISOString();
      const v = await save(t, 'dev', { CVN_RSI_PERIOD: '21' }, 'faster RSI for the audit test');
      const q = `query ($environment: String, $parameter: String, $actor: String, $action: [String!], $since: DateTime) {
        auditEvents(environment: $environment, parameter: $parameter, actor: $actor, action: $action, since: $since) {
          totalCount edges { node { action actor environment { name } parameter configVersion reason details } }
        }
      }`;
      const saved = expectData(await t.gql(q, { environment: 'dev', parameter: 'CVN_RSI_PERIOD', actor: 'editor', action: ['config_change_saved'], since }, 'viewer')).auditEvents;
      expect(saved.edges).toEqual([{ node: { action: 'config_change_saved', actor: 'editor', environment: { name: 'dev' }, parameter: 'CVN_RSI_PERIOD', configVersion: v, reason: 'faster RSI for the audit test', details: expect.objectContaining({ before: '14', after: '21' }) } }]);
      // Operators read every environment's trail; a token its own only (not the prod token's creation).
      expect(expectData(await t.gql(q, { action: ['service_token_created'] }, 'viewer')).auditEvents.totalCount).toBe(2);
      expect(expectData(await t.gql(q, { action: ['service_token_created'] }, { token: devToken })).auditEvents.totalCount).toBe(1);
      expect(expectData(await t.gql(q, { environment: 'prod' }, { token: devToken })).auditEvents.totalCount).toBe(0);
      expect(expectData(await t.gql(q, { environment: 'dev', action: ['config_change_saved'] }, { token: devToken })).auditEvents.totalCount).toBeGreaterThan(0);
      expect(errorCode(await t.gql(q, {}, null))).toBe('UNAUTHENTICATED');
    });
  });

  it('keeps the factor of an experiment beside the version it ran under', async () => {
    const set = await freeze(t, { environment: 'dev', version: 1, experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '5')] });
    const id = await startRun(t, { name: 'seed 5', parameterSetHash: set });
    const r = expectData(await t.gql(`query ($id: ID!) { run(id: $id) { configVersion { version } parameterSet { experimentalFactors { name variant baseValue } } } }`, { id })).run;
    expect(r).toEqual({ configVersion: { version: 1 }, parameterSet: { experimentalFactors: [{ name: 'CVN_MODEL_RANDOM_SEED', variant: '5', baseValue: '42' }] } });
  });
});
