// Issue 3, "Faults": real PostgreSQL, real servers (in-process, or spawned as
// `npm start` would), real agents. Each scenario ends with every agent on the
// active version, having applied versions in order, none twice, none skipped
// (a jump is allowed only when a full resync the agent logged covers it), and
// holding exactly the consumed values of each version it applied
// (support/agent-fleet.ts, checkDelivery).
//
// Agents are idle (no cycle open) and consume hot-reloadable THRESHOLD
// parameters, so a version applies on receipt. Their heartbeat (the status
// report whose anti-entropy check triggers a resync) is long on purpose: a
// version lost by the stream would show up as a failure here instead of being
// papered over by a heartbeat resync.
//
// No sleeps: every wait is on an agent event, a log line or a process event,
// bounded by a timeout.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Each scenario drives real processes and hundreds of sockets; on a 2-core
// machine running other test files beside it, that takes well over the
// default 30 s. The waits inside still have their own, tighter limits.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
import { spawnProduct, type RunningProduct } from '../../test/support/spawn-product.ts';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { AgentStatus, type RuntimeAgentOptions } from '../src/index.ts';
import { checkFleetDelivery, createAgentFleet, type AgentFleet, type FleetMember } from './support/agent-fleet.ts';
import { createConfigHistory, type ConfigHistory } from './support/config-history.ts';
import { freePort } from './support/free-port.ts';
import { createServiceToken, graphqlClient, type Gql } from './support/graphql-client.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const BUY = 'CVN_SIGNAL_THRESHOLD_BUY';
const SELL = 'CVN_SIGNAL_THRESHOLD_SELL';
const CUSUM = 'CVN_CUSUM_THRESHOLD';
/** Half of each fleet consumes CUSUM, half SELL: the CUSUM versions change nothing the second half reads. */
const consumesOf = (i: number) => (i % 2 === 0 ? [BUY, CUSUM] as const : [BUY, SELL] as const);
type Consumed = typeof BUY | typeof SELL | typeof CUSUM;

/** Long enough that no heartbeat (and its anti-entropy resync) runs during a scenario. */
const NO_HEARTBEAT = 600_000;
/** A paper worker's options on `url` with `token`, without heartbeats (each fault's own settings over them). */
const paperBase = (url: string, token: string, settings: Partial<RuntimeAgentOptions<Consumed>> = {}) => ({
  url, token, environment: 'dev', mode: 'PAPER' as const, heartbeatIntervalMs: NO_HEARTBEAT, ...settings,
});

const WORKERS = `query ($environment: String!) { workers(environment: $environment) { name status appliedVersion receivedVersion lagVersions } }`;
interface WorkerRow { name: string; status: string; appliedVersion: number | null; receivedVersion: number | null; lagVersions: number | null }

/** Teardown in reverse order of setup, each step isolated from the others' failures. */
function disposer() {
  const steps: (() => Promise<unknown> | unknown)[] = [];
  return {
    add(step: () => Promise<unknown> | unknown): void {
      steps.push(step);
    },
    async run() {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error('teardown step failed:', error);
        }
      }
      steps.length = 0;
    },
  };
}

async function workersByName(gql: Gql): Promise<Map<string, WorkerRow>> {
  const { workers } = expectData(await gql<{ workers: WorkerRow[] }>(WORKERS, { environment: 'dev' }));
  return new Map(workers.map((w) => [w.name, w]));
}

/** Every agent has sent its reports, and the server's registry agrees with it. */
async function expectRegistryInSync(gql: Gql, members: FleetMember<Consumed>[], active: number): Promise<void> {
  await Promise.all(members.map((m) => m.agent.flush()));
  const rows = await workersByName(gql);
  const off = members
    .map((m) => ({ name: m.name, row: rows.get(m.name) }))
    .filter(({ row }) => !row || row.appliedVersion !== active || row.status !== 'READY' || row.lagVersions !== 0);
  expect(off.slice(0, 5)).toEqual([]);
}

function expectGapFree(fleet: AgentFleet<Consumed>, history: ConfigHistory) {
  const result = checkFleetDelivery(fleet.members, history);
  expect(result.problems.slice(0, 10)).toEqual([]);
  return result;
}

const ms = (from: number, to: number) => Math.round(to - from);

describe('Fault: the server’s LISTEN connection is killed during a burst of changes', () => {
  const teardown = disposer();
  let t: TestApp;
  let history: ConfigHistory;
  let fleet: AgentFleet<Consumed>;

  beforeAll(async () => {
    t = await startTestApp();
    teardown.add(() => t.close());
    const token = await createServiceToken(t.gql, 'dev', 'fault-listen');
    history = await createConfigHistory(t.gql, 'dev');
    fleet = createAgentFleet<Consumed>({
      count: 20,
      base: paperBase(t.url, token, { retry: { baseMs: 20, maxMs: 200 } }),
      consumes: consumesOf,
      workerName: (i) => `listen-fault-${i}`,
    });
    teardown.add(() => fleet.close());
    await fleet.start();
  });
  afterAll(() => teardown.run());

  it('20 agents apply all 100 versions of the burst in order, once, through the stream', async () => {
    const admin = new pg.Client({ connectionString: t.db.url });
    await admin.connect();
    teardown.add(() => admin.end());
    const metric = async (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(await t.scrape())?.[1] ?? 0);
    const before = { reconnects: await metric('ucp_listen_reconnects_total'), replayed: await metric('ucp_listen_versions_replayed_total') };
    const started = performance.now();
    // Saves 30 to 34 run while the LISTEN connection is killed each time it
    // comes back (a flapping link): one kill alone usually heals before the
    // next commit, and then no NOTIFY is lost and the replay path goes untested.
    let flapping: Promise<number> | undefined;
    let flap = false;
    for (let i = 0; i < 100; i += 1) {
      if (i === 30) {
        flap = true;
        flapping = (async () => {
          let kills = 0;
          while (flap) {
            const killed = await admin.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'ucp-listen' AND datname = current_database()`);
            kills += killed.rowCount ?? 0;
          }
          return kills;
        })();
      }
      if (i === 35) flap = false;
      await history.change(i % 2 === 0 ? BUY : CUSUM);
    }
    const kills = await flapping;
    const saved = performance.now();
    await fleet.allApplied(history.active, 20_000);
    const applied = performance.now();

    const { resyncs, receivedVia } = expectGapFree(fleet, history);
    // The bridge replays what NOTIFY lost while LISTEN was down: the stream
    // alone carries every version, no agent had to resync.
    expect(resyncs).toBe(0);
    expect(receivedVia).toEqual({ stream: 20 * 100 });
    for (const m of fleet.members) expect(m.applies.map((a) => a.version)).toEqual(history.saved.map((s) => s.version));
    await expectRegistryInSync(t.gql, fleet.members, history.active);
    const after = { reconnects: await metric('ucp_listen_reconnects_total'), replayed: await metric('ucp_listen_versions_replayed_total') };
    // The fault was real: LISTEN went down, came back, and NOTIFYs were lost and replayed.
    expect(kills).toBeGreaterThan(0);
    expect(after.reconnects).toBeGreaterThan(before.reconnects);
    expect(after.replayed).toBeGreaterThan(before.replayed);
    console.info(`[fault 1] 100 saves in ${ms(started, saved)} ms; LISTEN killed ${kills} times during saves 30-34 (${after.reconnects - before.reconnects} reconnects, ${after.replayed - before.replayed} versions replayed by the bridge); every agent on ${history.active} ${ms(saved, applied)} ms after the last save`);
  });
});

describe('Fault: the server process is killed with SIGKILL and restarted while agents run', () => {
  const teardown = disposer();
  let db: TestDatabase;
  let env: Record<string, string>;
  let product: RunningProduct;
  let gql: Gql;
  let history: ConfigHistory;
  let fleet: AgentFleet<Consumed>;

  beforeAll(async () => {
    db = await createTestDatabase();
    teardown.add(() => db.drop());
    env = { PORT: String(await freePort()), DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.url, PAPER_WORKER: 'false', LOG_LEVEL: 'warn' };
    product = await spawnProduct(env);
    teardown.add(() => product.stop('SIGKILL'));
    gql = graphqlClient(() => product.url);
    const token = await createServiceToken(gql, 'dev', 'fault-sigkill');
    history = await createConfigHistory(gql, 'dev');
    fleet = createAgentFleet<Consumed>({
      count: 20,
      // Backoff base 2 s, cap 8 s (full jitter, contract/backoff.ts): after a
      // couple of seconds down, the agents' next attempts spread over up to
      // 8 s after the server is back, so the saves made right after the
      // restart land before some reconnect (even on a loaded CI machine).
      base: paperBase(product.url, token, { retry: { baseMs: 2_000, maxMs: 8_000 } }),
      consumes: consumesOf,
      workerName: (i) => `sigkill-fault-${i}`,
    });
    teardown.add(() => fleet.close());
    await fleet.start();
  });
  afterAll(() => teardown.run());

  it('agents reconnect by themselves and resume without a gap: saves before the kill, right after the restart, and after', async () => {
    // Before the kill: applied by all, then one more saved and the server
    // killed at once, so it may die before or after fanning it out.
    for (let i = 0; i < 3; i += 1) await history.change(i % 2 === 0 ? BUY : CUSUM);
    await fleet.allApplied(history.active, 10_000);
    const inFlight = await history.change(BUY);
    const killedAt = performance.now();
    const hadInFlight = fleet.members.filter((m) => m.agent.receivedVersion >= inFlight).length;
    expect(await product.stop('SIGKILL')).toBe(null);
    await fleet.until((m) => m.events('listen_disconnected').some((e) => e.at > killedAt), 10_000, 'every agent to see the stream drop');

    product = await spawnProduct(env);
    const upAt = performance.now();
    expect(product.url).toBe(`http://127.0.0.1:${env.PORT}`);
    // Right after the restart, before (most) agents are back.
    for (let i = 0; i < 3; i += 1) await history.change(i % 2 === 0 ? CUSUM : BUY);
    const savedAfterRestart = performance.now();
    const reconnectedAt = (m: FleetMember<Consumed>) => m.events('listen_reconnect').find((e) => e.at > killedAt)?.at;
    await fleet.until((m) => reconnectedAt(m) !== undefined, 15_000, 'every agent to reconnect');
    const late = fleet.members.filter((m) => (reconnectedAt(m) as number) > savedAfterRestart).length;
    // At least one agent was still backing off when those versions committed:
    // it got them only from the resumed subscription's replay.
    expect(late).toBeGreaterThan(0);

    for (let i = 0; i < 3; i += 1) await history.change(i % 2 === 0 ? BUY : CUSUM);
    await fleet.allApplied(history.active, 10_000);
    const { resyncs, receivedVia } = expectGapFree(fleet, history);
    expect(resyncs).toBe(0);
    expect(receivedVia).toEqual({ stream: 20 * history.saved.length });
    await expectRegistryInSync(gql, fleet.members, history.active);
    const reconnects = fleet.members.map((m) => reconnectedAt(m) as number);
    console.info(`[fault 2] down ${ms(killedAt, upAt)} ms (SIGKILL to restarted); reconnects ${ms(upAt, Math.min(...reconnects))}..${ms(upAt, Math.max(...reconnects))} ms after restart; ${hadInFlight}/20 had the version saved just before the kill; ${late}/20 reconnected after the 3 post-restart saves`);
  });
});

describe('Fault: one agent’s socket is cut for longer than its staleness budget', () => {
  const teardown = disposer();
  let t: TestApp;
  let history: ConfigHistory;
  let resetProxy: TcpProxy;
  let silentProxy: TcpProxy;
  let fleet: AgentFleet<Consumed>;
  let cut: FleetMember<Consumed>;
  let silent: FleetMember<Consumed>;
  let control: FleetMember<Consumed>;
  const BUDGET = 300;
  const KEEP_ALIVE = 200;

  beforeAll(async () => {
    t = await startTestApp();
    teardown.add(() => t.close());
    resetProxy = await startTcpProxy({ port: t.app.port });
    teardown.add(() => resetProxy.close());
    silentProxy = await startTcpProxy({ port: t.app.port });
    teardown.add(() => silentProxy.close());
    const token = await createServiceToken(t.gql, 'dev', 'fault-stale');
    history = await createConfigHistory(t.gql, 'dev');
    // Agents 0 and 1 reach the server's WebSocket through their own proxy
    // (their HTTP calls do not: the poll fallback must get through); agent 2
    // is a control on a direct socket.
    const proxies = [resetProxy, silentProxy];
    fleet = createAgentFleet<Consumed>({
      count: 3,
      base: paperBase(t.url, token, { stalenessBudgetMs: BUDGET, pollIntervalMs: 50, keepAliveMs: KEEP_ALIVE, retry: { baseMs: 50, maxMs: 200 } }),
      consumes: () => [BUY, CUSUM],
      workerName: (i) => ['stale-fault-reset', 'stale-fault-silent', 'stale-fault-control'][i] as string,
      overrides: (i) => (proxies[i] ? { webSocketImpl: proxies[i].webSocketImpl } : {}),
    });
    teardown.add(() => fleet.close());
    // Runs before fleet.close(): an agent must not be closed into a held link.
    teardown.add(() => proxies.forEach((p) => p.heal()));
    await fleet.start();
    [cut, silent, control] = fleet.members as [FleetMember<Consumed>, FleetMember<Consumed>, FleetMember<Consumed>];
  });
  afterAll(() => teardown.run());

  const hasBeen = (m: FleetMember<Consumed>, status: AgentStatus, since: number) => m.statuses.some((s) => s.status === status && s.at >= since);

  it('connection reset: STALE (event and server status), kept current by the poll, then READY on the stream again', async () => {
    await history.change(BUY);
    await fleet.allApplied(history.active, 10_000);
    expect(cut.received.at(-1)?.via).toBe('stream');

    const cutAt = performance.now();
    resetProxy.cut();
    await fleet.until((m) => m !== cut || hasBeen(m, AgentStatus.Stale, cutAt), 5_000, 'the cut agent to report STALE');
    const staleAt = cut.statuses.find((s) => s.status === AgentStatus.Stale)?.at as number;
    expect(staleAt - cutAt).toBeGreaterThanOrEqual(BUDGET - 5);
    expect(cut.agent.status).toBe(AgentStatus.Stale);
    expect(control.agent.status).toBe(AgentStatus.Ready);
    await cut.agent.flush();
    let rows = await workersByName(t.gql);
    expect(rows.get(cut.name)?.status).toBe('STALE');
    expect(rows.get(control.name)?.status).toBe('READY');

    // Saved while cut: the poll brings them (the others get them on their stream).
    const whileCut = [await history.change(BUY), await history.change(CUSUM)];
    await fleet.allApplied(history.active, 5_000);
    expect(cut.agent.status).toBe(AgentStatus.Stale);
    const polled = cut.received.filter((r) => r.via === 'poll').map((r) => r.version);
    expect(polled.at(-1)).toBe(whileCut.at(-1));
    expect(cut.agent.get(CUSUM)).toBe(Number(history.valuesAt(history.active, [CUSUM])[CUSUM]));

    const healAt = performance.now();
    resetProxy.heal();
    await fleet.until((m) => m !== cut || hasBeen(m, AgentStatus.Ready, healAt), 5_000, 'the cut agent to be READY again');
    const readyAt = cut.statuses.at(-1)?.at as number;
    await cut.agent.flush();
    rows = await workersByName(t.gql);
    expect(rows.get(cut.name)?.status).toBe('READY');

    // The stream carries the next version again.
    await history.change(BUY);
    await fleet.allApplied(history.active, 5_000);
    expect(cut.received.at(-1)).toMatchObject({ version: history.active, via: 'stream' });
    expect(cut.statuses.map((s) => s.status)).toEqual([AgentStatus.Ready, AgentStatus.Stale, AgentStatus.Ready]);
    expect(control.statuses.map((s) => s.status)).toEqual([AgentStatus.Ready]);
    expectGapFree(fleet, history);
    console.info(`[fault 3a] reset: STALE ${ms(cutAt, staleAt)} ms after the cut (budget ${BUDGET}); polled versions ${polled.join(',')}; READY ${ms(healAt, readyAt)} ms after the heal`);
  });

  it('silent partition (nothing closed, nothing delivered): the missing pong is noticed and STALE is reported within keep-alive + budget', async () => {
    await history.change(BUY);
    await fleet.allApplied(history.active, 10_000);
    expect(silent.received.at(-1)?.via).toBe('stream');

    const partitionAt = performance.now();
    silentProxy.blackhole();
    // Next ping within KEEP_ALIVE, no pong within KEEP_ALIVE more, then the budget.
    const bound = 2 * KEEP_ALIVE + BUDGET + 1_500;
    await fleet.until((m) => m !== silent || hasBeen(m, AgentStatus.Stale, partitionAt), bound, `the silently partitioned agent to report STALE (keep-alive ${KEEP_ALIVE} ms, budget ${BUDGET} ms)`);
    const staleAt = silent.statuses.find((s) => s.status === AgentStatus.Stale)?.at as number;
    await silent.agent.flush();
    expect((await workersByName(t.gql)).get(silent.name)?.status).toBe('STALE');

    const whilePartitioned = await history.change(CUSUM);
    await fleet.allApplied(history.active, 5_000);
    expect(silent.received.at(-1)).toMatchObject({ version: whilePartitioned, via: 'poll' });

    const healAt = performance.now();
    silentProxy.heal();
    await fleet.until((m) => m !== silent || hasBeen(m, AgentStatus.Ready, healAt), 5_000, 'the partitioned agent to be READY again');
    const readyAt = silent.statuses.at(-1)?.at as number;
    await history.change(BUY);
    await fleet.allApplied(history.active, 5_000);
    expect(silent.received.at(-1)).toMatchObject({ version: history.active, via: 'stream' });
    expect(silent.statuses.map((s) => s.status)).toEqual([AgentStatus.Ready, AgentStatus.Stale, AgentStatus.Ready]);
    expectGapFree(fleet, history);
    console.info(`[fault 3b] silent partition: STALE ${ms(partitionAt, staleAt)} ms after it began (keep-alive ${KEEP_ALIVE}, budget ${BUDGET}); READY ${ms(healAt, readyAt)} ms after the heal`);
  });
  /** One agent whose WebSocket goes through a proxy that holds every byte from the start. */
  async function heldAgent(name: string) {
    const proxy = await startTcpProxy({ port: t.app.port });
    teardown.add(() => proxy.close());
    proxy.blackhole();
    const token = await createServiceToken(t.gql, 'dev', name);
    const held = createAgentFleet<Consumed>({
      count: 1,
      base: paperBase(t.url, token, { stalenessBudgetMs: BUDGET, pollIntervalMs: 50, keepAliveMs: KEEP_ALIVE, retry: { baseMs: 50, maxMs: 200 } }),
      consumes: () => [BUY],
      workerName: () => name,
      overrides: () => ({ webSocketImpl: proxy.webSocketImpl }),
    });
    teardown.add(() => held.close());
    teardown.add(() => proxy.heal());
    await held.start();
    await proxy.accepting(1, 5_000);
    return { proxy, held, member: held.members[0] as FleetMember<Consumed> };
  }

  it('a stream that never comes up (handshake held by a partition) is reported STALE within the budget', async () => {
    const { held, member } = await heldAgent('stale-fault-never-up');
    const since = performance.now();
    await held.until((m) => hasBeen(m, AgentStatus.Stale, 0), BUDGET + 1_500, `the agent whose stream never came up to report STALE (budget ${BUDGET} ms)`);
    console.info(`[fault 3c] stream never up: STALE ${ms(since, member.statuses.at(-1)?.at as number)} ms after the held handshake`);
  });

  it('close() returns while a partition holds the agent’s connection attempt (no leaked agent)', async () => {
    const { member } = await heldAgent('stale-fault-close-held');
    const closing = member.agent.close().then(() => 'closed' as const);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([closing, new Promise<'hanging'>((resolve) => (timer = setTimeout(() => resolve('hanging'), 2_000)))]);
    clearTimeout(timer);
    expect(outcome).toBe('closed');
  });
});

describe('Fault: 200 agents reconnect at once after a server restart', () => {
  const teardown = disposer();
  let db: TestDatabase;
  let env: Record<string, string>;
  let product: RunningProduct;
  let gql: Gql;
  let history: ConfigHistory;
  let fleet: AgentFleet<Consumed>;
  const COUNT = 200;

  beforeAll(async () => {
    db = await createTestDatabase();
    teardown.add(() => db.drop());
    env = { PORT: String(await freePort()), DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.url, PAPER_WORKER: 'false', LOG_LEVEL: 'warn' };
    product = await spawnProduct(env);
    teardown.add(() => product.stop('SIGKILL'));
    gql = graphqlClient(() => product.url);
    const token = await createServiceToken(gql, 'dev', 'fault-wave');
    history = await createConfigHistory(gql, 'dev');
    fleet = createAgentFleet<Consumed>({
      count: COUNT,
      base: paperBase(product.url, token, { keepAliveMs: 60_000, retry: { baseMs: 100, maxMs: 2_000 } }),
      consumes: consumesOf,
      workerName: (i) => `wave-${i}`,
    });
    teardown.add(() => fleet.close());
    await fleet.start(25);
  }, 60_000);
  afterAll(() => teardown.run(), 60_000);

  it('all 200 reconnect by themselves and apply the next change', async () => {
    await history.change(BUY);
    await fleet.allApplied(history.active, 10_000);

    const stopAt = performance.now();
    expect(await product.stop('SIGTERM')).toBe(0);
    await fleet.until((m) => m.events('listen_disconnected').some((e) => e.at > stopAt), 10_000, 'every agent to see the stream drop');
    product = await spawnProduct(env);
    const upAt = performance.now();
    const reconnectedAt = (m: FleetMember<Consumed>) => m.events('listen_reconnect').find((e) => e.at > stopAt)?.at;
    await fleet.until((m) => reconnectedAt(m) !== undefined, 20_000, 'every agent to reconnect');
    const reconnects = fleet.members.map((m) => reconnectedAt(m) as number).sort((a, b) => a - b);

    const saveAt = performance.now();
    await history.change(CUSUM);
    await fleet.allApplied(history.active, 10_000);
    const latencies = fleet.members.map((m) => (m.applies.at(-1)?.at as number) - saveAt).sort((a, b) => a - b);

    const { resyncs, receivedVia } = expectGapFree(fleet, history);
    expect(resyncs).toBe(0);
    expect(receivedVia).toEqual({ stream: COUNT * history.saved.length });
    await expectRegistryInSync(gql, fleet.members, history.active);
    const at = (q: number) => ms(upAt, reconnects[Math.min(reconnects.length - 1, Math.floor(q * reconnects.length))] as number);
    console.info(`[fault 4] ${COUNT} agents: down ${ms(stopAt, upAt)} ms (SIGTERM to restarted); reconnection wave ${at(0)}..${at(1)} ms after restart (p50 ${at(0.5)}, p95 ${at(0.95)}); next change applied by all ${Math.round(latencies.at(-1) as number)} ms after the save (p50 ${Math.round(latencies[COUNT / 2] as number)})`);
  }, 60_000);
});

