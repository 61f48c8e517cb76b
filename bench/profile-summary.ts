// `npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [from-function]`:
// where a V8 CPU profile (node --cpu-prof; BENCH_PROFILE=<dir> on the
// benchmarks) spends its time, as self and inclusive time by package
// (node_modules/<name>, our own top folders, node internals, GC, idle) and the
// hottest functions. With `from-function`, samples before the first one whose
// stack holds that function are left out (a server's start-up, say).
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, topArg, fromFunction] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(await readFile(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Who owns a frame: a package, one of our folders, node itself, or V8's pseudo-frames. */
function owner({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return `(${functionName || 'anonymous'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/(server|schema|app|contract|runtime-agent)\/(generated\/)?/.exec(url);
  if (ours) return ours[2] ? `${ours[1]}/generated` : `${ours[1]}/`;
  return url;
}

// Time per sample, attributed to the sampled (leaf) node: self time.
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const stackHolds = (id: number, name: string) => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.functionName === name) return true;
  return false;
};
const first = fromFunction ? profile.samples.findIndex((id) => stackHolds(id, fromFunction)) : 0;
if (first < 0) throw new Error(`no sample holds ${fromFunction}`);
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (i >= first) selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfMs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, ms]) => a + ms, 0);
const busy = total - idle;

const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
const owners = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const { callFrame } = byId.get(id)!;
  if (callFrame.functionName === '(idle)') continue;
  add(owners, owner(callFrame), ms);
  add(functions, `${callFrame.functionName || '(anonymous)'} ${owner(callFrame)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`, ms);
}

// Inclusive: each sample counts once for every owner on its stack.
const inclusive = new Map<string, number>();
for (const [id, ms] of selfMs) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { callFrame } = byId.get(at)!;
    if (callFrame.url) seen.add(owner(callFrame));
  }
  for (const key of seen) add(inclusive, key, ms);
}

const table = (title: string, map: Map<string, number>) => {
  console.log(`\n| ${title} | self ms | % of busy |\n|---|---|---|`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`| ${key.replaceAll('|', '\\|')} | ${ms.toFixed(0)} | ${((100 * ms) / busy).toFixed(1)} % |`);
  }
};
console.log(`${file}${fromFunction ? ` from the first sample in ${fromFunction}` : ''}: ${(total / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (not idle)`);
table('owner (self)', owners);
table('owner (inclusive)', inclusive);
table('function', functions);
