import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../server/metrics/create-metrics.ts';
import { refreshSharedStateGauges } from '../server/metrics/shared-state-gauges.ts';
import { apiDocument, errorSchema, responseSchema } from './support/grafana-api-schemas.ts';
import { expectValid, grafanaClient, rowsOf, target, type Table, type TimeSeries } from './support/grafana-client.ts';
import { pluginQueryRequest } from './support/grafana-plugin.ts';
import { seedGrafanaFixture, type GrafanaFixture } from './support/grafana-seed.ts';
import { expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }`;
const REGISTER = `mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`;

describe('Grafana JSON datasource API (/grafana)', () => {
  let t: TestApp;
  let replica: TestApp;
  let everyEnvironment: string;
  let devReader: string;
  let versions: GrafanaFixture['versions'];

  const { call, post, query } = grafanaClient({ url: () => t.url, token: () => everyEnvironment });

  beforeAll(async () => {
    t = await startTestApp();
    ({ everyEnvironment, devReader, versions } = await seedGrafanaFixture(t));
    // A second API process on the same database (another replica).
    replica = await startTestApp({ db: t.db });
  });
  afterAll(async () => {
    await replica?.close();
    await t?.close();
  });

  it('is described by a valid OpenAPI document', async () => {
    const result = await new Validator().validate(structuredClone(apiDocument));
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(apiDocument.paths).sort()).toEqual(['/', '/metric-payload-options', '/metrics', '/query', '/tag-keys', '/tag-values', '/variable']);
  });

  it('holds answers to it: what the plugin could not read fails', () => {
    const answers = responseSchema('/query', 'post');
    expect(answers([{ target: 'x', datapoints: [[1, 2]] }, { type: 'table', columns: [{ text: 'a', type: 'number' }], rows: [[1], [null]] }])).toBe(true);
    for (const wrong of [[{ target: 'x', datapoints: [[1]] }], [{ target: 'x', datapoints: [['1', 2]] }], [{ type: 'table', columns: [{ type: 'number' }], rows: [] }], [{ type: 'grid', columns: [], rows: [] }], { target: 'x', datapoints: [] }]) {
      expect(answers(wrong), JSON.stringify(wrong)).toBe(false);
    }
    expect(responseSchema('/metrics', 'post')([{ value: 'x', payloads: [{ name: 'p', type: 'dropdown' }] }])).toBe(false);
    expect(responseSchema('/variable', 'post')([{ __text: 'dev', __value: 'dev' }])).toBe(false);
  });

  describe('authentication', () => {
    it('answers "Test connection" (GET /) with 200 for a token in X-UCP-Token, as Bearer, or for an operator', async () => {
      for (const credentials of [{ token: everyEnvironment }, { token: `Bearer ${everyEnvironment}` }, { as: { token: everyEnvironment } }, { as: 'viewer' as TestUser }]) {
        const { status, json } = await call('', credentials);
        expect(status).toBe(200);
        expectValid(responseSchema('/', 'get'), json, 'GET /');
        expect(json.environments).toEqual(['dev', 'staging', 'prod']);
      }
      expect((await call('/', { token: everyEnvironment })).status).toBe(200);
    });

    it('refuses no token and a wrong token with 401 and the error code the datasource shows', async () => {
      for (const credentials of [{}, { token: 'ucp_not-a-token' }, { as: { token: 'ucp_not-a-token' } }]) {
        const { status, json } = await call('', credentials);
        expect(status).toBe(401);
        expectValid(errorSchema(), json, 'error');
        expect(json.error.code).toBe('UNAUTHENTICATED');
      }
      const { status, json } = await call('/query', { body: { targets: [] } });
      expect([status, json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    });

    it('answers a wrong method, an unknown path and a malformed body from the error table', async () => {
      expect((await call('/query', { token: everyEnvironment })).status).toBe(405);
      const missing = await call('/nothing', { token: everyEnvironment });
      expect([missing.status, missing.json.error.code]).toEqual([404, 'NOT_FOUND']);
      const bad = await call('/query', { body: { targets: [{ refId: 'A' }] }, token: everyEnvironment });
      expect([bad.status, bad.json.error.code, bad.json.error.field]).toEqual([400, 'BAD_REQUEST', 'targets.0.target']);
      expectValid(errorSchema(), bad.json, 'error');
    });

    it('a read-only token of every environment can do nothing but read', async () => {
      const response = await t.gql(`{ viewer { kind environment } environments { name } }`, {}, { token: everyEnvironment });
      expect(expectData(response)).toEqual({ viewer: { kind: 'monitor', environment: null }, environments: [{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }] });
      const write = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: 1, reason: 'x', changes: [{ name: 'CVN_ATR_PERIOD', value: '15' }] } }, { token: everyEnvironment });
      expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const register = await t.gql(REGISTER, { input: { name: 'sneaky', mode: 'PAPER', consumes: [] } }, { token: everyEnvironment });
      expect(register.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('every endpoint answers as the definition says', () => {
    it('/metrics lists every target with its payloads; /metric-payload-options fills the selects', async () => {
      const metrics = await post('/metrics', { metric: '', payload: {} });
      const names = metrics.map((m: { value: string }) => m.value);
      expect(names).toEqual(expect.arrayContaining(['distribution_latency', 'saves', 'approvals', 'rejections', 'rollbacks', 'active_version', 'workers', 'lagging_workers', 'parameter_coverage', 'config_changes', 'config_versions']));
      expect(names).not.toContain('forbidden_section_events');
      const options = (metric: string, name: string, payload = {}) => post('/metric-payload-options', { metric, payload, name });
      expect((await options('distribution_latency', 'environment')).map((o: { value: string }) => o.value)).toEqual(['dev', 'staging', 'prod']);
      expect((await options('workers', 'worker', { environment: 'dev' })).map((o: { value: string }) => o.value)).toEqual(['paper-a', 'paper-b']);
      expect((await options('distribution_latency', 'quantiles')).map((o: { value: string }) => o.value)).toEqual(['p50', 'p95', 'p99']);
    });

    it('/variable, /tag-keys and /tag-values', async () => {
      const range = { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString() };
      expect((await post('/variable', { payload: { target: 'environments' }, range })).map((v: { text: string }) => v.text)).toEqual(['dev', 'staging', 'prod']);
      const workers = await post('/variable', { payload: { target: 'workers', environment: ['prod'] }, range });
      expect(workers).toEqual([{ text: 'live-a', value: 'live-a', __text: 'live-a', __value: 'live-a' }]);
      expect((await post('/tag-keys', {})).map((k: { text: string }) => k.text)).toEqual(['environment', 'worker', 'parameter', 'category']);
      for (const key of ['environment', 'worker', 'parameter', 'category']) expect((await post('/tag-values', { key })).length).toBeGreaterThan(0);
      expect((await post('/tag-values', { key: 'worker' })).map((v: { text: string }) => v.text)).toEqual(['live-a', 'paper-a', 'paper-b']);
    });

    it('/query answers every listed target with series or a table', async () => {
      const metrics: { value: string }[] = await post('/metrics', {});
      for (const { value } of metrics) {
        const answers = await query([target(value)]);
        expect(answers.length, value).toBeGreaterThan(0);
      }
    });
  });

  describe('the figures', () => {
    it('latency percentiles per environment, from the database', async () => {
      const answers = (await query([target('distribution_latency')])) as TimeSeries[];
      expect(answers.map((a) => a.target).sort()).toEqual(['p50 dev', 'p50 prod', 'p95 dev', 'p95 prod', 'p99 dev', 'p99 prod']);
      const p95 = answers.find((a) => a.target === 'p95 dev')!;
      // Three hours ago, now, and in between: several buckets with applies.
      expect(p95.datapoints.length).toBeGreaterThanOrEqual(3);
      for (const [seconds] of p95.datapoints) expect(seconds).toBeGreaterThanOrEqual(0);
      const only = (await query([target('distribution_latency', { quantiles: 'p95', worker: 'paper\\-b' })])) as TimeSeries[];
      expect(only.map((a) => a.target)).toEqual(['p95 dev']);
      expect(only[0]!.datapoints).toHaveLength(1);
    });

    it('saves, approvals, rejections and rollbacks per interval', async () => {
      const sum = async (name: string, environment: string) => {
        const series = ((await query([target(name, { environment })])) as TimeSeries[])[0]!;
        expect(series.target).toBe(`${name} ${environment}`);
        return series.datapoints.reduce((total, [value]) => total + value, 0);
      };
      expect(await sum('saves', 'dev')).toBe(4);
      expect(await sum('rollbacks', 'dev')).toBe(1);
      expect(await sum('saves', 'prod')).toBe(2);
      expect(await sum('approvals', 'prod')).toBe(1);
      expect(await sum('rejections', 'prod')).toBe(1);
      expect(await sum('rejections', 'staging')).toBe(0);
    });

    it('the active version per environment over time, and per worker what it applied and how far behind it was', async () => {
      const active = ((await query([target('active_version', { environment: 'dev' })])) as TimeSeries[])[0]!;
      expect(active.datapoints.at(-1)![0]).toBe(versions.restored);
      expect(Math.min(...active.datapoints.map(([v]) => v))).toBeLessThan(versions.restored!);
      const behind = ((await query([target('worker_lag_versions', { worker: 'paper\\-b' })])) as TimeSeries[])[0]!;
      expect(behind.target).toBe('dev/paper-b');
      expect(behind.datapoints.at(-1)![0]).toBe(versions.restored! - versions['0.61']!);
    });

    it('per worker now: status, versions, lag, last apply, pending restart, heartbeat; and who lags', async () => {
      const [table] = (await query([target('workers')])) as Table[];
      const rows = rowsOf(table!);
      expect(rows.map((r) => `${r.environment}/${r.worker}`).sort()).toEqual(['dev/paper-a', 'dev/paper-b', 'prod/live-a']);
      const b = rows.find((r) => r.worker === 'paper-b')!;
      expect(b).toMatchObject({ 'applied version': versions['0.61'], 'active version': versions.restored, 'lag (versions)': 3, lagging: 1 });
      expect(b['lag (s)']).toBeGreaterThan(2 * 3600);
      expect(rows.find((r) => r.worker === 'paper-a')).toMatchObject({ 'lag (versions)': 0, lagging: 0 });
      const lagging = rowsOf(((await query([target('lagging_workers')])) as Table[])[0]!);
      expect(lagging.map((r) => r.worker)).toEqual(['paper-b']);
      const counts = rowsOf(((await query([target('lagging_worker_count')])) as Table[])[0]!);
      expect(counts).toEqual([{ environment: 'dev', running: 2, lagging: 1 }, { environment: 'staging', running: 0, lagging: 0 }, { environment: 'prod', running: 1, lagging: 0 }]);
    });

    it('coverage is the /metrics gauge: same consumers, same ratio', async () => {
      const coverage = rowsOf(((await query([target('parameter_coverage')])) as Table[])[0]!);
      const metrics = createMetrics();
      await refreshSharedStateGauges({ prisma: t.database.prisma, metrics });
      const gauge = (await metrics.workerCoverage.get()).values.map(({ labels, value }) => ({ environment: labels.environment, worker: labels.worker, coverage: value }));
      expect(coverage.map(({ environment, worker, coverage: ratio }) => ({ environment, worker, coverage: ratio }))).toEqual(expect.arrayContaining(gauge));
      expect(coverage).toHaveLength(gauge.length);
      expect(coverage.find((row) => row.worker === 'paper-a')).toMatchObject({ consumed: 2, covered: 2, uncovered: 0, coverage: 1 });
    });

    it('every config change as rows for the audit table and annotations: who, what, why, version', async () => {
      const changes = rowsOf(((await query([target('config_changes', { environment: 'prod' })], { filters: [{ key: 'parameter', operator: '=', value: 'CVN_RISK_MAX_OPEN_POSITIONS' }] })) as Table[])[0]!);
      // The seed (version 1, in the range too) set every parameter.
      expect(changes.at(-1)).toMatchObject({ version: 1, kind: 'SEED' });
      expect(changes.filter((row) => row.kind !== 'SEED')).toEqual([expect.objectContaining({ environment: 'prod', parameter: 'CVN_RISK_MAX_OPEN_POSITIONS', after: '4', author: 'editor', approver: 'approver', category: 'RISK_LIMIT' })]);
      const annotations = rowsOf(((await query([target('config_versions', { environment: 'dev' })])) as Table[])[0]!);
      expect(annotations[0]).toMatchObject({ version: versions.restored, kind: 'RESTORE', author: 'editor', reason: 'grafana test rollback', tags: 'dev,restore' });
      expect(String(annotations[0]!.text)).toContain('CVN_SIGNAL_THRESHOLD_BUY: 0.63 → 0.61');
      expect(typeof annotations[0]!.time).toBe('number');
    });

    it('ad hoc filters narrow by environment, worker, parameter and category; bad ones are BAD_REQUEST', async () => {
      const workers = rowsOf(((await query([target('workers')], { filters: [{ key: 'environment', operator: '!=', value: 'dev' }] })) as Table[])[0]!);
      expect(workers.map((r) => r.worker)).toEqual(['live-a']);
      const byCategory = rowsOf(((await query([target('config_changes')], { filters: [{ key: 'category', operator: '=~', value: 'RISK_.*' }] })) as Table[])[0]!);
      expect(new Set(byCategory.map((r) => r.category))).toEqual(new Set(['RISK_LIMIT']));
      expect(new Set(byCategory.filter((r) => r.kind !== 'SEED').map((r) => r.parameter))).toEqual(new Set(['CVN_RISK_MAX_OPEN_POSITIONS']));
      const saves = ((await query([target('saves', { environment: 'dev' })], { filters: [{ key: 'parameter', operator: '=', value: 'CVN_ATR_PERIOD' }] })) as TimeSeries[])[0]!;
      expect(saves.datapoints.every(([v]) => v === 0)).toBe(true);
      for (const filter of [{ key: 'colour', operator: '=', value: 'x' }, { key: 'worker', operator: '<', value: 'x' }, { key: 'worker', operator: '=~', value: '(' }]) {
        const { status, json } = await call('/query', { body: pluginQueryRequest([target('workers')], {}, { from: new Date(Date.now() - 3600_000), to: new Date(), maxDataPoints: 100, adHocFilters: [filter] }), token: everyEnvironment });
        expect([status, json.error.code], JSON.stringify(filter)).toEqual([400, 'BAD_REQUEST']);
      }
    });
  });

  it('honours the range, interval and maxDataPoints', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 4 * 3600_000);
    const names = ['distribution_latency', 'saves', 'approvals', 'rejections', 'rollbacks', 'active_version', 'applied_version', 'worker_lag_versions'];
    for (const [maxDataPoints, intervalMs] of [[10, 60_000], [1000, 3600_000], [7, 1]] as const) {
      const body = { ...pluginQueryRequest(names.map((name, i) => ({ ...target(name), refId: String(i) })), {}, { from, to, maxDataPoints }), intervalMs };
      const answers = (await post('/query', body)) as TimeSeries[];
      const expectedStep = Math.max(intervalMs, Math.ceil((to.getTime() - from.getTime()) / maxDataPoints));
      expect(answers.length).toBeGreaterThan(0);
      for (const series of answers) {
        expect(series.datapoints.length, series.target).toBeLessThanOrEqual(Math.min(maxDataPoints, Math.ceil((to.getTime() - from.getTime()) / intervalMs)));
        for (const [, time] of series.datapoints) {
          expect(time).toBeGreaterThanOrEqual(from.getTime());
          expect(time).toBeLessThan(to.getTime());
          expect((time - from.getTime()) % expectedStep).toBe(0);
        }
      }
    }
    // A range that ends before the back-dated saves holds none of them.
    const early = ((await query([target('saves', { environment: 'dev' })], { from: new Date(to.getTime() - 8 * 3600_000), to: new Date(to.getTime() - 4 * 3600_000), maxDataPoints: 50 })) as TimeSeries[])[0]!;
    expect(early.datapoints.every(([v]) => v === 0)).toBe(true);
    const late = ((await query([target('saves', { environment: 'dev' })], { from: new Date(to.getTime() - 4 * 3600_000), to, maxDataPoints: 50 })) as TimeSeries[])[0]!;
    expect(late.datapoints.reduce((s, [v]) => s + v, 0)).toBe(4);
  });

  it('a token of one environment sees that environment only', async () => {
    expect((await call('', { token: devReader })).json.environments).toEqual(['dev']);
    const latency = (await query([target('distribution_latency')], { token: devReader })) as TimeSeries[];
    expect(new Set(latency.map((s) => s.target.split(' ')[1]))).toEqual(new Set(['dev']));
    const workers = rowsOf(((await query([target('workers')], { token: devReader })) as Table[])[0]!);
    expect(new Set(workers.map((r) => r.environment))).toEqual(new Set(['dev']));
    const prod = (await query([target('saves', { environment: 'prod' }), target('config_changes', { environment: 'prod' })], { token: devReader }));
    expect(prod).toEqual([{ type: 'table', columns: expect.any(Array), rows: [] }]);
    expect((await post('/variable', { payload: { target: 'environments' } }, devReader)).map((v: { text: string }) => v.text)).toEqual(['dev']);
    expect((await post('/tag-values', { key: 'worker' }, devReader)).map((v: { text: string }) => v.text)).toEqual(['paper-a', 'paper-b']);
  });

  it('two API processes on one database answer the same figures', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 5 * 3600_000);
    const names = ['distribution_latency', 'saves', 'approvals', 'rejections', 'rollbacks', 'active_version', 'applied_version', 'worker_lag_versions', 'parameter_coverage', 'lagging_worker_count', 'config_changes', 'config_versions'];
    const ask = (url: string) => query(names.map((name, i) => ({ ...target(name), refId: String(i) })), { from, to, maxDataPoints: 60, url });
    expect(await ask(replica.url)).toEqual(await ask(t.url));
    // The workers table too, but for the lag in seconds, which is measured at the moment of asking.
    const withoutSeconds = async (url: string) => rowsOf(((await query([target('workers')], { url })) as Table[])[0]!).map(({ 'lag (s)': _, ...rest }) => rest);
    expect(await withoutSeconds(replica.url)).toEqual(await withoutSeconds(t.url));
  });
});
