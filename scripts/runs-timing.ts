// How long the runs page takes with 10,000 runs, from navigation start to
// interactive: the count of 10,000 shown, the first page of rows rendered
// (virtualised) and the search field focusable. Also a re-sort by a column
// heading (server-side) and the next page fetched on scrolling. Built console
// on the real server over a throwaway database, Debian's Chromium, no
// throttling. A figure, not a test: `npm run web:runs-timing` (after web:build).
import { seedBulkRuns } from '../e2e/support/seed-runs.ts';
import { testPasswords } from '../test/support/test-passwords.ts';
import { formatTimings, withTimedConsole } from './support/timed-console.ts';

const loads = Number(process.env.RUNS ?? 9);
const total = Number(process.env.RUN_COUNT ?? 10_000);
const countText = `${total.toLocaleString('en-US')} runs`;
await withTimedConsole('runs_timing', async ({ app, database, signedIn }) => {
  const frozen = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`editor:${testPasswords.editor}`).toString('base64')}` },
    body: JSON.stringify({ query: `mutation { createParameterSet(input: { environment: "dev", code: { commit: "${'a1'.repeat(20)}", packages: [] } }) { parameterSet { hash } } }` }),
  }).then((r) => r.json()) as { data: { createParameterSet: { parameterSet: { hash: string } } } };
  const seeding = performance.now();
  await seedBulkRuns(database.prisma, { count: total, parameterSetHash: frozen.data.createParameterSet.parameterSet.hash });
  console.log(`seeded ${total.toLocaleString('en-US')} runs in ${Math.round(performance.now() - seeding)} ms (SQL)`);

  const context = await signedIn('viewer');
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
  console.log(`runs page, ${total.toLocaleString('en-US')} runs, ${loads} loads (${domRows} rows in the DOM of 100 loaded)`);
  console.log(`  navigation start → count and first page rendered, search focusable: ${formatTimings(interactive)}`);
  console.log(`  heading pressed → re-sorted first page painted (server sort):    ${formatTimings(resort)}`);
  console.log(`  scrolled to the end → next page of 100 loaded (cursor):            ${formatTimings(nextPage)}`);
});
