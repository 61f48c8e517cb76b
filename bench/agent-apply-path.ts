// `npm run bench:agent`: the runtime agent's own CPU per version, alone on
// the machine: BENCH_AGENTS (default 500) agents of the built package in this
// process, on in-memory sockets (no kernel, no server, no other process), each
// frame handed over in its own macrotask as a socket read would be. Beside
// it, the floor: as many clients that only parse the same frame. In
// bench:distribution the agents share the server's two cores, so every
// microsecond here is one the fan-out waits for, a thousand times per version.
// Prints the figures; BENCH_PROFILE=1 writes a CPU profile of the measured
// versions to bench/results/agent-apply-path.cpuprofile (not committed).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { formatMs } from './percentiles.ts';

const builtPackage = new URL('../runtime-agent/dist/runtime-agent/src/index.js', import.meta.url).href;
const { createRuntimeAgent } = (await import(builtPackage)) as typeof import('../runtime-agent/src/index.ts');

const PARAMETER = 'CVN_SIGNAL_THRESHOLD_BUY';
const count = Number(process.env.BENCH_AGENTS ?? 500);
const versions = Number(process.env.BENCH_SAVES ?? 40);
const jitterMs = 50;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** What the fake server has seen: subscribed sockets, and posted reports per version. */
const sockets: MemorySocket[] = [];
const reported = new Map<number, number>();
let onReport: (() => void) | undefined;

/**
 * A WebSocket in memory speaking the server's side of graphql-transport-ws:
 * acknowledges (taking posted reports), records the subscription, answers
 * pings, counts posted apply reports. Just what graphql-ws's client touches.
 */
class MemorySocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly protocol = 'graphql-transport-ws';
  readyState = MemorySocket.CONNECTING;
  onopen: ((event: object) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: object) => void) | null = null;
  subscription: string | undefined;

  constructor() {
    setImmediate(() => {
      this.readyState = MemorySocket.OPEN;
      this.onopen?.({});
    });
  }

  send(data: string): void {
    const message = JSON.parse(data) as { type: string; id?: string; payload?: { applyReport?: { input: { version: number } } } };
    const answer = (reply: object) => setImmediate(() => this.onmessage?.({ data: JSON.stringify(reply) }));
    if (message.type === 'connection_init') answer({ type: 'connection_ack', payload: { postedReports: true } });
    else if (message.type === 'subscribe') {
      this.subscription = message.id;
      sockets.push(this);
    } else if (message.type === 'ping') answer({ type: 'pong' });
    else if (message.type === 'pong' && message.payload?.applyReport) {
      const { version } = message.payload.applyReport.input;
      reported.set(version, (reported.get(version) ?? 0) + 1);
      onReport?.();
    }
  }

  close(code = 1000, reason = ''): void {
    this.readyState = MemorySocket.CLOSED;
    setImmediate(() => this.onclose?.({ code, reason, wasClean: true }));
  }
}

/** The server's HTTP side for ready(): the load, the registration, status reports. */
let workers = 0;
const fetchImpl = async (_url: string, init: { body: string }) => {
  const { query } = JSON.parse(init.body) as { query: string };
  const data = query.includes('RuntimeAgentLoad')
    ? { environment: { activeVersion: 1, values: [{ name: PARAMETER, value: '0.5', entry: {
      name: PARAMETER, type: 'FLOAT', category: 'THRESHOLD', hotReloadable: true, deprecated: false, replacement: null, allowedValues: [], minValue: 0, maxValue: 1,
    } }] } }
    : query.includes('RuntimeAgentRegister')
      ? { registerWorker: { id: `00000000-0000-4000-8000-${String((workers += 1)).padStart(12, '0')}` } }
      : { reportWorkerStatus: { id: 'x', environment: { activeVersion: 1 } } };
  return { status: 200, json: async () => ({ data }) };
};

const silent = { debug() {}, info() {}, warn() {}, error: (fields: Record<string, unknown>) => console.error(JSON.stringify(fields)) };
let applies = 0;
let onApplied: (() => void) | undefined;
const agents = Array.from({ length: count }, (_, i) => createRuntimeAgent({
  url: 'http://memory.invalid', token: 'bench', environment: 'dev', workerName: `bench-${i}`, mode: 'PAPER', consumes: [PARAMETER] as const,
  logger: silent, heartbeatIntervalMs: 120_000, stalenessBudgetMs: 120_000, applyReportJitterMs: jitterMs,
  webSocketImpl: MemorySocket as never, fetchImpl: fetchImpl as never,
  onApply: () => {
    applies += 1;
    onApplied?.();
  },
}));
await Promise.all(agents.map((agent) => agent.ready()));
await until(() => sockets.length === count);

function until(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : setImmediate(check));
    check();
  });
}

/** One version's frame as the server writes it (the subscription id differs per socket). */
const frameOf = (version: number, id: string) => `{"id":${JSON.stringify(id)},"type":"next","payload":{"data":{"configChanged":{"environment":"dev","version":${version},"kind":"EDIT","changedKeys":["${PARAMETER}"],"createdAt":"${new Date().toISOString()}","changes":[{"name":"${PARAMETER}","after":"${version % 2 ? '0.56' : '0.57'}"}]}}}}`;

/** Hands each socket its frame in its own macrotask (microtasks drain between, as after a socket read). */
function deliver(version: number, to: (socket: MemorySocket, frame: string) => void): void {
  for (const socket of sockets) {
    const frame = frameOf(version, socket.subscription!);
    setImmediate(() => to(socket, frame));
  }
}

const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
let applyCpu = 0;
let reportCpu = 0;
let floorCpu = 0;
let parsed = 0;
for (let round = 0; round < versions + 3; round += 1) {
  const version = round + 2;
  if (round === 3 && profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  // The floor: the frame parsed and nothing else.
  const floor0 = cpuMs();
  parsed = 0;
  deliver(version, (_socket, frame) => {
    if ((JSON.parse(frame) as { payload: { data: { configChanged: { version: number } } } }).payload.data.configChanged.version === version) parsed += 1;
  });
  await until(() => parsed === count);
  const floor1 = cpuMs();
  // The agents: receive, decode, apply (the worker is between cycles), then each report after its jitter.
  applies = 0;
  const cpu0 = cpuMs();
  const applied = new Promise<void>((resolve) => (onApplied = () => applies === count && resolve()));
  deliver(version, (socket, frame) => socket.onmessage!({ data: frame }));
  await applied;
  const cpu1 = cpuMs();
  const posted = new Promise<void>((resolve) => (onReport = () => reported.get(version) === count && resolve()));
  await posted;
  const cpu2 = cpuMs();
  if (round >= 3) {
    floorCpu += floor1 - floor0;
    applyCpu += cpu1 - cpu0;
    reportCpu += cpu2 - cpu1;
  }
}
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  const file = path.join(import.meta.dirname, 'results', 'agent-apply-path.cpuprofile');
  await writeFile(file, JSON.stringify(profile));
  console.log(`profile: ${file}`);
}
const perAgent = (ms: number) => `${((1000 * ms) / versions / count).toFixed(1)} µs`;
console.log(`${count} agents, ${versions} versions, Node ${process.version}: per agent and version, receive → applied ${perAgent(applyCpu)}, the report (jitter timer, posted pong) ${perAgent(reportCpu)}; the floor (the frame parsed) ${perAgent(floorCpu)}; per version ${formatMs(applyCpu / versions)} against ${formatMs(floorCpu / versions)}.`);
await Promise.all(agents.map((agent) => agent.close()));
