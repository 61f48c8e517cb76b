import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parameterSetHash } from '../server/features/parameter-sets/index.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const setFields = `hash environment { name } configVersion catalogVersion values catalogSnapshot factors codeVersion rules validators createdBy { username } createdAt`;

const CREATE_SET = `mutation ($input: CreateParameterSetInput!) {
  createParameterSet(input: $input) { created parameterSet { ${setFields} } }
}`;

const CREATE_RUN = `mutation ($input: CreateRunInput!) {
  createRun(input: $input) { id kind name status parameterSet { hash } metadata createdBy { username } startedAt endedAt }
}`;

const UPDATE_RUN = `mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id status endedAt } }`;

const commit = 'abc123'.padEnd(40, '0');
const code = { commit, packages: [{ name: 'xgboost', version: '2.0.3' }, { name: 'cvntrade', version: '4.2.0' }] };
/** How a set stores `code`. */
const codeVersion = { commit, packages: { cvntrade: '4.2.0', xgboost: '2.0.3' } };
const factor = (name: string, variant: string) => ({ name, variant });

describe('parameter sets and runs', () => {
  let t: TestApp;
  let sql: pg.Client;
  let devToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    const created = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "orchestrator" }) { token } }`));
    devToken = created.createServiceToken.token;
  });
  afterAll(async () => {
    await sql.end();
    await t.close();
  });

  const freeze = (input: Record<string, unknown>, as: Parameters<TestApp['gql']>[2] = 'editor') => t.gql(CREATE_SET, { input }, as);
  const rowCount = async (hash: string) =>
    Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM parameter_sets WHERE hash = $1`, [hash])).rows[0]!.n);

  describe('freezing', () => {
    it('gives the same content the same hash and one row', async () => {
      const input = { environment: 'dev', experimentalFactors: [factor('CVN_RSI_PERIOD', '21'), factor('CVN_MODEL_RANDOM_SEED', '3')], code };
      const first = expectData(await freeze(input)).createParameterSet;
      // Order is not content: RFC 8785 canonicalisation makes it irrelevant; the JSON form is the same content.
      const second = expectData(await freeze({ environment: 'dev', factors: { CVN_MODEL_RANDOM_SEED: '3', CVN_RSI_PERIOD: '21' }, codeVersion })).createParameterSet;
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.parameterSet.hash).toBe(first.parameterSet.hash);
      expect(await rowCount(first.parameterSet.hash)).toBe(1);

      const set = first.parameterSet;
      expect(set).toMatchObject({ environment: { name: 'dev' }, configVersion: 1, factors: { CVN_RSI_PERIOD: '21', CVN_MODEL_RANDOM_SEED: '3' }, codeVersion, createdBy: { username: 'editor' } });
      // What the set was checked against is frozen with it.
      expect(set.rules['pte-envelope-matches-multiples']).toMatch(/CVN_PTE_ENVELOPE/);
      expect(set.validators.CVN_EMA_SLOW_PERIOD).toBe('value > params.CVN_EMA_FAST_PERIOD');
      expect(set.catalogVersion).toBeGreaterThan(0);
      expect(set.values.CVN_PTE_ENVELOPE).toBe('ATR0.5_1.5_H4');
      expect(Object.keys(set.catalogSnapshot).sort()).toEqual(Object.keys(set.values).sort());
      expect(Object.keys(set.catalogSnapshot.CVN_ATR_PERIOD).sort()).toEqual(
        ['allowedValues', 'category', 'critical', 'defaultValue', 'deprecated', 'hotReloadable', 'maxValue', 'minValue', 'type'],
      );
      // The hash is the content's, recomputable by anyone holding the set.
      expect(parameterSetHash({ values: set.values, catalog: set.catalogSnapshot, factors: set.factors, codeVersion: set.codeVersion, rules: set.rules, validators: set.validators })).toBe(set.hash);

      const entries = await sql.query(`SELECT count(*)::int AS n FROM parameter_set_entries WHERE parameter_set_hash = $1`, [set.hash]);
      expect(entries.rows[0].n).toBe(Object.keys(set.values).length);
      const audit = await sql.query(`SELECT actor, details FROM audit_events WHERE action = 'parameter_set_frozen' AND subject_id = $1`, [set.hash]);
      expect(audit.rows).toEqual([{ actor: 'editor', details: expect.objectContaining({ codeVersion, factors: { CVN_RSI_PERIOD: '21', CVN_MODEL_RANDOM_SEED: '3' } }) }]);
    });

    it('turns concurrent freezes of the same content into one row, created once', async () => {
      const input = { environment: 'dev', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '7')], code };
      const payloads = (await Promise.all(Array.from({ length: 5 }, () => freeze(input)))).map((r) => expectData(r).createParameterSet);
      expect(new Set(payloads.map((p) => p.parameterSet.hash)).size).toBe(1);
      expect(payloads.filter((p) => p.created)).toHaveLength(1);
      expect(await rowCount(payloads[0].parameterSet.hash)).toBe(1);
    });

    it('gives the same values from another environment the same hash (environment is provenance)', async () => {
      const input = { experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '1')], code };
      const dev = expectData(await freeze({ ...input, environment: 'dev' })).createParameterSet;
      const staging = expectData(await freeze({ ...input, environment: 'staging' })).createParameterSet;
      expect(staging.created).toBe(false);
      expect(staging.parameterSet.hash).toBe(dev.parameterSet.hash);
      expect(staging.parameterSet.environment.name).toBe('dev');
      const other = expectData(await freeze({ ...input, environment: 'staging', code: { commit: 'def456'.padEnd(40, '0') } })).createParameterSet;
      expect(other.created).toBe(true);
      expect(other.parameterSet.hash).not.toBe(dev.parameterSet.hash);
    });

    it('lets editors and the environment\'s own service tokens freeze, nobody else', async () => {
      const input = { environment: 'dev', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '11')], code };
      const byToken = expectData(await freeze(input, { token: devToken })).createParameterSet;
      expect(byToken).toMatchObject({ created: true, parameterSet: { createdBy: null, environment: { name: 'dev' } } });
      expect(errorCode(await freeze({ ...input, environment: 'prod' }, { token: devToken }))).toBe('FORBIDDEN');
      expect(errorCode(await freeze(input, 'viewer'))).toBe('FORBIDDEN');
      expect(errorCode(await freeze(input, null))).toBe('UNAUTHENTICATED');
    });

    it('refuses a missing code version, a non-object and an unknown version', async () => {
      expect(errorCode(await freeze({ environment: 'dev' }))).toBe('BAD_REQUEST');
      expect(errorCode(await freeze({ environment: 'dev', codeVersion: {} }))).toBe('BAD_REQUEST');
      expect(errorCode(await freeze({ environment: 'dev', codeVersion, factors: [1, 2] }))).toBe('BAD_REQUEST');
      expect(errorCode(await freeze({ environment: 'dev', code, version: 99 }))).toBe('NOT_FOUND');
      expect(errorCode(await freeze({ environment: 'nowhere', code }))).toBe('NOT_FOUND');
    });
  });

  describe('runs', () => {
    let setA: string;
    let setB: string;
    beforeAll(async () => {
      setA = expectData(await freeze({ environment: 'dev', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '101')], code })).createParameterSet.parameterSet.hash;
      setB = expectData(await freeze({ environment: 'dev', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '102')], code })).createParameterSet.parameterSet.hash;
    });

    it('needs an existing parameter set', async () => {
      const unknown = await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'ghost', parameterSetHash: 'f'.repeat(64) } });
      expect(errorCode(unknown)).toBe('NOT_FOUND');
      expect(errorCode(await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'bad', parameterSetHash: 'nope' } }))).toBe('NOT_FOUND');
      expect(errorCode(await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'x', parameterSetHash: setA } }, 'viewer'))).toBe('FORBIDDEN');
      // The database holds the line too: no run without a set.
      await expect(sql.query(
        `INSERT INTO runs (id, kind, name, parameter_set_hash, environment_id, config_version, started_by)
         SELECT gen_random_uuid(), 'BACKTEST', 'raw', $1, id, 1, 'psql' FROM environments WHERE name = 'dev'`, ['e'.repeat(64)],
      )).rejects.toThrow(/foreign key/);
    });

    it('lists every run sharing a set, and walks run → set → values and catalog', async () => {
      const a1 = expectData(await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'ftf defi_top5 fold 1', parameterSetHash: setA, metadata: { cryptos: ['BTC', 'ETH'] } } })).createRun;
      const a2 = expectData(await t.gql(CREATE_RUN, { input: { kind: 'BACKTEST', name: 'backtest A', parameterSetHash: setA } }, { token: devToken })).createRun;
      expectData(await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'ftf B', parameterSetHash: setB } }));
      expect(a1).toMatchObject({ kind: 'EXPERIMENT', status: 'PENDING', metadata: { cryptos: ['BTC', 'ETH'] }, createdBy: { username: 'admin' }, endedAt: null });
      expect(a2.createdBy).toBeNull();

      const bySet = expectData(await t.gql(`query ($hash: String!) {
        parameterSet(hash: $hash) { runs { totalCount edges { node { name } } } }
        runs(parameterSetHash: $hash) { totalCount edges { node { name } } }
      }`, { hash: setA }, 'viewer'));
      expect(bySet.parameterSet.runs.totalCount).toBe(2);
      expect(bySet.parameterSet.runs.edges.map((e: any) => e.node.name).sort()).toEqual(['backtest A', 'ftf defi_top5 fold 1']);
      expect(bySet.runs.edges.map((e: any) => e.node.name)).toEqual(['backtest A', 'ftf defi_top5 fold 1']);

      const experiments = expectData(await t.gql(`{ runs(kind: EXPERIMENT) { totalCount } }`));
      expect(experiments.runs.totalCount).toBe(2);

      const lineage = expectData(await t.gql(`query ($id: ID!) {
        node(id: $id) { ... on Run { name parameterSet { hash factors values catalogSnapshot entries { name value } } } }
      }`, { id: a1.id }, 'viewer'));
      expect(lineage.node.parameterSet.hash).toBe(setA);
      expect(lineage.node.parameterSet.factors).toEqual({ CVN_MODEL_RANDOM_SEED: '101' });
      expect(lineage.node.parameterSet.catalogSnapshot.CVN_PTE_ENVELOPE.type).toBe('ENUM');
      expect(lineage.node.parameterSet.entries.length).toBe(Object.keys(lineage.node.parameterSet.values).length);
    });

    it('moves a run forward and never changes a terminal status', async () => {
      const run = expectData(await t.gql(CREATE_RUN, { input: { kind: 'PAPER', name: 'paper session', parameterSetHash: setB } })).createRun;
      expect(expectData(await t.gql(UPDATE_RUN, { input: { id: run.id, status: 'RUNNING' } }, { token: devToken })).updateRunStatus)
        .toMatchObject({ status: 'RUNNING', endedAt: null });
      expect(errorCode(await t.gql(UPDATE_RUN, { input: { id: run.id, status: 'PENDING' } }))).toBe('CONFLICT');
      const ended = expectData(await t.gql(UPDATE_RUN, { input: { id: run.id, status: 'SUCCEEDED' } })).updateRunStatus;
      expect(ended.status).toBe('SUCCEEDED');
      expect(ended.endedAt).not.toBeNull();
      const again = await t.gql(UPDATE_RUN, { input: { id: run.id, status: 'FAILED' } });
      expect(errorCode(again)).toBe('CONFLICT');
      expect(errorCode(await t.gql(UPDATE_RUN, { input: { id: '00000000-0000-0000-0000-000000000000', status: 'RUNNING' } }))).toBe('NOT_FOUND');
    });
  });

  describe('comparing', () => {
    it('diffs values, frozen catalog metadata, factors and code versions', async () => {
      const before = expectData(await freeze({ environment: 'dev', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '1')], code })).createParameterSet.parameterSet;
      const dev = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
      expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }`, {
        input: { environment: 'dev', expectedVersion: dev.activeVersion, reason: 'longer ATR for the comparison test', changes: [{ name: 'CVN_ATR_PERIOD', value: '21' }] },
      }, 'editor'));
      // A catalog edit as the catalog admin would make it: the entry and a history row (the catalog revision).
      await sql.query(`UPDATE variable_catalog SET max_value = 300, revision = revision + 1 WHERE name = 'CVN_ATR_PERIOD'`);
      await sql.query(`INSERT INTO variable_catalog_history (parameter_name, revision, action, snapshot, changed_by, reason)
        SELECT name, revision, 'updated', '{}'::jsonb, 'admin', 'wider bound' FROM variable_catalog WHERE name = 'CVN_ATR_PERIOD'`);
      const after = expectData(await freeze({
        environment: 'dev', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '7'), factor('CVN_RSI_PERIOD', '21')], code: { ...code, commit: 'fff999'.padEnd(40, '0') },
      })).createParameterSet.parameterSet;
      expect(after.configVersion).toBe(dev.activeVersion + 1);
      expect(after.catalogVersion).toBeGreaterThan(before.catalogVersion);

      const diff = expectData(await t.gql(`query ($a: String!, $b: String!) {
        compareParameterSets(a: $a, b: $b) {
          a { hash } b { hash }
          values { name before after }
          catalog { name field before after }
          factors { key before after }
          codeVersion { key before after }
        }
      }`, { a: before.hash, b: after.hash }, 'viewer')).compareParameterSets;
      expect(diff.a.hash).toBe(before.hash);
      expect(diff.values).toEqual([{ name: 'CVN_ATR_PERIOD', before: '14', after: '21' }]);
      expect(diff.catalog).toEqual([{ name: 'CVN_ATR_PERIOD', field: 'maxValue', before: 200, after: 300 }]);
      expect(diff.factors).toEqual([{ key: 'CVN_MODEL_RANDOM_SEED', before: '1', after: '7' }, { key: 'CVN_RSI_PERIOD', before: null, after: '21' }]);
      expect(diff.codeVersion).toEqual([{ key: 'commit', before: commit, after: 'fff999'.padEnd(40, '0') }]);

      // An earlier version can still be frozen, with today's catalog metadata.
      const old = expectData(await freeze({ environment: 'dev', version: dev.activeVersion, experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '1')], code })).createParameterSet;
      expect(old.parameterSet.values.CVN_ATR_PERIOD).toBe('14');
      expect(old.parameterSet.hash).not.toBe(before.hash);

      const missing = await t.gql(`{ compareParameterSets(a: "${before.hash}", b: "${'0'.repeat(64)}") { values { name } } }`);
      expect(errorCode(missing)).toBe('NOT_FOUND');
    });

    it('lists sets newest first, by environment', async () => {
      const all = expectData(await t.gql(`{ parameterSets(first: 100) { totalCount edges { node { hash createdAt environment { name } } } } }`, {}, 'viewer')).parameterSets;
      const times = all.edges.map((e: any) => Date.parse(e.node.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const staging = expectData(await t.gql(`{ parameterSets(environment: "staging") { totalCount edges { node { environment { name } } } } }`)).parameterSets;
      expect(staging.totalCount).toBe(1);
      expect(all.totalCount).toBeGreaterThan(staging.totalCount);
    });
  });

  describe('immutability in the database', () => {
    const hash = 'a'.repeat(64);
    beforeAll(async () => {
      await sql.query(
        `INSERT INTO parameter_sets (hash, catalog_version, "values", catalog_snapshot, code_version, created_at)
         VALUES ($1, 1, '{"CVN_ATR_PERIOD":"14"}', '{}', '{"git":"old"}', now() - interval '11 seconds')`,
        [hash],
      );
    });

    it('refuses to update or delete a set older than 10 seconds', async () => {
      await expect(sql.query(`UPDATE parameter_sets SET factors = '{"tampered":true}' WHERE hash = $1`, [hash]))
        .rejects.toThrow(/immutable \(frozen 10 seconds after creation\)/);
      await expect(sql.query(`DELETE FROM parameter_sets WHERE hash = $1`, [hash])).rejects.toThrow(/immutable/);
    });

    it('turns the insert of an existing hash into a no-op', async () => {
      const again = await sql.query(
        `INSERT INTO parameter_sets (hash, catalog_version, "values", catalog_snapshot, code_version) VALUES ($1, 2, '{}', '{}', '{"git":"new"}') RETURNING hash`,
        [hash],
      );
      expect(again.rowCount).toBe(0);
      expect(await rowCount(hash)).toBe(1);
      const row = await sql.query(`SELECT code_version, catalog_version::int AS catalog_version FROM parameter_sets WHERE hash = $1`, [hash]);
      expect(row.rows[0]).toEqual({ code_version: { git: 'old' }, catalog_version: 1 });
    });
  });
});
