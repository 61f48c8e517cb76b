// Prints the console's initial JavaScript (what index.html loads before any
// page chunk), gzip-compressed, plus each lazily loaded chunk. Run after
// `npm run web:build`.
import { readFile, readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

const dist = new URL('../web/dist/', import.meta.url);
const html = await readFile(new URL('index.html', dist), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const size = async (file) => gzipSync(await readFile(new URL(file, dist)), { level: 9 }).length;
let total = 0;
for (const file of initial) total += await size(file);
console.log(`initial JS (gzip): ${(total / 1024).toFixed(1)} KiB in ${initial.length} file(s): ${initial.join(', ')}`);
for (const file of (await readdir(new URL('assets/', dist))).filter((f) => f.endsWith('.js')).sort()) {
  if (!initial.includes(`assets/${file}`)) console.log(`  lazy ${file}: ${((await size(`assets/${file}`)) / 1024).toFixed(1)} KiB`);
}
