// `npm run bench:distribution`: save-to-apply latency from sending the
// updateConfig mutation to each runtime agent's apply callback, for a
// hot-reloadable parameter with idle workers, at 10, 100 and 1,000 connected
// agents, beside the raw floor (NOTIFY to a plain LISTEN client) measured in
// the same run, plus the server's resident memory with 1,000 agents. The
// server runs as its own process (`npm start` with DATABASE_URL), the agents
// in BENCH_PROCESSES agent hosts (bench/agent-host.ts; default one per core).
// Writes bench/results/save-to-apply.md.
import { readFile, writeFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { spawnProduct } from '../test/support/spawn-product.ts';
import type { HostCommand } from './agent-host-protocol.ts';
import { startAgentHost } from './agent-hosts.ts';
import { createArrivals, now, shareOf } from './arrivals.ts';
import { benchPasswords, createBenchDatabase } from './bench-database.ts';
import { measureBroadcastFloor } from './broadcast-floor.ts';
import { measureNotifyFloor } from './notify-floor.ts';
import { formatMs, percentiles } from './percentiles.ts';

const sizes = (process.env.BENCH_AGENTS ?? '10,100,1000').split(',').map(Number);
const savesPerSize = (n: number) => (n >= 1000 ? 20 : n >= 100 ? 40 : 60);
const PARAMETER = 'CVN_SIGNAL_THRESHOLD_BUY';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function residentMemoryMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const bench = await createBenchDatabase();
await bench.database.close();
const dataDir = await mkdtemp(path.join(tmpdir(), 'ucp-bench-'));
const product = await spawnProduct({ DATABASE_URL: bench.url, PORT: String(await freePort()), PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'error' }, 60_000,
  // BENCH_PROFILE=<dir> writes CPU profiles: the server's whole run, and each agent host's during each size's saves.
  process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
const url = product.url;
const basic = (user: 'admin' | 'editor') => `Basic ${Buffer.from(`${user}:${benchPasswords[user]}`).toString('base64')}`;

async function gql(query: string, variables: Record<string, unknown>, authorization: string): Promise<any> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// Sign the editor in once (cookie session) so argon2 stays out of the figures.
const signIn = await fetch(`${url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: benchPasswords.editor }) });
const { csrfToken } = (await signIn.json()) as { csrfToken: string };
const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
async function save(version: number, value: string): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({
      query: `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`,
      variables: { input: { environment: 'dev', expectedVersion: version, reason: 'save-to-apply benchmark', changes: [{ name: PARAMETER, value }] } },
    }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data.updateConfig.version.version;
}

const token: string = (await gql(`mutation { createServiceToken(input: { environment: "dev", name: "bench" }) { token } }`, {}, basic('admin'))).createServiceToken.token;
const floor = await measureNotifyFloor(bench.url);

const arrivals = createArrivals(); // per saved version
const hostCount = Number(process.env.BENCH_PROCESSES ?? cpus().length);
const hosts = await Promise.all(Array.from({ length: hostCount }, (_, i) => startAgentHost(i)));
for (const host of hosts) {
  host.onStreamed((reply, from) => {
    if (reply.type === 'applied') arrivals.add(reply.version, reply.times, from.offset);
  });
}
const connected = () => hosts.reduce((sum, host) => sum + host.agents, 0);

let version: number = (await gql(`{ environment(name: "dev") { activeVersion } }`, {}, basic('admin'))).environment.activeVersion;
const rows: string[] = [];
let rssAtMax: number | undefined;
let tick = 0;
let lastEvent = '';

for (const size of sizes) {
  // Each host holds size / hosts agents.
  let firstIndex = connected();
  await Promise.all(hosts.map((host, i) => {
    const count = shareOf(size, hosts.length, i) - host.agents;
    if (count <= 0) return undefined;
    const command: HostCommand = { type: 'connect', url, token, count, firstIndex };
    firstIndex += count;
    return host.request(command, 'connected').then((reply) => {
      host.agents = reply.agents;
    });
  }));
  const samples: number[] = [];
  const saveTimes: number[] = [];
  const saves = savesPerSize(size);
  const profile = process.env.BENCH_PROFILE;
  if (profile) await Promise.all(hosts.map((host) => host.request({ type: 'profile-start' }, 'profiling')));
  for (let s = 0; s < saves + 3; s += 1) {
    tick += 1;
    const next = version + 1;
    const mine: number[] = [];
    const { t0, complete } = arrivals.start(next, connected(), mine);
    version = await save(version, tick % 2 ? '0.56' : '0.57');
    const savedAfter = now() - t0;
    if (version !== next) throw new Error(`expected version ${next}, got ${version}`);
    await complete;
    if (s >= 3) { // the first 3 are warm-up
      saveTimes.push(savedAfter);
      samples.push(...mine);
    }
    if (process.env.BENCH_DEBUG) console.log(`save ${savedAfter.toFixed(1)} ms, first apply ${Math.min(...mine).toFixed(1)} ms, last ${Math.max(...mine).toFixed(1)} ms`);
    // Let every apply report reach the server before the next save, so
    // each measurement starts from an idle server (the first 3 are warm-up).
    await Promise.all(hosts.map((host) => host.request({ type: 'flush' }, 'flushed')));
  }
  if (profile) await Promise.all(hosts.map((host, i) => host.request({ type: 'profile-stop', file: path.join(profile, `agent-host-${i}-${size}.cpuprofile`) }, 'profiling')));
  if (size === Math.max(...sizes)) rssAtMax = await residentMemoryMb(product.process.pid!);
  // A version's message as an agent receives it, for the broadcast floor.
  lastEvent ||= JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: { data: { configChanged: {
    environment: 'dev', version, kind: 'EDIT', changedKeys: [PARAMETER], createdAt: new Date().toISOString(), changes: [{ name: PARAMETER, after: '0.57' }],
  } } } });
  const broadcast = await measureBroadcastFloor(hosts, size, saves, lastEvent);
  const p = percentiles(samples);
  const saved = percentiles(saveTimes);
  rows.push(`| ${size} | ${saves} | ${p.n} | ${formatMs(p.p50)} | ${formatMs(p.p95)} | ${formatMs(p.p99)} | ${formatMs(p.max)} | ${formatMs(saved.p50)} | ${formatMs(broadcast.p50)} / ${formatMs(broadcast.p99)} |`);
  console.log(rows.at(-1));
}

await Promise.all(hosts.map((host) => host.request({ type: 'close' }, 'closed')));
await product.stop();
await bench.drop();
await rm(dataDir, { recursive: true, force: true });

const table = [
  `# Save-to-apply latency`,
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:distribution\` on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, PostgreSQL on loopback.`,
  `From sending \`updateConfig\` (one hot-reloadable THRESHOLD parameter) to each idle agent's apply callback. The server runs as its own process; the agents run in ${hostCount} agent-host processes (each worker is its own process in production), all on the same ${cpus().length} cores. Apply times are taken in the hosts and corrected for each host's clock offset (least-delay round trip).`,
  '',
  '| agents | saves | samples | p50 | p95 | p99 | max | save alone (p50) | raw WebSocket broadcast floor (p50 / p99) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  '*save alone*: the updateConfig round trip (validation, the version, its audit, the commit), a part of every sample.',
  `*raw WebSocket broadcast floor*: a bare \`ws\` server sending one pre-serialized message of a version's size to as many plain sockets in the same host processes (no graphql-ws, no agent, no database): what this machine needs to reach that many sockets at all.`,
  '',
  `Raw floor in the same run (pg_notify → plain LISTEN client, ${floor.n} events): p50 ${formatMs(floor.p50)}, p95 ${formatMs(floor.p95)}, p99 ${formatMs(floor.p99)}, max ${formatMs(floor.max)}.`,
  rssAtMax !== undefined ? `Server resident memory with ${Math.max(...sizes)} agents connected: ${rssAtMax.toFixed(0)} MB.` : '',
  '',
].join('\n');
await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(path.join(import.meta.dirname, 'results', 'save-to-apply.md'), table);
console.log(`\n${table}`);
