// `npm run bench:idle`: the idle server's resident memory (issue #15: at most
// 200 MB), measured as bench/save-to-apply.ts measures it: `npm start`'s
// process on a migrated, seeded PostgreSQL database, read from
// /proc/<pid>/status right after it prints its URL, no client connected.
// BENCH_RUNS starts (default 3) on the same database; prints each and the median.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnProduct } from '../test/support/spawn-product.ts';
import { createBenchDatabase } from './bench-database.ts';
import { residentMb } from './process-cpu.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const bench = await createBenchDatabase();
await bench.database.close();
const dataDir = await mkdtemp(path.join(tmpdir(), 'ucp-bench-'));
const figures: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const product = await spawnProduct({ DATABASE_URL: bench.url, PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    figures.push(residentMb(product.process.pid!));
    await product.stop();
    console.log(`start ${run + 1}: idle RSS ${figures.at(-1)!.toFixed(1)} MB`);
  }
} finally {
  await bench.drop();
  await rm(dataDir, { recursive: true, force: true });
}
const sorted = [...figures].sort((a, b) => a - b);
console.log(`median idle RSS over ${runs} start(s): ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} MB`);
