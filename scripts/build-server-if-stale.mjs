// `prestart` (and the tests that spawn the product): compiles the server to
// dist/ (tsconfig.build.json) when a source is newer than the last build, so
// `npm start` runs plain JavaScript: under tsx an idle server held ~100 MB
// more (issue #15). A lock directory keeps parallel test workers from
// building at once; the ones that wait find the build fresh and return.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist/.build-stamp');
const lock = path.join(root, '.server-build.lock');
/** What tsconfig.build.json's entry points can reach, and what configures the build. */
const sources = ['app', 'contract', 'schema', 'server', 'runtime-agent', 'prisma', 'scripts/migrate.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const skipped = new Set(['node_modules', 'dist']);
const staleLockMs = 5 * 60_000;

function newestMtime(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return /\.(ts|tsx|json|mjs|js)$/.test(entry) ? stat.mtimeMs : 0;
  let newest = 0;
  for (const child of readdirSync(entry)) {
    if (!skipped.has(child)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

const isStale = () => {
  const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return sources.some((source) => newestMtime(path.join(root, source)) > built);
};

function takeLock() {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A build killed half-way leaves its lock behind.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleLockMs) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

if (isStale()) {
  takeLock();
  try {
    if (isStale()) {
      const startedAt = Date.now();
      const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
      if (result.status !== 0) {
        console.error('building the server (tsc -p tsconfig.build.json) failed');
        process.exitCode = result.status ?? 1;
      } else {
        // The stamp is dated when the build started, so a source saved during the build makes the next check rebuild.
        mkdirSync(path.dirname(stamp), { recursive: true });
        writeFileSync(stamp, `${new Date(startedAt).toISOString()}\n`);
        utimesSync(stamp, startedAt / 1000, startedAt / 1000);
        if (!existsSync(path.join(root, 'dist/app/main.js'))) throw new Error('the build wrote no dist/app/main.js');
      }
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
