// How long the runs page takes with 10,000 runs, from navigation start to
// interactive: the count of 10,000 shown, the first page of rows rendered
// (virtualised) and the search field focusable. Also a re-sort by a column
// heading (server-side) and the next page fetched on scrolling. Built console
// on the real server over a throwaway database, Debian's Chromium, no
// throttling. A figure, not a test: `npm run web:runs-timing` (after web:build).
import { chromium } from '@playwright/test';
import { createPasswordHasher } from '../server/auth/password-hasher.ts';
import { createApp } from '../app/create-app.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { createConsoleFallback } from '../server/http/serve-console.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { seedDatabase } from '../server/seed/seed-database.ts';
import { seedBulkRuns } from '../e2e/support/seed-runs.ts';
import { databaseUrlFor, withAdminClient } from '../test/support/postgres-admin.ts';
import { testHasherOptions, testPasswords } from '../test/support/test-passwords.ts';

const loads = Number(process.env.RUNS ?? 9);
const total = Number(process.env.RUN_COUNT ?? 10_000);
const name = `ucp_runs_timing_${process.pid}`;
const logger = createLogger({ level: 'silent' });
await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
const database = await connectPostgres({ connectionString: databaseUrlFor(name), logger });
const hasher = createPasswordHasher(testHasherOptions);
let app: Awaited<ReturnType<typeof createApp>> | undefined;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const countText = `${total.toLocaleString('en-US')} runs`;
try {
  await seedDatabase(database.prisma, { hasher, passwords: testPasswords });
  app = await createApp({ database, logger, hasher, port: 0, fallback: createConsoleFallback() });
  const frozen = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`editor:${testPasswords.editor}`).toString('base64')}` },
    body: JSON.stringify({ query: `mutation { createParameterSet(input: { environment: "dev", code: { commit: "${'a1'.repeat(20)}", packages: [] } }) { parameterSet { hash } } }` }),
  }).then((r) => r.json()) as { data: { createParameterSet: { parameterSet: { hash: string } } } };
  const seeding = performance.now();
  await seedBulkRuns(database.prisma, { count: total, parameterSetHash: frozen.data.createParameterSet.parameterSet.hash });
  console.log(`seeded ${total.toLocaleString('en-US')} runs in ${Math.round(performance.now() - seeding)} ms (SQL)`);

  const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } });
  const signIn = await context.request.post('/auth/session', { data: { username: 'viewer', password: testPasswords.viewer } });
  if (signIn.status() !== 200) throw new Error(`sign-in answered ${signIn.status()}`);
  // Milestones recorded in the page itself (a MutationObserver), so the figure carries no test-driver latency.
  await context.addInitScript(`
    window.__ucpMilestones = {};
    new MutationObserver(() => {
      const m = window.__ucpMilestones;
      const count = document.querySelector('[data-testid="run-count"]');
      if (!('list' in m) && count && count.textContent.startsWith(${JSON.stringify(countText)}) && document.querySelector('[data-testid="run-row"]')) m.list = Math.round(performance.now());
    }).observe(document, { childList: true, subtree: true, characterData: true });
  `);
  const interactive: number[] = [];
  const resort: number[] = [];
  const nextPage: number[] = [];
  let domRows = 0;
  for (let run = 0; run < loads + 1; run++) {
    const page = await context.newPage();
    // Run 0 warms the HTTP cache and the database's buffers: not counted.
    await page.goto('/runs', { waitUntil: 'commit' });
    await page.getByTestId('run-count').filter({ hasText: countText }).waitFor();
    await page.getByLabel('Search').focus();
    const t = (await page.evaluate<Record<string, number>>('window.__ucpMilestones')).list!;
    domRows = await page.getByTestId('run-row').count();
    // A heading pressed → the server's re-sorted first page painted.
    const s = await page.evaluate<number>(`(async () => {
      const started = performance.now();
      // Newest first, the first row was started by the editor; by starter, admin's come first.
      [...document.querySelectorAll('th button.sort')].find((b) => b.textContent.startsWith('Started by')).click();
      await new Promise((resolve) => {
        const check = () => { const row = document.querySelector('[data-testid="run-row"]'); return row && row.textContent.includes('admin') ? resolve() : requestAnimationFrame(check); };
        check();
      });
      return performance.now() - started;
    })()`);
    // Scrolled to the end of what is loaded → the next 100 (cursor) loaded and counted.
    const n = await page.evaluate<number>(`(async () => {
      const list = document.querySelector('.runs-list');
      const started = performance.now();
      list.scrollTop = list.scrollHeight;
      await new Promise((resolve) => {
        const check = () => (document.querySelector('[data-testid="run-count"]').textContent.includes('200 loaded') ? resolve() : requestAnimationFrame(check));
        check();
      });
      return performance.now() - started;
    })()`);
    if (run > 0) {
      interactive.push(t);
      resort.push(s);
      nextPage.push(n);
    }
    await page.close();
  }
  const fmt = (xs: number[]) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
  console.log(`runs page, ${total.toLocaleString('en-US')} runs, ${loads} loads (${domRows} rows in the DOM of 100 loaded)`);
  console.log(`  navigation start → count and first page rendered, search focusable: ${fmt(interactive)}`);
  console.log(`  heading pressed → re-sorted first page painted (server sort):    ${fmt(resort)}`);
  console.log(`  scrolled to the end → next page of 100 loaded (cursor):            ${fmt(nextPage)}`);
} finally {
  await browser.close();
  await app?.close();
  await database.close();
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
