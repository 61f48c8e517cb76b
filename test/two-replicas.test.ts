// Issue 13: two server processes (`npm start`, spawned) on ONE PostgreSQL
// database, as the two API replicas of k8s/configuration-api.yaml run. Every
// piece of state a client can reach from either replica must live in the
// database: versions and their order, apply reports, sessions, the resume
// point of a subscription, the lag and latency figures.
//
// The scenarios run in order on the same two replicas; the last one kills
// replica A with SIGKILL. No sleeps: every wait is on an agent event, a
// subscription event or a process exit, bounded by a timeout.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkFleetDelivery, createAgentFleet, type AgentFleet, type FleetMember } from '../runtime-agent/test/support/agent-fleet.ts';
import { createConfigHistory, type ConfigHistory } from '../runtime-agent/test/support/config-history.ts';
import { createServiceToken, graphqlClient, type Gql } from '../runtime-agent/test/support/graphql-client.ts';
import { AgentEvent, createRuntimeAgent } from '../runtime-agent/src/index.ts';
import { nextEvent } from '../runtime-agent/test/support/wait-for.ts';
import { samplesOf, sampleValue, scrape, type Sample } from './support/prometheus-exposition.ts';
import { spawnProduct, type RunningProduct } from './support/spawn-product.ts';
import { errorCode, expectData, testMetricsToken, type GraphQLResponse } from './support/start-test-app.ts';
import { subscribeWs, type Subscription } from './support/subscription-clients.ts';
import { startTcpFailover } from './support/tcp-failover.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { testPasswords } from './support/test-passwords.ts';

// Two product processes and a few dozen sockets on a 2-core machine shared
// with other test files; the waits inside have their own, tighter limits.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const BUY = 'CVN_SIGNAL_THRESHOLD_BUY';
const SELL = 'CVN_SIGNAL_THRESHOLD_SELL';
const CUSUM = 'CVN_CUSUM_THRESHOLD';
type Consumed = typeof BUY | typeof SELL | typeof CUSUM;
const consumesOf = (i: number) => (i % 2 === 0 ? [BUY, CUSUM] as const : [BUY, SELL] as const);
/** No heartbeat during a scenario: its anti-entropy resync would hide a version the stream lost. */
const NO_HEARTBEAT = 600_000;

const WORKERS = `query ($environment: String!) {
  workers(environment: $environment) { name status appliedVersion receivedVersion lagVersions lagSeconds lagging pendingRestart lastAppliedAt lastHeartbeatAt }
}`;
const RECENT_APPLIES = `query ($environment: String!) { recentApplies(environment: $environment, last: 1000) { version latencyMs receivedAt appliedAt worker { name } } }`;
const REGISTER = `mutation ($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`;
const REPORT_APPLY = `mutation ($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { appliedVersion } }`;
const REPORT_STATUS = `mutation ($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { status } }`;
const CONFIG_CHANGED = `subscription ($env: String!, $after: Int) { configChanged(environment: $env, afterVersion: $after) { version } }`;

interface Replica {
  name: 'A' | 'B';
  product: RunningProduct;
  gql: Gql;
  url: string;
  port: number;
}

/** Teardown in reverse order of setup, each step isolated from the others' failures. */
function disposer() {
  const steps: (() => Promise<unknown> | unknown)[] = [];
  return {
    add: (step: () => Promise<unknown> | unknown) => void steps.push(step),
    async run() {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error('teardown step failed:', error);
        }
      }
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Every version after the boot one, received once, in order, through the stream (no resync papered over a loss). */
function expectReceivedOnceInOrder(members: FleetMember<Consumed>[], active: number): void {
  const off = members
    .map((m) => ({ name: m.name, got: m.received.map((r) => `${r.version}:${r.via}`), want: range(m.bootVersion + 1, active).map((v) => `${v}:stream`) }))
    .filter(({ got, want }) => got.join() !== want.join());
  expect(off.slice(0, 3)).toEqual([]);
}

describe('two server replicas on one PostgreSQL', () => {
  const teardown = disposer();
  let db: TestDatabase;
  let sql: pg.Client;
  let a: Replica;
  let b: Replica;
  let token: string;
  let fleet: AgentFleet<Consumed>;
  let history: ConfigHistory;
  /** The replica the next save goes to. */
  let saveOn: Replica;

  /** Apply reports recorded per worker name and version: more than one is a duplicate. */
  async function recordedApplies(namePattern: string): Promise<Map<string, number[]>> {
    const { rows } = await sql.query<{ name: string; version: number }>(
      `SELECT w.name, a.version FROM worker_applies a JOIN workers w ON w.id = a.worker_id WHERE w.name LIKE $1 ORDER BY w.name, a.version, a.id`, [namePattern]);
    const byName = new Map<string, number[]>();
    for (const { name, version } of rows) byName.set(name, [...(byName.get(name) ?? []), version]);
    return byName;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    teardown.add(() => db.drop());
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    teardown.add(() => sql.end());
    // As in production: the owner migrates, the server runs as the application role.
    const env = { DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.url, PAPER_WORKER: 'false', LOG_LEVEL: 'warn', METRICS_TOKEN: testMetricsToken };
    const spawned = await Promise.allSettled([spawnProduct(env), spawnProduct(env)]);
    for (const result of spawned) if (result.status === 'fulfilled') teardown.add(() => result.value.stop('SIGKILL'));
    const [pa, pb] = spawned.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [RunningProduct, RunningProduct];
    const replica = (name: 'A' | 'B', product: RunningProduct): Replica =>
      ({ name, product, url: product.url, port: Number(new URL(product.url).port), gql: graphqlClient(() => product.url) });
    a = replica('A', pa);
    b = replica('B', pb);
    expect(a.port).not.toBe(b.port);

    token = await createServiceToken(a.gql, 'dev', 'two-replicas');
    saveOn = a;
    history = await createConfigHistory(graphqlClient(() => saveOn.url), 'dev');
  });
  beforeEach(({ onTestFailed }) => {
    // What the replicas logged (warn and up) explains most failures here.
    onTestFailed(() => {
      for (const r of [a, b]) if (r) console.error(`replica ${r.name}:\n${r.product.output().slice(-4_000)}`);
    });
  });
  afterAll(() => teardown.run());

  it('agents connected to either replica receive every version of a burst saved on both alternately, in order, exactly once', async () => {
    fleet = createAgentFleet<Consumed>({
      count: 12,
      base: { url: a.url, token, environment: 'dev', mode: 'PAPER', heartbeatIntervalMs: NO_HEARTBEAT, retry: { baseMs: 20, maxMs: 200 } },
      consumes: (i) => consumesOf(Math.floor(i / 2)),
      workerName: (i) => `replica-${i % 2 === 0 ? 'a' : 'b'}-${i}`,
      overrides: (i) => ({ url: i % 2 === 0 ? a.url : b.url }),
    });
    teardown.add(() => fleet.close());
    await fleet.start();

    for (let i = 0; i < 40; i += 1) {
      saveOn = i % 2 === 0 ? a : b;
      await history.change(i % 3 === 0 ? CUSUM : i % 3 === 1 ? BUY : SELL);
    }
    await fleet.allApplied(history.active, 30_000);

    const delivery = checkFleetDelivery(fleet.members, history);
    expect(delivery.problems.slice(0, 10)).toEqual([]);
    expect(delivery.resyncs).toBe(0);
    expectReceivedOnceInOrder(fleet.members, history.active);
  });

  it('records the apply reports sent to either replica once, even the same report sent to both at the same instant', async () => {
    await Promise.all(fleet.members.map((m) => m.agent.flush()));
    const recorded = await recordedApplies('replica-_-%');
    for (const member of fleet.members) expect({ name: member.name, versions: recorded.get(member.name) }).toEqual({ name: member.name, versions: member.applies.map((x) => x.version) });

    // A report re-sent to the other replica while the first still writes it
    // (a retry after a lost answer, through a load balancer): both must
    // accept it, and it must be recorded once.
    const id = expectData(await a.gql<{ registerWorker: { id: string } }>(REGISTER, { input: { name: 'twin-reporter', mode: 'PAPER', consumes: [BUY] } }, { token })).registerWorker.id;
    const versions = history.saved.slice(0, 25).map((s) => s.version);
    for (const version of versions) {
      const input = { workerId: id, version, receivedAt: new Date().toISOString(), appliedAt: new Date().toISOString(), keys: [BUY] };
      const answers = await Promise.all([a.gql(REPORT_APPLY, { input }, { token }), b.gql(REPORT_APPLY, { input }, { token })]);
      for (const answer of answers) expect(expectData(answer).reportWorkerApply.appliedVersion).toBe(version);
    }
    expect((await recordedApplies('twin-reporter')).get('twin-reporter')).toEqual(versions);
    // Gone: it must not count as a lagging worker below.
    expectData(await b.gql(REPORT_STATUS, { input: { workerId: id, status: 'STOPPED' } }, { token }));
  });

  it('accepts a console session made on one replica on the other, with its CSRF token, and ends it on both', async () => {
    const signIn = await fetch(`${a.url}/auth/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: testPasswords.editor }),
    });
    expect(signIn.status).toBe(200);
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0] as string);
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['ucp_session', 'ucp_csrf']);
    const cookie = cookies.join('; ');
    const csrf = (cookies[1] as string).slice('ucp_csrf='.length);
    const post = (replica: Replica, headers: Record<string, string>): Promise<GraphQLResponse<{ viewer: { name: string; role: string } }>> => fetch(`${replica.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ query: '{ viewer { name role } }' }),
    }).then(async (r) => ({ status: r.status, ...(await r.json()) as object }));

    expect((await (await fetch(`${b.url}/auth/session`, { headers: { cookie } })).json())).toMatchObject({ user: { username: 'editor' } });
    expect((await post(b, { 'x-csrf-token': csrf })).data?.viewer).toEqual({ name: 'editor', role: 'EDITOR' });
    expect(errorCode(await post(b, {}))).toBe('FORBIDDEN'); // the CSRF check holds on B too
    expect(errorCode(await post(b, { 'x-csrf-token': 'csrf_forged' }))).toBe('FORBIDDEN');

    const signOut = await fetch(`${b.url}/auth/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(signOut.status).toBeLessThan(300);
    const after = await post(a, { 'x-csrf-token': csrf });
    expect([after.status, errorCode(after)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('reads the same lag and latency figures from both replicas (GraphQL and /metrics)', async () => {
    // One worker held inside a decision cycle while 4 versions are saved: it
    // receives them, applies none, and is lagging (more than 3 behind).
    const lagger = createRuntimeAgent({
      url: b.url, token, environment: 'dev', workerName: 'replica-lagging', mode: 'PAPER', consumes: [BUY],
      heartbeatIntervalMs: NO_HEARTBEAT, logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    teardown.add(() => lagger.close());
    await lagger.ready();
    lagger.cycleStart();
    for (let i = 0; i < 4; i += 1) {
      saveOn = i % 2 === 0 ? b : a;
      await history.change(BUY);
    }
    if (lagger.receivedVersion < history.active) await nextEvent(lagger, AgentEvent.Received, (d) => d.version === history.active, 10_000);
    await fleet.allApplied(history.active, 30_000);
    await Promise.all([lagger.flush(), ...fleet.members.map((m) => m.agent.flush())]);

    const read = async (replica: Replica) => {
      const at = Date.now();
      const [workers, applies, metrics] = await Promise.all([
        replica.gql<{ workers: Record<string, any>[] }>(WORKERS, { environment: 'dev' }).then((r) => expectData(r).workers.sort((x, y) => x.name.localeCompare(y.name))),
        replica.gql<{ recentApplies: unknown[] }>(RECENT_APPLIES, { environment: 'dev' }).then((r) => expectData(r).recentApplies),
        scrape(`${replica.url}/metrics`, { authorization: `Bearer ${testMetricsToken}` }),
      ]);
      return { at, done: Date.now(), workers, applies, metrics };
    };
    const onA = await read(a);
    const onB = await read(b);
    // lagSeconds is "now minus a commit time": it may grow by the time between the two reads, nothing else.
    const drift = (onB.done - onA.at) / 1000 + 0.05;

    const lagging = onA.workers.find((w) => w.name === 'replica-lagging');
    expect(lagging).toMatchObject({ status: 'READY', receivedVersion: history.active, appliedVersion: history.active - 4, lagVersions: 4, lagging: true });
    expect(lagging?.lagSeconds).toBeGreaterThan(0);
    const withoutSeconds = (workers: Record<string, any>[]) => workers.map(({ lagSeconds: _, ...rest }) => rest);
    expect(withoutSeconds(onB.workers)).toEqual(withoutSeconds(onA.workers));
    onA.workers.forEach((w, i) => {
      const other = onB.workers[i]?.lagSeconds as number | null;
      if (w.lagSeconds === null || other === null) expect(other).toBe(w.lagSeconds);
      else expect(Math.abs(other - w.lagSeconds)).toBeLessThanOrEqual(drift);
    });
    expect(onB.applies).toEqual(onA.applies);
    expect(onA.applies.length).toBeGreaterThan(fleet.members.length * 40);

    // /metrics: the lagging count and the per-worker series of shared state
    // are the database's, so both replicas report the same values.
    expect(sampleValue(onA.metrics, 'ucp_workers_lagging', { environment: 'dev' })).toBe(1);
    expect(sampleValue(onB.metrics, 'ucp_workers_lagging', { environment: 'dev' })).toBe(1);
    const shared = (samples: Sample[]) => samples.filter((s) => s.name.startsWith('ucp_worker_')).sort((x, y) => JSON.stringify([x.name, x.labels]).localeCompare(JSON.stringify([y.name, y.labels])));
    const [sharedA, sharedB] = [shared(onA.metrics), shared(onB.metrics)];
    expect(sharedB.map(({ name, labels }) => ({ name, labels }))).toEqual(sharedA.map(({ name, labels }) => ({ name, labels })));
    sharedA.forEach((sample, i) => {
      const other = sharedB[i]?.value as number;
      if (sample.name === 'ucp_worker_lag_seconds') expect(Math.abs(other - sample.value)).toBeLessThanOrEqual(drift);
      else expect({ series: sample.name, labels: sample.labels, value: other }).toEqual({ series: sample.name, labels: sample.labels, value: sample.value });
    });
    expect(sampleValue(onA.metrics, 'ucp_worker_lag_versions', { environment: 'dev', worker: 'replica-lagging' })).toBe(4);

    // The latency histogram is per process (each replica observes the reports
    // it recorded, as the alert rule's sum over replicas expects): together
    // they hold every recorded apply exactly once.
    const { rows: [totals] } = await sql.query<{ count: number; seconds: number }>(
      `SELECT count(*)::int AS count, COALESCE(sum(a.latency_ms), 0) / 1000 AS seconds FROM worker_applies a JOIN workers w ON w.id = a.worker_id JOIN environments e ON e.id = w.environment_id WHERE e.name = 'dev'`);
    const histogram = (samples: Sample[], part: 'count' | 'sum') => sampleValue(samples, `ucp_distribution_latency_seconds_${part}`, { environment: 'dev' }) ?? 0;
    expect(histogram(onA.metrics, 'count') + histogram(onB.metrics, 'count')).toBe(totals?.count);
    expect(histogram(onA.metrics, 'count')).toBeGreaterThan(0);
    expect(histogram(onB.metrics, 'count')).toBeGreaterThan(0);
    expect(histogram(onA.metrics, 'sum') + histogram(onB.metrics, 'sum')).toBeCloseTo(Number(totals?.seconds), 3);

    const applied = nextEvent(lagger, AgentEvent.ConfigurationChanged);
    lagger.cycleEnd();
    expect((await applied).version).toBe(history.active);
    await lagger.close();
    await fleet.close();
  });

  it('resumes a subscription on the other replica after its replica is killed (SIGKILL): no gap, no duplicate', async () => {
    // Raw graphql-ws on A, and agents behind a front that routes new
    // connections to the first replica alive (as a Service does): they start
    // on A and must carry on from B by themselves.
    history = await createConfigHistory(b.gql, 'dev');
    const start = history.active;
    const pick = (data: { configChanged: { version: number } }) => data.configChanged.version;
    const fromA: Subscription<number> = subscribeWs(a.url, CONFIG_CHANGED, { env: 'dev', after: start }, pick);
    teardown.add(() => fromA.close());
    const front = await startTcpFailover([{ port: a.port }, { port: b.port }]);
    teardown.add(() => front.close());
    const failover = createAgentFleet<Consumed>({
      count: 4,
      base: { url: front.url, token, environment: 'dev', mode: 'PAPER', heartbeatIntervalMs: NO_HEARTBEAT, retry: { baseMs: 50, maxMs: 500 } },
      consumes: consumesOf,
      workerName: (i) => `failover-${i}`,
    });
    teardown.add(() => failover.close());
    await failover.start();

    for (let i = 0; i < 3; i += 1) await history.change(i % 2 === 0 ? BUY : CUSUM);
    expect(await fromA.take(3)).toEqual(range(start + 1, start + 3));
    await failover.allApplied(history.active, 15_000);
    expect(new Set(front.routed)).toEqual(new Set([a.port]));

    // A dies in the middle of a burst saved on B.
    let killed: Promise<number | null> | undefined;
    for (let i = 0; i < 12; i += 1) {
      await history.change(i % 2 === 0 ? CUSUM : BUY);
      if (i === 3) killed = a.product.stop('SIGKILL');
    }
    expect(await killed).toBe(null);

    const received: number[] = [];
    for (;;) {
      try {
        received.push(...(await fromA.take(1, 10_000)));
      } catch {
        break; // the socket to A is gone
      }
    }
    expect(received).toEqual(range(start + 4, start + 3 + received.length));
    const lastFromA = start + 3 + received.length;
    expect(lastFromA).toBeLessThan(history.active);

    const fromB = subscribeWs(b.url, CONFIG_CHANGED, { env: 'dev', after: lastFromA }, pick);
    teardown.add(() => fromB.close());
    expect(await fromB.take(history.active - lastFromA)).toEqual(range(lastFromA + 1, history.active));
    await history.change(BUY); // and live after the replay
    expect(await fromB.take(1)).toEqual([history.active]);

    await failover.allApplied(history.active, 30_000);
    const delivery = checkFleetDelivery(failover.members, history);
    expect(delivery.problems.slice(0, 10)).toEqual([]);
    expectReceivedOnceInOrder(failover.members, history.active);
    expect(front.routed).toContain(b.port);

    // Reports in flight when A died were retried on B: each apply recorded once, none lost.
    await Promise.all(failover.members.map((m) => m.agent.flush()));
    const recorded = await recordedApplies('failover-%');
    for (const member of failover.members) expect({ name: member.name, versions: recorded.get(member.name) }).toEqual({ name: member.name, versions: member.applies.map((x) => x.version) });
    const rows = expectData(await b.gql<{ workers: { name: string; appliedVersion: number; lagVersions: number }[] }>(WORKERS, { environment: 'dev' })).workers;
    for (const member of failover.members) expect(rows.find((w) => w.name === member.name)).toMatchObject({ appliedVersion: history.active, lagVersions: 0 });
  });
});
