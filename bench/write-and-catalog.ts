// `npm run bench:write`: a one-parameter save over HTTP (the console's
// updateConfig mutation, signed-in session) held against the floor measured
// in the same run: the minimal durable transaction the save needs, with plain
// `pg`, in 8 round trips and in 1 (bench/save-floor.ts). Samples interleave
// (floor, floor, save, floor, floor, save, …) so a shared machine's load
// falls on all three alike. Then a 20-parameter save and the catalog queries
// at full size. The server runs as its own process (`npm start` with
// DATABASE_URL); BENCH_PROFILE=<dir> writes its CPU profile there.
// Prints the table and appends it to bench/results/write-and-catalog/<date>.md.
import { appendFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnProduct } from '../test/support/spawn-product.ts';
import { benchPasswords, createBenchDatabase } from './bench-database.ts';
import { formatMs, percentiles } from './percentiles.ts';
import { createSaveFloor } from './save-floor.ts';

const SAVES = Number(process.env.BENCH_SAVES ?? 400);
const PARAMETER = 'CVN_ATR_PERIOD';
const TARGET_RATIO = 2;

const startedAt = new Date();
const loadBefore = loadavg();
const bench = await createBenchDatabase();
await bench.database.close();
const dataDir = await mkdtemp(path.join(tmpdir(), 'ucp-bench-'));
const product = await spawnProduct({ DATABASE_URL: bench.url, PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 60_000,
  process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
const url = product.url;

// Sign in once: the cookie session is what the console uses, and it keeps
// argon2 password verification out of the figures.
const signIn = await fetch(`${url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: benchPasswords.editor }) });
const { csrfToken } = (await signIn.json()) as { csrfToken: string };
const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function time(runs: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await timed(() => work(i)));
  return samples;
}

// The console's own save (web/src/pages/editor/editor.graphql).
const UPDATE = `mutation UpdateConfig($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { id version } changeRequest { id status } } }`;
let version: number = (await gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
const save = (changes: { name: string; value: string }[], reason: string) => async () => {
  version = (await gql(UPDATE, { input: { environment: 'dev', expectedVersion: version, reason, changes } })).updateConfig.version.version;
};
const floor = await createSaveFloor({ connectionString: bench.url, environment: 'staging', parameter: PARAMETER });

// Warm-up: JIT, the catalog cache, CEL programs, connection pools, plans.
for (let i = 0; i < 40; i += 1) {
  await save([{ name: PARAMETER, value: String(10 + (i % 20)) }], 'warm-up')();
  await floor.eightRoundTrips(i);
  await floor.oneRoundTrip(i);
}

const samples = { eight: [] as number[], one: [] as number[], save: [] as number[] };
for (let i = 0; i < SAVES; i += 1) {
  samples.eight.push(await timed(() => floor.eightRoundTrips(i)));
  samples.one.push(await timed(() => floor.oneRoundTrip(i)));
  samples.save.push(await timed(save([{ name: PARAMETER, value: String(10 + (i % 20)) }], `bench ${i}`)));
}

// Server CPU per save: saves alone (no floor transactions, whose versions the
// server also reads as they commit), from the kernel's account of the process.
const cpuMs = async () => {
  const fields = (await readFile(`/proc/${product.process.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
};
const CPU_SAVES = 150;
const cpuBefore = await cpuMs();
await time(CPU_SAVES, (i) => save([{ name: PARAMETER, value: String(10 + (i % 20)) }], `cpu ${i}`)());
const serverCpuPerSave = ((await cpuMs()) - cpuBefore) / CPU_SAVES;

// Twenty search-space scales toggled between 'linear' and 'log' (always legal).
const scales: string[] = (await gql(`{ catalog(first: 500, filter: { search: "_RANGE_SCALE" }) { edges { node { name } } } }`)).catalog.edges
  .map((e: { node: { name: string } }) => e.node.name).slice(0, 20);
// BENCH_OTHERS=0 skips them (a profile of saves alone).
const others: [string, number[]][] = process.env.BENCH_OTHERS === '0' ? [] : [
  ['save: 20 parameters at once', await time(60, (i) => save(scales.map((name) => ({ name, value: i % 2 ? 'linear' : 'log' })), `bench multi ${i}`)())],
  ['catalog: all 575 entries with every field (one page)', await time(40, () => gql(`{ catalog(first: 1000) { totalCount edges { node { name type allowedValues minValue maxValue defaultValue unit description group required deprecated replacement { name } deprecatedValues { value reason } hotReloadable category critical validator revision } } } }`))],
  ['catalog: search "learning_rate"', await time(60, () => gql(`{ catalog(first: 100, filter: { search: "learning_rate" }) { totalCount edges { node { name type minValue maxValue } } } }`))],
  ['environment: all 575 typed values with catalog metadata', await time(40, () => gql(`{ environment(name: "dev") { activeVersion values { name value typed entry { type unit group critical hotReloadable minValue maxValue allowedValues } } } }`))],
];

const size = (await gql('{ catalog(first: 1) { totalCount } }')).catalog.totalCount;
const valuesBytes = floor.valuesBytes();
const admin = new pg.Client({ connectionString: bench.url });
await admin.connect();
const postgres = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
await admin.end();
await floor.close();
await product.stop();
await rm(dataDir, { recursive: true, force: true });
await bench.drop();
const loadAfter = loadavg();

const p = { eight: percentiles(samples.eight), one: percentiles(samples.one), save: percentiles(samples.save) };
const ratio = (value: number, of: number) => value / of;
const row = (figure: string, value: number, floorValue: number, target?: number) => {
  const r = ratio(value, floorValue);
  return `| ${figure} | ${formatMs(value)} | ${formatMs(floorValue)} | ${r.toFixed(2)}× | ${target === undefined ? '—' : `≤ ${target}×`} | ${target === undefined ? '—' : r <= target ? 'yes' : '**no**'} |`;
};
const cpu = cpus();
const lines = [
  `## ${startedAt.toISOString()}`,
  '',
  `Machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, Node ${process.version}, PostgreSQL ${postgres} on loopback; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after.`,
  `Catalog of ${size} parameters; each version carries ${(valuesBytes / 1024).toFixed(1)} KB of values. ${SAVES} interleaved samples of each of the three (after 40 of warm-up).`,
  '',
  '| figure | value | floor | ratio | target | met |',
  '|---|---|---|---|---|---|',
  row('save over HTTP, p50 (vs floor in 8 round trips)', p.save.p50, p.eight.p50, TARGET_RATIO),
  row('save over HTTP, p99 (vs floor in 8 round trips)', p.save.p99, p.eight.p99, TARGET_RATIO),
  row('save over HTTP, p50 (vs floor in 1 round trip)', p.save.p50, p.one.p50),
  row('save over HTTP, p99 (vs floor in 1 round trip)', p.save.p99, p.one.p99),
  '',
  '| sample | n | p50 | p95 | p99 | max |',
  '|---|---|---|---|---|---|',
  ...([
    ['save over HTTP: 1 parameter (the console\'s mutation; validate 575 values + rules, version, diff, audit, NOTIFY)', p.save],
    ['floor, plain pg, 8 round trips (BEGIN, session, lock, freeze, version, change, audit, COMMIT)', p.eight],
    ['floor, plain pg, the same statements in 1 round trip', p.one],
    ...others.map(([label, s]) => [label, percentiles(s)] as const),
  ] as const).map(([label, s]) => `| ${label} | ${s.n} | ${formatMs(s.p50)} | ${formatMs(s.p95)} | ${formatMs(s.p99)} | ${formatMs(s.max)} |`),
  '',
  `Server CPU per save (user + system, ${CPU_SAVES} saves alone): ${serverCpuPerSave.toFixed(2)} ms.`,
  '',
  `Took ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`,
  '',
];
const report = lines.join('\n');
const folder = path.join(import.meta.dirname, 'results', 'write-and-catalog');
await mkdir(folder, { recursive: true });
await appendFile(path.join(folder, `${startedAt.toISOString().slice(0, 10)}.md`), `${report}\n`);
console.log(report);
