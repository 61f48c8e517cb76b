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
    const metrics = await t.scrape();
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
    const lagging = () => t.scrape().then((text) => Number(/ucp_workers_lagging\{environment="dev"\} (\d+)/.exec(text)?.[1]));
    expect(await lagging()).toBe(0);
    for (let i = 0; i < 4; i += 1) await save();
    const worker = expectData(await t.gql(`{ workers(environment: "dev") { name lagVersions lagSeconds lagging } }`, {}, 'viewer')).workers[0];
    expect(worker).toMatchObject({ name: 'paper-1', lagVersions: 4, lagging: true });
    expect(worker.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(await lagging()).toBe(1);
  });
});

describe('a burst of apply reports (group-committed)', () => {
  const WORKERS = 30;
  const APPLIED = `mutation($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { id appliedVersion } }`;
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;
  let tokenAId: string;
  let workers: string[];
  let timesWorker: string; // a worker of token A that only ever sends a report with bad times
  let otherWorker: string; // token B's
  let version: number;
  let savedAt: number;

  const histogramCount = async () => {
    const text = await t.scrape();
    const match = /^ucp_distribution_latency_seconds_count\{environment="dev"\} (\d+)$/m.exec(text);
    return match ? Number(match[1]) : 0;
  };
  const register = async (name: string, token: string) =>
    expectData(await t.gql(`mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`, { input: { name, mode: 'PAPER', consumes: ['CVN_SIGNAL_THRESHOLD_BUY'] } }, { token })).registerWorker.id as string;
  const createToken = async (name: string) =>
    expectData(await t.gql(`mutation($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment: 'dev', name } })).createServiceToken.token as string;
  const saveVersion = async (value: string): Promise<{ version: number; createdAt: string }> => {
    const active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    return expectData(await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: active, reason: `burst ${value}`, changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value }] } }, 'editor')).updateConfig.version;
  };
  const report = (workerId: string, v: number, offsetMs = 5) => {
    const receivedAt = new Date(savedAt + offsetMs);
    return { workerId, version: v, receivedAt: receivedAt.toISOString(), appliedAt: new Date(receivedAt.getTime() + 2).toISOString(), keys: ['CVN_SIGNAL_THRESHOLD_BUY'] };
  };
  /** The uuid behind a Relay global id (Worker:<uuid>), for the SQL checks. */
  const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').replace(/^Worker:/, '');
  const rowsOf = async (v: number) =>
    (await t.sql.query<{ worker_id: string; n: number }>('SELECT worker_id::text, count(*)::int AS n FROM worker_applies WHERE version = $1 GROUP BY worker_id', [v])).rows;

  /** The statements sent while set (the one-statement check and write). */
  let statements: string[] | undefined;

  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => statements?.push(e.query) });
    tokenA = await createToken('burst-a');
    tokenB = await createToken('burst-b');
    tokenAId = (await t.sql.query<{ id: string }>(`SELECT id::text FROM service_tokens WHERE name = 'burst-a'`)).rows[0]!.id;
    workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => register(`burst-${i}`, tokenA)));
    timesWorker = await register('burst-bad-times', tokenA);
    otherWorker = await register('burst-other', tokenB);
    const saved = await saveVersion('0.61');
    version = saved.version;
    savedAt = new Date(saved.createdAt).getTime();
  });
  afterAll(() => t.close());

  it('settles 30 concurrent reports and each bad one on its own, recording one row and one observation per worker', async () => {
    const before = await histogramCount();
    const good = workers.map((id) => report(id, version));
    const bad = {
      unknown: report(crypto.randomUUID(), version),
      otherToken: report(otherWorker, version),
      appliedBeforeReceived: { ...report(timesWorker, version), appliedAt: new Date(savedAt + 1).toISOString() },
    };
    const responses = await Promise.all([
      ...good.map((input) => t.gql(APPLIED, { input }, { token: tokenA })),
      t.gql(APPLIED, { input: bad.unknown }, { token: tokenA }),
      t.gql(APPLIED, { input: bad.otherToken }, { token: tokenA }),
      t.gql(APPLIED, { input: bad.appliedBeforeReceived }, { token: tokenA }),
      t.gql(APPLIED, { input: good[7] }, { token: tokenA }), // a duplicate of a valid report, in the same burst
    ]);
    const goodResponses = responses.slice(0, WORKERS);
    const [unknown, otherToken, appliedBeforeReceived, duplicate] = responses.slice(WORKERS);
    goodResponses.forEach((response, i) => {
      expect(response.errors, `worker ${i}`).toBeUndefined();
      expect(response.data?.reportWorkerApply.appliedVersion, `worker ${i}`).toBe(version);
    });
    expect(errorCode(unknown!)).toBe('NOT_FOUND');
    expect(errorCode(otherToken!)).toBe('FORBIDDEN');
    expect(errorCode(appliedBeforeReceived!)).toBe('BAD_REQUEST');
    expect(appliedBeforeReceived!.errors?.[0]?.extensions).toMatchObject({ field: 'appliedAt' });
    expect(duplicate!.errors).toBeUndefined();
    expect(duplicate!.data?.reportWorkerApply).toMatchObject({ id: workers[7], appliedVersion: version });

    const rows = await rowsOf(version);
    expect(rows.map((r) => r.worker_id).sort()).toEqual(workers.map(uuidOf).sort()); // none for the refused ones
    expect(rows.every((r) => r.n === 1)).toBe(true); // the duplicate added none
    expect(await histogramCount()).toBe(before + WORKERS);
    const state = (await t.sql.query<{ id: string; applied_version: number | null }>('SELECT id::text, applied_version FROM workers WHERE id = ANY($1::uuid[])', [[...workers, timesWorker, otherWorker].map(uuidOf)])).rows;
    expect(new Map(state.map((w) => [w.id, w.applied_version]))).toEqual(new Map([...workers.map((id) => [uuidOf(id), version] as const), [uuidOf(timesWorker), null], [uuidOf(otherWorker), null]]));
  });

  it('accepts a report re-sent later once: no second row, no second observation', async () => {
    const before = await histogramCount();
    const again = await t.gql(APPLIED, { input: report(workers[3]!, version) }, { token: tokenA });
    expect(expectData(again).reportWorkerApply.appliedVersion).toBe(version);
    expect((await rowsOf(version)).find((r) => r.worker_id === uuidOf(workers[3]!))?.n).toBe(1);
    expect(await histogramCount()).toBe(before);
  });

  /** Three reports of one worker submitted in one synchronous turn, so that one flush sees them all. */
  async function sameBatch(workerIndex: number, value: string) {
    const skipped = await saveVersion(`${value}1`); // never reported by this worker
    const later = await saveVersion(value);
    const viewer = { kind: 'service' as const, tokenId: tokenAId, name: 'burst-a', environmentId: '', environmentName: 'dev' };
    const input = (v: number, offsetMs: number) => {
      const r = report(uuidOf(workers[workerIndex]!), v, offsetMs); // the service takes the raw id
      return { ...r, receivedAt: new Date(r.receivedAt), appliedAt: new Date(r.appliedAt) };
    };
    const laterAt = new Date(later.createdAt).getTime() - savedAt + 5;
    const settled = await Promise.allSettled([
      t.app.services.workers.reportApply(viewer, input(later.version, laterAt)),
      t.app.services.workers.reportApply(viewer, input(later.version, laterAt)), // its duplicate
      t.app.services.workers.reportApply(viewer, input(skipped.version, new Date(skipped.createdAt).getTime() - savedAt + 5)), // older than the first
    ]);
    return { later, settled };
  }

  it('checks reports of one worker in the same batch in order: the newer is recorded once, the older is a CONFLICT', async () => {
    const { later, settled } = await sameBatch(5, '0.62');
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { appliedVersion: later.version } });
    expect(settled[1]).toMatchObject({ status: 'fulfilled' });
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect((await rowsOf(later.version)).find((r) => r.worker_id === uuidOf(workers[5]!))?.n).toBe(1);
    expect((await t.sql.query('SELECT applied_version FROM workers WHERE id = $1', [uuidOf(workers[5]!)])).rows[0]).toEqual({ applied_version: later.version });
  });

  // A duplicate flushed in the same batch as its original answers with the
  // worker as the batch left it, not as it was read before the batch.
  it('answers a duplicate flushed with its original with the worker as the batch left it', async () => {
    const { later, settled } = await sameBatch(6, '0.64');
    expect(settled[1]).toMatchObject({ status: 'fulfilled', value: { appliedVersion: later.version } });
  });

  it('refuses an older report after a newer one with CONFLICT and leaves the worker unchanged', async () => {
    const skipped = await saveVersion('0.655'); // never reported by this worker
    const newer = await saveVersion('0.65');
    const workerId = workers[11]!;
    const newerAt = new Date(newer.createdAt).getTime() - savedAt + 5;
    expect(expectData(await t.gql(APPLIED, { input: report(workerId, newer.version, newerAt) }, { token: tokenA })).reportWorkerApply.appliedVersion).toBe(newer.version);
    const read = async () => (await t.sql.query('SELECT applied_version, received_version, last_applied_at, pending_restart FROM workers WHERE id = $1', [uuidOf(workerId)])).rows[0];
    const before = await read();
    const older = await t.gql(APPLIED, { input: report(workerId, skipped.version, newerAt + 10) }, { token: tokenA });
    expect(errorCode(older)).toBe('CONFLICT');
    expect(older.errors?.[0]?.extensions).toMatchObject({ appliedVersion: newer.version });
    expect(await read()).toEqual(before);
    expect(before).toMatchObject({ applied_version: newer.version });
    expect(await rowsOf(skipped.version)).toEqual([]);
  });

  // What an agent whose socket closed before its posted reports were
  // confirmed sends: the recorded reports again, oldest first.
  it('accepts a re-sent older report already recorded, after newer ones, changing nothing', async () => {
    const newer = await saveVersion('0.66');
    const workerId = workers[12]!;
    const newerAt = new Date(newer.createdAt).getTime() - savedAt + 5;
    expect(expectData(await t.gql(APPLIED, { input: report(workerId, newer.version, newerAt) }, { token: tokenA })).reportWorkerApply.appliedVersion).toBe(newer.version);
    const read = async () => (await t.sql.query('SELECT applied_version, received_version, last_applied_at, pending_restart FROM workers WHERE id = $1', [uuidOf(workerId)])).rows[0];
    const before = await read();
    const observed = await histogramCount();
    const again = await t.gql(APPLIED, { input: report(workerId, version) }, { token: tokenA }); // recorded in the burst
    expect(expectData(again).reportWorkerApply).toEqual({ id: workerId, appliedVersion: newer.version });
    expect(await read()).toEqual(before);
    expect((await rowsOf(version)).filter((r) => r.worker_id === uuidOf(workerId))).toEqual([{ worker_id: uuidOf(workerId), n: 1 }]);
    expect(await histogramCount()).toBe(observed);
  });

  // A version's fleet reports one per worker: such a batch is checked and
  // written by one statement, and must reach every verdict the two-statement
  // path reaches (the batches above with a worker twice take that path).
  it('checks and writes a batch of distinct workers in one statement, with the same verdicts', async () => {
    const v1 = await saveVersion('0.71');
    const v2 = await saveVersion('0.72');
    const at = (v: { createdAt: string }) => new Date(v.createdAt).getTime() - savedAt + 5;
    const viewer = { kind: 'service' as const, tokenId: tokenAId, name: 'burst-a', environmentId: '', environmentName: 'dev' };
    const input = (workerId: string, v: number, offsetMs: number, overrides: Record<string, unknown> = {}) => {
      const r = { ...report(uuidOf(workerId), v, offsetMs), ...overrides };
      return { ...r, receivedAt: new Date(r.receivedAt), appliedAt: new Date(r.appliedAt) };
    };
    const [ahead, resent, fresh1, fresh2, missing] = [workers[21]!, workers[22]!, workers[23]!, workers[24]!, workers[25]!];
    for (const [id, v] of [[ahead, v2], [resent, v1], [resent, v2]] as const) {
      await t.app.services.workers.reportApply(viewer, input(id, v.version, at(v)));
    }
    const before = await histogramCount();
    statements = [];
    const settled = await Promise.allSettled([
      t.app.services.workers.reportApply(viewer, input(fresh1, v2.version, at(v2))),
      t.app.services.workers.reportApply(viewer, input(fresh2, v1.version, at(v1))),
      t.app.services.workers.reportApply(viewer, input(ahead, v1.version, at(v1))), // older, never recorded
      t.app.services.workers.reportApply(viewer, input(resent, v1.version, at(v1))), // recorded: a re-send
      t.app.services.workers.reportApply(viewer, input(missing, v2.version + 50, at(v2))),
      t.app.services.workers.reportApply(viewer, input(timesWorker, v2.version, at(v2), { appliedAt: new Date(savedAt).toISOString() })),
      t.app.services.workers.reportApply(viewer, input(otherWorker, v2.version, at(v2))),
      t.app.services.workers.reportApply(viewer, { ...input(fresh1, v2.version, 0), workerId: crypto.randomUUID() }),
    ]);
    const sent = statements;
    statements = undefined;
    expect(sent.filter((q) => q.includes('json_to_recordset'))).toHaveLength(1);
    expect(sent.filter((q) => q.includes('INSERT INTO worker_applies'))).toHaveLength(1);

    const codes = settled.map((o) => (o.status === 'fulfilled' ? o.value.appliedVersion : (o.reason as { code: string }).code));
    expect(codes).toEqual([v2.version, v1.version, 'CONFLICT', v2.version, 'BAD_REQUEST', 'BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND']);
    const rows = async (v: number) => (await rowsOf(v)).filter((r) => [fresh1, fresh2, ahead, resent, missing, timesWorker, otherWorker].map(uuidOf).includes(r.worker_id));
    expect(new Set((await rows(v2.version)).map((r) => r.worker_id))).toEqual(new Set([uuidOf(ahead), uuidOf(resent), uuidOf(fresh1)]));
    expect(new Set((await rows(v1.version)).map((r) => r.worker_id))).toEqual(new Set([uuidOf(resent), uuidOf(fresh2)]));
    expect([...await rows(v1.version), ...await rows(v2.version)].every((r) => r.n === 1)).toBe(true);
    expect(await histogramCount()).toBe(before + 2);
    const { rows: latency } = await t.sql.query<{ latency_ms: number }>('SELECT latency_ms FROM worker_applies WHERE worker_id = $1 AND version = $2', [uuidOf(fresh1), v2.version]);
    expect(latency).toEqual([{ latency_ms: 7 }]); // applied 5 + 2 ms after the save (report())
  });

  it('records a first report of the version a status report already set, and accepts a capitalised worker id', async () => {
    const workerId = workers[20]!;
    const uuid = uuidOf(workerId);
    const fresh = await saveVersion('0.69');
    await t.gql(`mutation($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { id } }`, { input: { workerId, status: 'READY', appliedVersion: fresh.version } }, { token: tokenA });
    const before = await histogramCount();
    const at = new Date(fresh.createdAt).getTime() - savedAt + 5;
    const recorded = await t.gql(APPLIED, { input: report(uuid.toUpperCase(), fresh.version, at) }, { token: tokenA });
    expect(expectData(recorded).reportWorkerApply.appliedVersion).toBe(fresh.version);
    expect((await rowsOf(fresh.version)).find((r) => r.worker_id === uuid)?.n).toBe(1);
    expect(await histogramCount()).toBe(before + 1);
  });

  it('refuses names with control characters as BAD_REQUEST without failing the reports beside it', async () => {
    const later = await saveVersion('0.66');
    const at = new Date(later.createdAt).getTime() - savedAt + 5;
    const [nul, fine] = await Promise.all([
      t.gql(APPLIED, { input: { ...report(workers[21]!, later.version, at), keys: ['CVN_SIGNAL_THRESHOLD_BUY\u0000'] } }, { token: tokenA }),
      t.gql(APPLIED, { input: report(workers[22]!, later.version, at) }, { token: tokenA }),
    ]);
    expect(errorCode(nul)).toBe('BAD_REQUEST');
    expect(nul.errors?.[0]?.extensions).toMatchObject({ field: 'keys' });
    expect(expectData(fine).reportWorkerApply.appliedVersion).toBe(later.version);
  });

  it('keeps the pending-restart list of an earlier report in the batch when the last one carries none', async () => {
    const first = await saveVersion('0.67');
    const second = await saveVersion('0.68');
    const viewer = { kind: 'service' as const, tokenId: tokenAId, name: 'burst-a', environmentId: '', environmentName: 'dev' };
    const input = (v: number, createdAt: string, pendingRestart?: string[]) => {
      const receivedAt = new Date(new Date(createdAt).getTime() + 3);
      return { workerId: uuidOf(workers[23]!), version: v, receivedAt, appliedAt: new Date(receivedAt.getTime() + 1), keys: [], pendingRestart };
    };
    await Promise.all([
      t.app.services.workers.reportApply(viewer, input(first.version, first.createdAt, ['CVN_ATR_PERIOD'])),
      t.app.services.workers.reportApply(viewer, input(second.version, second.createdAt)),
    ]);
    const { rows } = await t.sql.query('SELECT applied_version, pending_restart FROM workers WHERE id = $1', [uuidOf(workers[23]!)]);
    expect(rows[0]).toEqual({ applied_version: second.version, pending_restart: ['CVN_ATR_PERIOD'] });
  });
});
