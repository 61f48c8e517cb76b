// `npm run bench:distribution`: save-to-apply latency from sending the
// updateConfig mutation to each runtime agent's apply callback, for a
// hot-reloadable parameter with idle workers, at 10, 100 and 1,000 connected
// agents, beside the raw floor (NOTIFY to a plain LISTEN client) measured in
// the same run, plus the server's resident memory with 1,000 agents. The
// server runs as its own process (`npm start` with DATABASE_URL), the agents
// in this one. Writes bench/results/save-to-apply.md.
import { readFile, writeFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createRuntimeAgent, type RuntimeAgent } from '../runtime-agent/src/index.ts';
import { spawnProduct } from '../test/support/spawn-product.ts';
import { benchPasswords, createBenchDatabase } from './bench-database.ts';
import { measureNotifyFloor } from './notify-floor.ts';
import { formatMs, percentiles } from './percentiles.ts';

const sizes = (process.env.BENCH_AGENTS ?? '10,100,1000').split(',').map(Number);
const savesPerSize = (n: number) => (n >= 1000 ? 20 : n >= 100 ? 40 : 60);
const PARAMETER = 'CVN_SIGNAL_THRESHOLD_BUY';
const silent = { debug() {}, info() {}, warn() {}, error: (fields: Record<string, unknown>) => console.error(JSON.stringify(fields)) };

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
const product = await spawnProduct({ DATABASE_URL: bench.url, PORT: String(await freePort()), PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'error' });
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

/** version → callbacks waiting for every agent to apply it. */
const waiting = new Map<number, { remaining: number; t0: number; samples: number[]; done: () => void }>();
const agents: RuntimeAgent<typeof PARAMETER>[] = [];

function addAgent(i: number): RuntimeAgent<typeof PARAMETER> {
  const agent = createRuntimeAgent({
    url, token, environment: 'dev', workerName: `bench-${i}`, mode: 'PAPER', consumes: [PARAMETER] as const,
    logger: silent, heartbeatIntervalMs: 120_000, stalenessBudgetMs: 120_000,
    onApply: (batch) => {
      const now = performance.now();
      const pending = waiting.get(batch.version);
      if (!pending) return;
      pending.samples.push(now - pending.t0);
      pending.remaining -= 1;
      if (pending.remaining === 0) pending.done();
    },
  });
  agents.push(agent);
  return agent;
}

let version: number = (await gql(`{ environment(name: "dev") { activeVersion } }`, {}, basic('admin'))).environment.activeVersion;
const rows: string[] = [];
let rssAtMax: number | undefined;
let tick = 0;

for (const size of sizes) {
  // Connect in waves of 50: ready() loads values, registers the worker and subscribes.
  const start = agents.length;
  for (let i = start; i < size; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, size - i) }, (_, k) => addAgent(i + k).ready()));
  }
  const samples: number[] = [];
  const saves = savesPerSize(size);
  for (let s = 0; s < saves + 3; s += 1) {
    tick += 1;
    const next = version + 1;
    const all = new Promise<void>((done) => waiting.set(next, { remaining: agents.length, t0: performance.now(), samples: s < 3 ? [] : samples, done }));
    version = await save(version, tick % 2 ? '0.56' : '0.57');
    const savedAfter = performance.now() - waiting.get(next)!.t0;
    if (version !== next) throw new Error(`expected version ${next}, got ${version}`);
    await all;
    if (process.env.BENCH_DEBUG) {
      const mine = waiting.get(next)!.samples.slice(-agents.length);
      console.log(`save ${savedAfter.toFixed(1)} ms, first apply ${Math.min(...mine).toFixed(1)} ms, last ${Math.max(...mine).toFixed(1)} ms`);
    }
    waiting.delete(next);
    // Let every apply report reach the server before the next save, so
    // each measurement starts from an idle server (the first 3 are warm-up).
    await Promise.all(agents.map((a) => a.flush()));
  }
  if (size === Math.max(...sizes)) rssAtMax = await residentMemoryMb(product.process.pid!);
  const p = percentiles(samples);
  rows.push(`| ${size} | ${saves} | ${p.n} | ${formatMs(p.p50)} | ${formatMs(p.p95)} | ${formatMs(p.p99)} | ${formatMs(p.max)} |`);
  console.log(rows.at(-1));
}

await Promise.all(agents.map((a) => a.close()));
await product.stop();
await bench.drop();
await rm(dataDir, { recursive: true, force: true });

const table = [
  `# Save-to-apply latency`,
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:distribution\` on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, PostgreSQL on loopback.`,
  `From sending \`updateConfig\` (one hot-reloadable THRESHOLD parameter) to each idle agent's apply callback; the server runs as its own process, all agents share this one.`,
  '',
  '| agents | saves | samples | p50 | p95 | p99 | max |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Raw floor in the same run (pg_notify → plain LISTEN client, ${floor.n} events): p50 ${formatMs(floor.p50)}, p95 ${formatMs(floor.p95)}, p99 ${formatMs(floor.p99)}, max ${formatMs(floor.max)}.`,
  rssAtMax !== undefined ? `Server resident memory with ${Math.max(...sizes)} agents connected: ${rssAtMax.toFixed(0)} MB.` : '',
  '',
].join('\n');
await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(path.join(import.meta.dirname, 'results', 'save-to-apply.md'), table);
console.log(`\n${table}`);
