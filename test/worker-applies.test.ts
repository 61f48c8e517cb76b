import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version createdAt } } }`;
const APPLY = `mutation($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { appliedVersion receivedVersion lagVersions lagSeconds lagging } }`;

describe('apply reports, lag and save-to-apply latency', () => {
  let t: TestApp;
  let token: string;
  let workerId: string;
  let version: number;
  let tick = 0;

  async function save(): Promise<{ version: number; createdAt: string }> {
    tick += 1;
    const saved = expectData(await t.gql(UPDATE, {
      input: { environment: 'dev', expectedVersion: version, reason: `tick ${tick}`, changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: tick % 2 ? '0.63' : '0.64' }] },
    }, 'editor')).updateConfig.version;
    version = saved.version;
    return saved;
  }

  beforeAll(async () => {
    t = await startTestApp();
    token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "paper-1" }) { token } }`)).createServiceToken.token;
    workerId = expectData(await t.gql(`mutation { registerWorker(input: { name: "paper-1", mode: PAPER, consumes: ["CVN_SIGNAL_THRESHOLD_BUY"] }) { id } }`, {}, { token })).registerWorker.id;
    version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
  });
  afterAll(() => t.close());

  it('records an apply with its latency and shows the worker up to date', async () => {
    const saved = await save();
    const receivedAt = new Date(new Date(saved.createdAt).getTime() + 3);
    const appliedAt = new Date(receivedAt.getTime() + 7);
    const worker = expectData(await t.gql(APPLY, {
      input: { workerId, version: saved.version, receivedAt: receivedAt.toISOString(), appliedAt: appliedAt.toISOString(), keys: ['CVN_SIGNAL_THRESHOLD_BUY'] },
    }, { token })).reportWorkerApply;
    expect(worker).toEqual({ appliedVersion: saved.version, receivedVersion: saved.version, lagVersions: 0, lagSeconds: 0, lagging: false });
    const applies = expectData(await t.gql(`{ recentApplies(environment: "dev", last: 5) { version latencyMs keys worker { name } } }`, {}, 'viewer')).recentApplies;
    expect(applies[0]).toEqual({ version: saved.version, latencyMs: 10, keys: ['CVN_SIGNAL_THRESHOLD_BUY'], worker: { name: 'paper-1' } });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/ucp_distribution_latency_seconds_count\{environment="dev"\} 1/);
  });

  it('refuses an apply that goes back, and one of a version that does not exist', async () => {
    const now = new Date().toISOString();
    const back = await t.gql(APPLY, { input: { workerId, version: version - 1, receivedAt: now, appliedAt: now, keys: [] } }, { token });
    expect(errorCode(back)).toBe('CONFLICT');
    const future = await t.gql(APPLY, { input: { workerId, version: version + 10, receivedAt: now, appliedAt: now, keys: [] } }, { token });
    expect(errorCode(future)).toBe('BAD_REQUEST');
  });

  it('marks a worker lagging past 3 versions and counts it in a metric', async () => {
    const lagging = () => fetch(`${t.url}/metrics`).then((r) => r.text()).then((text) => Number(/ucp_workers_lagging\{environment="dev"\} (\d+)/.exec(text)?.[1]));
    expect(await lagging()).toBe(0);
    for (let i = 0; i < 4; i += 1) await save();
    const worker = expectData(await t.gql(`{ workers(environment: "dev") { name lagVersions lagSeconds lagging } }`, {}, 'viewer')).workers[0];
    expect(worker).toMatchObject({ name: 'paper-1', lagVersions: 4, lagging: true });
    expect(worker.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(await lagging()).toBe(1);
  });
});
