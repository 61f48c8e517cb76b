import pg from 'pg';
import { WebSocketServer } from 'ws';
import type { AgentHost } from './agent-hosts.ts';
import { now, shareOf } from './arrivals.ts';
import { percentiles } from './percentiles.ts';
import { processCpuMs } from './process-cpu.ts';

/** Latency percentiles from commit to receipt, and CPU per event of the process that fanned out. */
export interface FanOutFigures {
  p50: number;
  p99: number;
  n: number;
  cpuPerEventMs: number;
  /** The client processes' CPU per event (receiving the frames), over the same span. */
  clientCpuPerEventMs: number;
}

/**
 * Rounds whose clock starts when a LISTEN connection of the coordinator sees
 * the round's notification (the commit, as every listener learns it) and
 * ends when every host reported all its receipts.
 */
function createRounds() {
  const rounds = new Map<number, { t0?: number; cpu0?: number; remaining: number; times: { at: number; offset: number }[][]; done: (r: { t0: number; cpu0: number; times: number[] }) => void }>();
  return {
    expect(id: number, count: number): Promise<{ t0: number; cpu0: number; times: number[] }> {
      return new Promise((done) => rounds.set(id, { remaining: count, times: [], done }));
    },
    committed(id: number, cpu0: number): void {
      const round = rounds.get(id);
      if (round && round.t0 === undefined) {
        round.t0 = now();
        round.cpu0 = cpu0;
        this.settle(id);
      }
    },
    received(id: number, times: number[], offset: number): void {
      const round = rounds.get(id);
      if (!round) return;
      round.times.push(times.map((at) => ({ at, offset })));
      round.remaining -= times.length;
      this.settle(id);
    },
    settle(id: number): void {
      const round = rounds.get(id)!;
      if (round.remaining > 0 || round.t0 === undefined) return;
      rounds.delete(id);
      round.done({ t0: round.t0, cpu0: round.cpu0!, times: round.times.flat().map(({ at, offset }) => at - offset - round.t0!) });
    },
  };
}

/**
 * One side of a fan-out measurement, connected and ready: `round()` sends one
 * event and resolves once every receipt arrived (the first 3 rounds warm up
 * and are not counted), `figures()` sums up the counted rounds.
 */
export interface FanOutSession {
  round(): Promise<void>;
  figures(): FanOutFigures;
  close(): Promise<void>;
}

/** Counted samples and CPU of a session's rounds (3 warm-up rounds first). */
function createTally() {
  const samples: number[] = [];
  let cpu = 0;
  let clientCpu = 0;
  let rounds = 0;
  return {
    add(times: number[], cpuMs: number, clientCpuMs: number): void {
      rounds += 1;
      if (rounds <= 3) return;
      cpu += cpuMs;
      clientCpu += clientCpuMs;
      samples.push(...times);
    },
    figures(): FanOutFigures {
      const p = percentiles(samples);
      const counted = Math.max(1, rounds - 3);
      return { p50: p.p50, p99: p.p99, n: p.n, cpuPerEventMs: cpu / counted, clientCpuPerEventMs: clientCpu / counted };
    },
  };
}

/** The agent hosts' CPU so far (ms). */
const hostsCpuMs = (hosts: AgentHost[]) => hosts.reduce((sum, host) => sum + processCpuMs(host.process.pid!), 0);

/**
 * The product and its floor at the same size, their rounds alternating
 * (floor, ours, floor, ours…) on sockets connected at once: both see the
 * machine as it is at that minute, so a ratio does not carry the drift of a
 * 2-core VM between two blocks of rounds.
 */
export async function measureInterleaved(floor: FanOutSession, ours: FanOutSession, rounds: number): Promise<{ floor: FanOutFigures; ours: FanOutFigures }> {
  for (let round = 0; round < rounds + 3; round += 1) {
    await floor.round();
    await ours.round();
  }
  return { floor: floor.figures(), ours: ours.figures() };
}

/**
 * Commit → receipt by `size` plain graphql-ws subscribers of the server
 * (process `pid`), and the server's CPU per event from the commit to the
 * last receipt. Each round saves the next version.
 */
export async function openFanOut({ hosts, wsUrl, databaseUrl, token, pid, size, save, activeVersion }: {
  hosts: AgentHost[];
  wsUrl: string;
  databaseUrl: string;
  token: string;
  pid: number;
  size: number;
  /** Saves version `next` (one hot parameter). */
  save: (next: number) => Promise<void>;
  activeVersion: number;
}): Promise<FanOutSession & { readonly version: number }> {
  const listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  const tracker = createRounds();
  listener.on('notification', (message) => {
    if (message.channel === 'config_changed') tracker.committed(Number(JSON.parse(message.payload!).version), processCpuMs(pid));
  });
  await listener.query('LISTEN config_changed');
  const unsubscribe = hosts.map((host) => host.onStreamed((reply, from) => {
    if (reply.type === 'plain-received') tracker.received(reply.version, reply.times, from.offset);
  }));
  let version = activeVersion;
  const tally = createTally();
  await Promise.all(hosts.map((host, i) => host.request({ type: 'plain-connect', url: wsUrl, token, count: shareOf(size, hosts.length, i), afterVersion: version }, 'plain-connected')));
  return {
    get version() {
      return version;
    },
    async round() {
      const next = version + 1;
      const arrived = tracker.expect(next, size);
      const clients0 = hostsCpuMs(hosts);
      await save(next);
      version = next;
      const { cpu0, times } = await arrived;
      tally.add(times, processCpuMs(pid) - cpu0, hostsCpuMs(hosts) - clients0);
    },
    figures: () => tally.figures(),
    async close() {
      for (const stop of unsubscribe) stop();
      await Promise.all(hosts.map((host) => host.request({ type: 'plain-close' }, 'plain-closed')));
      await listener.end();
    },
  };
}

/**
 * The fan-out's floor: one LISTEN connection and a bare `ws` server in this
 * process writing one pre-serialized frame (a version's message) to every
 * socket, on the same hosts and cores. Clock and CPU from the notification's
 * arrival to the last receipt, as for the server.
 */
export async function openBroadcastFloor({ hosts, databaseUrl, size, payload }: {
  hosts: AgentHost[];
  databaseUrl: string;
  size: number;
  payload: string;
}): Promise<FanOutSession> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  const listener = new pg.Client({ connectionString: databaseUrl });
  const sender = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([listener.connect(), sender.connect()]);
  const tracker = createRounds();
  listener.on('notification', (message) => {
    const round = Number(message.payload);
    const cpu0 = process.cpuUsage();
    tracker.committed(round, cpu0.user + cpu0.system);
    const frame = `${round}|${payload}`;
    for (const socket of server.clients) socket.send(frame);
  });
  await listener.query('LISTEN ucp_bench_broadcast');
  const unsubscribe = hosts.map((host) => host.onStreamed((reply, from) => {
    if (reply.type === 'raw-received') tracker.received(reply.round, reply.times, from.offset);
  }));
  await Promise.all(hosts.map((host, i) => host.request({ type: 'raw-connect', url, count: shareOf(size, hosts.length, i) }, 'raw-connected')));
  const tally = createTally();
  let round = 0;
  return {
    async round() {
      round += 1;
      const arrived = tracker.expect(round, size);
      const clients0 = hostsCpuMs(hosts);
      await sender.query(`SELECT pg_notify('ucp_bench_broadcast', $1)`, [String(round)]);
      const { cpu0, times } = await arrived;
      const cpu1 = process.cpuUsage();
      tally.add(times, (cpu1.user + cpu1.system - cpu0) / 1000, hostsCpuMs(hosts) - clients0);
    },
    figures: () => tally.figures(),
    async close() {
      for (const stop of unsubscribe) stop();
      await Promise.all(hosts.map((host) => host.request({ type: 'raw-close' }, 'raw-closed')));
      await Promise.all([listener.end(), sender.end()]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The broadcast floor alone (`rounds` counted rounds after 3 warm-up ones). */
export async function measureBroadcastFloor(options: Parameters<typeof openBroadcastFloor>[0] & { rounds: number }): Promise<FanOutFigures> {
  const floor = await openBroadcastFloor(options);
  try {
    for (let round = 0; round < options.rounds + 3; round += 1) await floor.round();
    return floor.figures();
  } finally {
    await floor.close();
  }
}
