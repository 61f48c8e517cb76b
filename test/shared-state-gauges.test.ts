import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../server/metrics/create-metrics.ts';
import { refreshSharedStateGauges } from '../server/metrics/shared-state-gauges.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const REGISTER = `mutation ($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`;
const REPORT = `mutation ($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { id } }`;
const UPDATE_CONFIG = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }`;

interface Sample { name: string; labels: Record<string, string>; value: number }

/** The Prometheus text format, one sample per line (no HELP/TYPE). */
function parseExposition(text: string): Sample[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable sample: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return { name: match[1] as string, labels, value: Number(match[3]) };
  });
}

describe('per-worker gauges read from the database at scrape time', () => {
  let t: TestApp;
  let token: string;
  const ids = new Map<string, string>();

  const scrape = async () => parseExposition(await t.scrape());
  /** The value of one series, or undefined when it is not reported. */
  const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const register = async (name: string, consumes: string[]) => {
    const id = expectData(await t.gql(REGISTER, { input: { name, mode: 'PAPER', consumes } }, { token })).registerWorker.id as string;
    ids.set(name, id);
  };
  const report = async (name: string, input: Record<string, unknown>) =>
    expectData(await t.gql(REPORT, { input: { workerId: ids.get(name), ...input } }, { token }));
  const save = async (changes: { name: string; value: string }[]) => {
    const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
    expectData(await t.gql(UPDATE_CONFIG, { input: { environment: 'dev', expectedVersion: activeVersion, reason: 'gauge test', changes } }));
  };

  beforeAll(async () => {
    t = await startTestApp();
    token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "gauge-test" }) { token } }`)).createServiceToken.token;
    await register('paper-a', ['CVN_ATR_PERIOD', 'CVN_PTE_ENVELOPE']);
    await report('paper-a', { status: 'READY', receivedVersion: 1, appliedVersion: 1 });
  });
  afterAll(() => t.close());

  it('reports a live worker\'s status, applied version, lag, heartbeat and coverage', async () => {
    const samples = await scrape();
    const worker = { environment: 'dev', worker: 'paper-a' };
    expect(value(samples, 'ucp_worker_status', { ...worker, status: 'READY' })).toBe(1);
    expect(value(samples, 'ucp_worker_status', { ...worker, status: 'STALE' })).toBe(0);
    expect(value(samples, 'ucp_worker_status', { ...worker, status: 'STOPPED' })).toBeUndefined();
    expect(value(samples, 'ucp_worker_applied_version', worker)).toBe(1);
    expect(value(samples, 'ucp_worker_lag_versions', worker)).toBe(0);
    expect(value(samples, 'ucp_worker_lag_seconds', worker)).toBe(0);
    expect(value(samples, 'ucp_worker_parameter_coverage_ratio', worker)).toBe(1);
    expect(value(samples, 'ucp_worker_uncovered_parameters', worker)).toBe(0);
    expect(Math.abs((value(samples, 'ucp_worker_last_heartbeat_timestamp_seconds', worker) ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(value(samples, 'ucp_worker_series_dropped', {})).toBe(0);
  });

  it('shows the lag in versions once the environment moves on, and a STALE report', async () => {
    for (const period of ['15', '16', '17', '18']) await save([{ name: 'CVN_ATR_PERIOD', value: period }]);
    await report('paper-a', { status: 'STALE' });
    const samples = await scrape();
    const worker = { environment: 'dev', worker: 'paper-a' };
    expect(value(samples, 'ucp_worker_lag_versions', worker)).toBe(4);
    expect(value(samples, 'ucp_worker_lag_seconds', worker)).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'ucp_worker_status', { ...worker, status: 'STALE' })).toBe(1);
    expect(value(samples, 'ucp_worker_status', { ...worker, status: 'READY' })).toBe(0);
    // The existing per-environment count agrees with the per-worker series.
    expect(value(samples, 'ucp_workers_lagging', { environment: 'dev' })).toBe(1);
  });

  it('counts a consumed parameter without a value in the active version as uncovered', async () => {
    expectData(await t.gql(`mutation ($input: CreateCatalogEntryInput!) { createCatalogEntry(input: $input) { name } }`, { input: {
      name: 'CVN_TEST_GAUGE_KNOB', type: 'INT', minValue: 1, maxValue: 100, defaultValue: '10', unit: 'bars',
      description: 'A test parameter.', group: 'Tests', category: 'THRESHOLD', reason: 'coverage gauge test',
    } }));
    await register('trainer', ['CVN_ATR_PERIOD', 'CVN_TEST_GAUGE_KNOB']);
    const trainer = { environment: 'dev', worker: 'trainer' };
    let samples = await scrape();
    expect(value(samples, 'ucp_worker_parameter_coverage_ratio', trainer)).toBe(0.5);
    expect(value(samples, 'ucp_worker_uncovered_parameters', trainer)).toBe(1);
    await save([{ name: 'CVN_TEST_GAUGE_KNOB', value: '12' }]);
    samples = await scrape();
    expect(value(samples, 'ucp_worker_parameter_coverage_ratio', trainer)).toBe(1);
  });

  it('stops reporting a worker that is gone, but keeps a recent consumer\'s coverage', async () => {
    await t.sql.query(`UPDATE workers SET last_heartbeat_at = now() - interval '10 minutes' WHERE name = 'paper-a'`);
    await report('trainer', { status: 'STOPPED' });
    const samples = await scrape();
    for (const worker of ['paper-a', 'trainer']) {
      for (const name of ['ucp_worker_status', 'ucp_worker_applied_version', 'ucp_worker_lag_versions', 'ucp_worker_lag_seconds', 'ucp_worker_last_heartbeat_timestamp_seconds']) {
        expect(value(samples, name, { worker }), `${name} of ${worker}`).toBeUndefined();
      }
      expect(value(samples, 'ucp_worker_parameter_coverage_ratio', { environment: 'dev', worker })).toBe(1);
    }
    await t.sql.query(`UPDATE workers SET last_heartbeat_at = now() - interval '8 days' WHERE name = 'paper-a'`);
    expect(value(await scrape(), 'ucp_worker_parameter_coverage_ratio', { worker: 'paper-a' })).toBeUndefined();
  });

  it('caps the number of workers with series and says how many it left out', async () => {
    await register('paper-b', ['CVN_ATR_PERIOD']);
    await register('paper-c', ['CVN_ATR_PERIOD']);
    const metrics = createMetrics();
    await refreshSharedStateGauges({ prisma: t.database.prisma, metrics }, { maxWorkers: 2 });
    const samples = parseExposition(await metrics.registry.metrics());
    const reported = new Set(samples.filter((s) => s.name === 'ucp_worker_parameter_coverage_ratio').map((s) => s.labels.worker));
    // trainer and paper-b/c are within the consumer window; the two heard from last win.
    expect([...reported].sort()).toEqual(['paper-b', 'paper-c']);
    expect(value(samples, 'ucp_worker_series_dropped', {})).toBe(1);
  });
});
