// `npm run bench:distribution`: distribution at scale, every figure held
// against a floor measured in the same run on the same machine.
//
// - Fan-out: commit → receipt by plain graphql-ws subscribers, and the
//   server's CPU per event, beside one LISTEN connection and a bare `ws`
//   server writing one pre-serialized frame to every socket, their rounds
//   alternating; the server's resident memory at each size (idle too).
// - Full agents: start to all READY; save → apply against the save's floor
//   (the minimal durable transaction, plain `pg`) plus the broadcast floor;
//   the apply reports' server CPU per version against the fan-out's (and
//   measured alone: the CPU after the last apply, over the reports posted
//   in it); where save → apply goes (save → commit, commit → frame at each
//   agent's socket, commit → applied; the clients' CPU beside bare sockets'
//   and plain subscribers'); and after a server restart, when every agent
//   is current again (the reconnect curve).
//
// The server runs as its own process (`npm start` with DATABASE_URL), the
// clients in BENCH_PROCESSES agent hosts (bench/agent-host.ts; default one per
// core). Sizes: BENCH_SUBSCRIBERS (default 1000,3000,10000), BENCH_AGENTS
// (default 1000; 0 skips), BENCH_SAVES (saves per size, default 20),
// BENCH_RESTART=0 skips the restart. BENCH_PROFILE=<dir> writes CPU profiles;
// BENCH_NODE_ARGS / BENCH_HOST_ARGS pass node flags to the server / the hosts;
// BENCH_DUMP=<file> writes what the server printed (its --trace flags, say).
// Writes bench/results/save-to-apply.md (the last run) and appends it to
// bench/results/history.md.
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnProduct, type RunningProduct } from '../test/support/spawn-product.ts';
import type { HostCommand } from './agent-host-protocol.ts';
import { openApplyBreakdown } from './apply-breakdown.ts';
import { startAgentHost, type AgentHost } from './agent-hosts.ts';
import { createArrivals, now, shareOf } from './arrivals.ts';
import { benchPasswords, createBenchDatabase } from './bench-database.ts';
import { measureBroadcastFloor, measureInterleaved, openBroadcastFloor, openFanOut, type FanOutFigures } from './fan-out.ts';
import { measureNotifyFloor } from './notify-floor.ts';
import { formatMs, percentiles } from './percentiles.ts';
import { processCpuMs, residentMb } from './process-cpu.ts';
import { measureReportFloor } from './report-floor.ts';
import { measureSaveFloor } from './save-floor.ts';

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').filter(Boolean).map(Number).filter((n) => n > 0);
const subscriberSizes = list(process.env.BENCH_SUBSCRIBERS, '1000,3000,10000');
const agentCount = list(process.env.BENCH_AGENTS, '1000')[0] ?? 0;
const saves = Number(process.env.BENCH_SAVES ?? 20);
const restart = process.env.BENCH_RESTART !== '0';
const PARAMETER = 'CVN_SIGNAL_THRESHOLD_BUY';
/** Fewer rounds at the largest sizes keep the whole run within minutes. */
const roundsAt = (size: number) => (size > 3000 ? Math.max(5, Math.round(saves / 4)) : size > 1000 ? Math.max(5, Math.round(saves / 2)) : saves);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const started = Date.now();
const bench = await createBenchDatabase();
await bench.database.close();
const dataDir = await mkdtemp(path.join(tmpdir(), 'ucp-bench-'));
const port = await freePort();
const profileArgs = [...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
const startProduct = () => spawnProduct({ DATABASE_URL: bench.url, PORT: String(port), PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'error' }, 60_000, profileArgs);
let product: RunningProduct = await startProduct();
// A run that fails (an agent host crashing, say) must not leave its server
// behind: it would load the machine under the next run.
const abandon = (error: unknown) => {
  console.error(error);
  product.process.kill('SIGKILL');
  process.exit(1);
};
process.on('uncaughtException', abandon);
process.on('unhandledRejection', abandon);
const url = product.url;
const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
const basic = (user: 'admin' | 'editor') => `Basic ${Buffer.from(`${user}:${benchPasswords[user]}`).toString('base64')}`;

async function gql(query: string, variables: Record<string, unknown>, authorization: string): Promise<any> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// Idle: started, migrated, seeded, no client yet.
const idleRss = residentMb(product.process.pid!);

// Sign the editor in once (cookie session) so argon2 stays out of the figures.
const signIn = await fetch(`${url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: benchPasswords.editor }) });
const { csrfToken } = (await signIn.json()) as { csrfToken: string };
const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
let tick = 0;
/** Saves `next` (one hot-reloadable parameter, alternating values); returns the round trip in ms. */
async function save(next: number): Promise<number> {
  tick += 1;
  const t0 = now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({
      query: `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`,
      variables: { input: { environment: 'dev', expectedVersion: next - 1, reason: 'distribution benchmark', changes: [{ name: PARAMETER, value: tick % 2 ? '0.56' : '0.57' }] } },
    }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  if (body.data.updateConfig.version.version !== next) throw new Error(`expected version ${next}, got ${body.data.updateConfig.version.version}`);
  return now() - t0;
}

const token: string = (await gql(`mutation { createServiceToken(input: { environment: "dev", name: "bench" }) { token } }`, {}, basic('admin'))).createServiceToken.token;
let version: number = (await gql(`{ environment(name: "dev") { activeVersion } }`, {}, basic('admin'))).environment.activeVersion;
const notifyFloor = await measureNotifyFloor(bench.url);
const observer = new pg.Client({ connectionString: bench.url });
await observer.connect();
const saveFloor = await measureSaveFloor(bench.url);

// The server's CPU for a save alone (no subscriber, no agent), to tell the
// reports' share of a version's CPU from the save's.
let saveCpu = 0;
for (let i = 0; i < 13; i += 1) {
  const cpu0 = processCpuMs(product.process.pid!);
  await save(version + 1);
  version += 1;
  if (i >= 3) saveCpu += (processCpuMs(product.process.pid!) - cpu0) / 10;
}

const hostCount = Number(process.env.BENCH_PROCESSES ?? cpus().length);
const hosts: AgentHost[] = await Promise.all(Array.from({ length: hostCount }, (_, i) => startAgentHost(i)));

// A version's message as a subscriber receives it, for the broadcast floor.
const versionMessage = JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: { data: { configChanged: {
  environment: 'dev', version: 1000, kind: 'EDIT', changedKeys: [PARAMETER], createdAt: new Date().toISOString(), changes: [{ name: PARAMETER, after: '0.57' }],
} } } });

type Row = { figure: string; value: string; floor: string; ratio: number; target: number };
const rows: Row[] = [];
const ratioRow = (figure: string, value: number, floor: number, target: number, unit = 'ms') =>
  rows.push({ figure, value: unit === 'ms' ? formatMs(value) : `${value.toFixed(1)} ${unit}`, floor: unit === 'ms' ? formatMs(floor) : `${floor.toFixed(1)} ${unit}`, ratio: value / floor, target });
const memoryRows: string[] = [];
const fanOutAt = new Map<number, { ours: FanOutFigures; floor: FanOutFigures }>();

// --- Fan-out to plain graphql-ws subscribers, and memory at each size.
for (const size of subscriberSizes) {
  const rounds = roundsAt(size);
  let rss = 0;
  const floorSession = await openBroadcastFloor({ hosts, databaseUrl: bench.url, size, payload: versionMessage });
  const oursSession = await openFanOut({
    hosts, wsUrl, databaseUrl: bench.url, token, pid: product.process.pid!, size, activeVersion: version,
    save: async (next) => {
      if (rss === 0) rss = residentMb(product.process.pid!); // connected, before the first event
      await save(next);
    },
  });
  try {
    const { floor, ours } = await measureInterleaved(floorSession, oursSession, rounds);
    fanOutAt.set(size, { ours, floor });
    memoryRows.push(`| ${size} | ${rss.toFixed(0)} MB | ${formatMs(ours.p50)} / ${formatMs(ours.p99)} | ${formatMs(floor.p50)} / ${formatMs(floor.p99)} | ${ours.cpuPerEventMs.toFixed(1)} ms / ${floor.cpuPerEventMs.toFixed(1)} ms |`);
    console.log(`fan-out ${size}: ${memoryRows.at(-1)}`);
  } finally {
    version = oursSession.version;
    await oursSession.close();
    await floorSession.close();
  }
}
const fanOut1000 = fanOutAt.get(1000);
if (fanOut1000) {
  ratioRow('commit → receipt, 1,000 graphql-ws subscribers, p50', fanOut1000.ours.p50, fanOut1000.floor.p50, 1.3);
  ratioRow('commit → receipt, 1,000 graphql-ws subscribers, p99', fanOut1000.ours.p99, fanOut1000.floor.p99, 1.3);
  ratioRow('server CPU per event, 1,000 subscribers', fanOut1000.ours.cpuPerEventMs, fanOut1000.floor.cpuPerEventMs, 1.5);
}

/** Resolves once every agent's apply report of `version` is recorded (polled: the agents' own confirmation would load the server). */
async function reportsRecorded(version: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_applies a JOIN workers w ON w.id = a.worker_id JOIN environments e ON e.id = w.environment_id WHERE e.name = $1 AND a.version = $2', ['dev', version]);
    if (rows[0]!.n >= agentCount) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${agentCount} apply reports of version ${version} were recorded`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// The reports' own floor: the same messages received by a bare ws server and
// group-committed with plain pg (report-floor.ts).
const reportMessage = JSON.stringify({ type: 'pong', payload: { applyReport: { ref: 1, input: {
  workerId: Buffer.from('Worker:00000000-0000-4000-8000-000000000000').toString('base64'), version: 1000,
  receivedAt: new Date().toISOString(), appliedAt: new Date().toISOString(), keys: [PARAMETER], pendingRestart: [],
} } } });
const reportFloor = agentCount > 0 ? await measureReportFloor({ hosts, databaseUrl: bench.url, size: agentCount, rounds: saves, message: reportMessage }) : undefined;

// --- Full agents.
let readyLine = '';
let reportFloorLine = '';
let startCpuLine = '';
let curve = '';
let partsTable: string[] = [];
let reportsAloneLine = '';
if (agentCount > 0) {
  const arrivals = createArrivals(); // per saved version
  for (const host of hosts) {
    host.onStreamed((reply, from) => {
      if (reply.type === 'applied') arrivals.add(reply.version, reply.times, from.offset);
    });
  }
  // The server's CPU and the agent hosts' (same cores).
  const startCpu = () => ({ server: processCpuMs(product.process.pid!), hosts: hosts.reduce((sum, host) => sum + processCpuMs(host.process.pid!), 0) });
  const breakdown = await openApplyBreakdown({ hosts, databaseUrl: bench.url, agentCount, hostsCpuMs: () => startCpu().hosts });
  const readyStart = now();
  const readyCpu0 = startCpu();
  let firstIndex = 0;
  await Promise.all(hosts.map((host, i) => {
    const count = shareOf(agentCount, hosts.length, i);
    const command: HostCommand = { type: 'connect', url, token, count, firstIndex };
    firstIndex += count;
    return host.request(command, 'connected').then((reply) => {
      host.agents = reply.agents;
    });
  }));
  const readyMs = now() - readyStart;
  const readyCpu1 = startCpu();
  startCpuLine = `Start → READY: server CPU ${((readyCpu1.server - readyCpu0.server) / 1000).toFixed(2)} s (${((readyCpu1.server - readyCpu0.server) / agentCount).toFixed(1)} ms per agent), agent hosts' CPU ${((readyCpu1.hosts - readyCpu0.hosts) / 1000).toFixed(2)} s, on ${cpus().length} cores in ${(readyMs / 1000).toFixed(2)} s.`;
  console.log(startCpuLine);
  rows.push({ figure: `${agentCount.toLocaleString('en')} agents, start → all READY`, value: `${(readyMs / 1000).toFixed(2)} s`, floor: '10 s (target)', ratio: readyMs / 10_000, target: 1 });
  console.log(`ready: ${(readyMs / 1000).toFixed(2)} s`);

  const samples: number[] = [];
  const saveTimes: number[] = [];
  let withReportsCpu = 0;
  let hostsCpu = 0;
  const profile = process.env.BENCH_PROFILE;
  if (profile) await Promise.all(hosts.map((host) => host.request({ type: 'profile-start' }, 'profiling')));
  for (let s = 0; s < saves + 3; s += 1) {
    const next = version + 1;
    const mine: number[] = [];
    const cpu0 = processCpuMs(product.process.pid!);
    const hosts0 = startCpu().hosts;
    const { t0, complete } = arrivals.start(next, agentCount, mine);
    const { posts, allPosted } = breakdown.expectReports(next);
    const saved = await save(next);
    version = next;
    await complete;
    const appliedAt = now();
    const serverCpuApplied = processCpuMs(product.process.pid!);
    const hostsCpuApplied = startCpu().hosts;
    // Every apply report recorded before the next save: the CPU from the
    // save to here is the save, the fan-out and the reports of one version.
    // Read from the database, not asked of the agents: their flush() would
    // ping the server for a round trip each (posted reports are confirmed
    // by a keep-alive pong), work a worker does not do per version.
    await reportsRecorded(next);
    const serverCpuRecorded = processCpuMs(product.process.pid!);
    await allPosted;
    breakdown.add(next, { t0, applies: mine, posts, appliedAt, serverCpuApplied, hostsCpuApplied, serverCpuRecorded, counted: s >= 3 });
    if (s >= 3) {
      withReportsCpu += serverCpuRecorded - cpu0;
      hostsCpu += startCpu().hosts - hosts0;
      saveTimes.push(saved);
      samples.push(...mine);
    }
  }
  await breakdown.close();
  if (profile) await Promise.all(hosts.map((host, i) => host.request({ type: 'profile-stop', file: path.join(profile, `agent-host-${i}.cpuprofile`) }, 'profiling')));
  const p = percentiles(samples);
  const savedP = percentiles(saveTimes);
  const broadcast = fanOutAt.get(agentCount)?.floor ?? await measureBroadcastFloor({ hosts, databaseUrl: bench.url, size: agentCount, rounds: saves, payload: versionMessage });
  ratioRow(`save → apply, ${agentCount.toLocaleString('en')} full agents, p50`, p.p50, saveFloor.p50 + broadcast.p50, 1.5);
  ratioRow(`save → apply, ${agentCount.toLocaleString('en')} full agents, p99`, p.p99, saveFloor.p99 + broadcast.p99, 1.5);
  // The reports' share: the whole version's server CPU less the save alone
  // (measured without subscribers below) and the fan-out.
  const fanOutCpu = fanOutAt.get(agentCount)?.ours.cpuPerEventMs;
  partsTable = breakdown.table({ saveFloor, broadcast, bareClientCpuMs: broadcast.clientCpuPerEventMs, plainClientCpuMs: fanOutAt.get(agentCount)?.ours.clientCpuPerEventMs });
  // Reports posted after the last apply ran on a server doing nothing else:
  // their CPU, scaled to the whole fleet, is the reports' cost measured alone.
  const reportsAlone = breakdown.reportsAloneMs();
  reportsAloneLine = `Apply reports measured alone (the server's CPU from the last apply to the last report recorded, over the ${breakdown.latePercent().toFixed(0)} % of reports posted in that time, scaled to ${agentCount}): ${reportsAlone.toFixed(1)} ms per version, ${(reportsAlone / (fanOutCpu ?? NaN)).toFixed(2)}× the fan-out's CPU${reportFloor ? `, ${(reportsAlone / reportFloor.cpuPerRoundMs).toFixed(2)}× their own floor` : ''}.`;
  console.log(reportsAloneLine);
  console.log(`save → apply: p50 ${formatMs(p.p50)} p99 ${formatMs(p.p99)}, save ${formatMs(savedP.p50)}`);

  if (restart) {
    // The agents idle first (their last reports confirmed), as a fleet
    // between saves is: the restart measures reconnecting, not re-sending.
    await Promise.all(hosts.map((host) => host.request({ type: 'flush' }, 'flushed')));
    // Every agent current again after a restart: the time from the new
    // server's listening to each socket's acknowledged reconnect.
    await Promise.all(hosts.map((host) => host.request({ type: 'watch-reconnects' }, 'watching')));
    const reconnected: number[] = [];
    let waiting = agentCount;
    let allBack: () => void = () => {};
    const back = new Promise<void>((resolve) => (allBack = resolve));
    const stops = hosts.map((host) => host.onStreamed((reply, from) => {
      if (reply.type !== 'reconnected') return;
      reconnected.push(...reply.times.map((at) => at - from.offset));
      waiting -= reply.times.length;
      if (waiting === 0) allBack();
    }));
    await product.stop();
    product = await startProduct();
    const listening = now();
    await back;
    for (const stop of stops) stop();
    const after = reconnected.map((at) => at - listening).sort((a, b) => a - b);
    const last = after.at(-1) ?? NaN;
    rows.push({ figure: `restart with ${agentCount.toLocaleString('en')} agents: listening → every agent current`, value: `${(last / 1000).toFixed(2)} s`, floor: '3 s (target)', ratio: last / 3000, target: 1 });
    const buckets = new Map<number, number>();
    for (const at of after) buckets.set(Math.max(0, Math.floor(at / 100)), (buckets.get(Math.max(0, Math.floor(at / 100))) ?? 0) + 1);
    const lastBucket = Math.max(...buckets.keys());
    curve = Array.from({ length: lastBucket + 1 }, (_, b) => `${b * 100}: ${buckets.get(b) ?? 0}`).join(', ');
    console.log(`restart: last agent current ${formatMs(last)} after listening`);
  }
  const reportsCpu = fanOutCpu === undefined ? undefined : withReportsCpu / saves - saveCpu - fanOutCpu;
  if (reportsCpu !== undefined && fanOutCpu !== undefined) ratioRow(`apply reports' server CPU per version, ${agentCount.toLocaleString('en')} agents (vs the fan-out's)`, reportsCpu, fanOutCpu, 2);
  if (reportsCpu !== undefined && reportFloor) {
    reportFloorLine = `Apply reports against their own floor (a bare ws server receiving the same ${agentCount} messages after the same jitter, parsing them and group-committing them with plain pg every 50 ms): ${reportsCpu.toFixed(1)} ms against ${reportFloor.cpuPerRoundMs.toFixed(1)} ms per version (${(reportsCpu / reportFloor.cpuPerRoundMs).toFixed(2)}×).`;
  }
  readyLine = `Save alone over HTTP (in the save → apply samples): p50 ${formatMs(savedP.p50)}, p99 ${formatMs(savedP.p99)}; server CPU per save ${saveCpu.toFixed(1)} ms; per version with ${agentCount} agents (save, fan-out, reports) ${(withReportsCpu / saves).toFixed(1)} ms; the agent hosts' CPU per version (receive, apply, report; same cores) ${(hostsCpu / saves).toFixed(1)} ms.`;
}

if (process.env.BENCH_DUMP) await writeFile(process.env.BENCH_DUMP, product.output());
await Promise.all(hosts.map((host) => host.request({ type: 'close' }, 'closed')));
await product.stop();
await observer.end();
await bench.drop();
await rm(dataDir, { recursive: true, force: true });
ratioRow('idle server resident memory', idleRss, 200, 1, 'MB');

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL on loopback, ${hostCount} client processes on the same cores`;
const table = [
  `## Distribution benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Machine: ${machine}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s. Saves per size: ${saves}.`,
  '',
  '| figure | value | floor | ratio | target | met |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.floor} | ${r.ratio.toFixed(2)} | ≤ ${r.target} | ${r.ratio <= r.target ? 'yes' : 'no'} |`),
  '',
  'Floors: *commit → receipt* and *CPU per event*: one LISTEN connection and a bare `ws` server writing one pre-serialized frame of a version\'s size to as many sockets, same client processes, its rounds alternating with ours on sockets connected at the same time; clocks start when a LISTEN connection sees the commit\'s notification. *Save → apply*: the save floor (the minimal durable transaction with plain `pg`: lock, version with every value, change, audit, NOTIFY, commit; p50 ' +
    `${formatMs(saveFloor.p50)}, p99 ${formatMs(saveFloor.p99)}) plus the broadcast floor at that size. *Apply reports*: the server CPU of a version with full agents less that of a save without subscribers and of the fan-out. Raw NOTIFY floor: p50 ${formatMs(notifyFloor.p50)}, p99 ${formatMs(notifyFloor.p99)}.`,
  readyLine,
  reportFloorLine,
  reportsAloneLine,
  startCpuLine,
  '',
  ...partsTable,
  '| subscribers | server resident | commit → receipt p50 / p99 | floor p50 / p99 | server CPU per event / floor |',
  '|---|---|---|---|---|',
  `| 0 (idle) | ${idleRss.toFixed(0)} MB | | | |`,
  ...memoryRows,
  '',
  curve ? `Reconnect curve after the restart (ms after listening: agents acknowledged in that 100 ms): ${curve}.` : '',
  '',
].join('\n');
await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(path.join(import.meta.dirname, 'results', 'save-to-apply.md'), `# Distribution at scale (last run)\n\n${table}`);
await appendFile(path.join(import.meta.dirname, 'results', 'history.md'), `${table}\n`);
console.log(`\n${table}`);
