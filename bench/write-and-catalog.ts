// `npm run bench:write`: the time of a configuration write and of the catalog
// queries at full catalog size (575 parameters), measured end to end over
// HTTP against a real server on a real PostgreSQL database. Prints a table.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { createApp } from '../app/create-app.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { createPasswordHasher } from '../server/auth/password-hasher.ts';
import { createBenchDatabase } from './bench-database.ts';
import { formatMs, percentiles } from './percentiles.ts';

const bench = await createBenchDatabase();
const app = await createApp({ database: bench.database, logger: createLogger({ level: 'warn' }), hasher: createPasswordHasher(), port: 0 });

// Sign in once: the cookie session is what the console uses, and it keeps
// argon2 password verification out of the figures.
const signIn = await fetch(`${app.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: 'bench-editor-pw' }) });
const { csrfToken } = (await signIn.json()) as { csrfToken: string };
const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function time(runs: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;
let version: number = (await gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
const write = (changes: { name: string; value: string }[], reason: string) => async () => {
  version = (await gql(UPDATE, { input: { environment: 'dev', expectedVersion: version, reason, changes } })).updateConfig.version.version;
};

// Warm-up: JIT, the catalog cache, CEL programs, connection pool.
for (let i = 0; i < 20; i += 1) await write([{ name: 'CVN_ATR_PERIOD', value: String(10 + (i % 20)) }], 'warm-up')();

// Twenty search-space scales toggled between 'linear' and 'log' (always legal).
const scales: string[] = (await gql(`{ catalog(first: 500, filter: { search: "_RANGE_SCALE" }) { edges { node { name } } } }`)).catalog.edges
  .map((e: { node: { name: string } }) => e.node.name).slice(0, 20);

const results: [string, number[]][] = [
  ['write: 1 parameter (validate 575 values + 10 rules, version, diff, audit, NOTIFY)', await time(200, (i) => write([{ name: 'CVN_ATR_PERIOD', value: String(10 + (i % 20)) }], `bench ${i}`)())],
  ['write: 20 parameters at once', await time(100, (i) => write(scales.map((name) => ({ name, value: i % 2 ? 'linear' : 'log' })), `bench multi ${i}`)())],
  ['catalog: all 575 entries with every field (one page)', await time(100, () => gql(`{ catalog(first: 1000) { totalCount edges { node { name type allowedValues minValue maxValue defaultValue unit description group required deprecated replacement { name } deprecatedValues { value reason } hotReloadable category critical validator revision } } } }`))],
  ['catalog: search "learning_rate"', await time(100, () => gql(`{ catalog(first: 100, filter: { search: "learning_rate" }) { totalCount edges { node { name type minValue maxValue } } } }`))],
  ['environment: all 575 typed values with catalog metadata', await time(100, () => gql(`{ environment(name: "dev") { activeVersion values { name value typed entry { type unit group critical hotReloadable minValue maxValue allowedValues } } } }`))],
];

const lines = ['| operation | n | p50 | p95 | p99 | max |', '|---|---|---|---|---|---|'];
for (const [label, samples] of results) {
  const p = percentiles(samples);
  lines.push(`| ${label} | ${p.n} | ${formatMs(p.p50)} | ${formatMs(p.p95)} | ${formatMs(p.p99)} | ${formatMs(p.max)} |`);
}
const size = (await gql('{ catalog(first: 1) { totalCount } }')).catalog.totalCount;
const report = [
  '# Write and catalog query at full catalog size',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:write\`: end to end over HTTP (signed-in session), catalog of ${size} parameters, ${cpus().length} cores, Node ${process.version}, PostgreSQL on loopback.`,
  '',
  ...lines,
  '',
].join('\n');
await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(path.join(import.meta.dirname, 'results', 'write-and-catalog.md'), report);
console.log(report);

await app.close();
await bench.drop();
