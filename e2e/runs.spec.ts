import { readFile } from 'node:fs/promises';
import { backtestSpec } from '../runtime-agent/backtest/backtest-spec.ts';
import { runBacktest } from '../runtime-agent/backtest/run-backtest.ts';
import { expect, test } from './support/fixtures.ts';
import { commit, data, seedLineage } from './support/runs.ts';
import { seedBulkRuns } from './support/seed-runs.ts';

// The runs pages at desktop width (phone width: runs-phone.spec.ts): the
// list with its server-side filters, sort and paging, a run's lineage, two
// runs compared, "Re-run identical" and the PDF report.

test('runs list: filters, search, sort and paging on the server, the view in the address', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const lineage = await seedLineage(consoleApp);
  await seedBulkRuns(consoleApp.database.prisma, { count: 450, parameterSetHash: lineage.baseSet, version: lineage.version });
  await signInAs('viewer');
  await page.goto('/runs');
  await expect(page.getByTestId('run-count')).toContainText('454 runs');
  // The first page (the server's cap of 100) is rendered virtualised: far fewer rows in the DOM.
  await expect(page.getByTestId('run-row').first()).toContainText('new commit backtest');
  expect(await page.getByTestId('run-row').count()).toBeLessThan(60);
  await expectAccessible(page);

  // Scrolling to the end of what is loaded fetches the next page by cursor.
  await expect(page.getByTestId('run-count')).toContainText('100 loaded');
  await page.getByRole('region', { name: 'Runs (scroll for more)' }).evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.getByTestId('run-count')).toContainText('200 loaded');

  // Filters: kind and outcome, applied on the server, kept in the address.
  await page.getByLabel('Kind').selectOption('BACKTEST');
  await page.getByText('More filters').click();
  await page.getByLabel('Outcome').selectOption('SUCCEEDED');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/\/runs\?kind=BACKTEST&outcome=SUCCEEDED$/);
  const { data: expected } = await consoleApp.gql(`{ runs(kind: BACKTEST, outcome: SUCCEEDED) { totalCount } }`);
  await expect(page.getByTestId('run-count')).toHaveText(`${expected.runs.totalCount} runs match the filters`);
  await page.reload();
  await expect(page.getByTestId('run-count')).toHaveText(`${expected.runs.totalCount} runs match the filters`);
  await expect(page.getByLabel('Kind')).toHaveValue('BACKTEST');
  await expect(page.getByText('More filters (in use)')).toBeVisible();
  await expect(page.getByLabel('Outcome')).toHaveValue('SUCCEEDED');

  // Search by the beginning of a set's hash, and by name; started-by and version filters.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Search').fill(lineage.factorSet.slice(0, 10));
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('run-count')).toHaveText('1 run matches the filters');
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row')).toContainText('rsi trial 21');
  await page.getByLabel('Search').fill('bulk 0001');
  await page.getByText('More filters').click();
  await page.getByLabel('Started by').fill('token:orchestrator');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('run-count')).toHaveText('3 runs match the filters'); // bulk 00012, 00015, 00018

  // Sort by a heading: the server orders, the heading says so.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Search').fill('bulk 0000');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('button', { name: 'Name', exact: true }).click();
  await expect(page).toHaveURL(/sort=NAME_ASC/);
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.getByTestId('run-row').first()).toContainText('bulk 00001');
  await page.getByRole('button', { name: /^Name/ }).click();
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByTestId('run-row').first()).toContainText('bulk 00009');
  await page.getByRole('button', { name: 'Kind', exact: true }).click();
  await expect(page).toHaveURL(/sort=KIND_ASC/);
  await expect(page.getByTestId('run-row').first()).toContainText('experiment');
  await expectAccessible(page);
});

test('run page: its set by group, factors, code, the version with who and why, epochs, sharing runs, PDF', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const lineage = await seedLineage(consoleApp);
  await signInAs('viewer');
  await page.goto('/runs?q=rsi');
  await page.getByRole('link', { name: 'rsi trial 21' }).click();
  await expect(page.getByRole('heading', { name: 'rsi trial 21', level: 1 })).toBeVisible();
  await expect(page.getByTestId('output-digest')).toHaveText(`sha256:${'1b'.repeat(32)}`);
  await expect(page.getByTestId('set-hash')).toHaveText(lineage.factorSet);
  await expect(page.getByTestId('code-commit')).toHaveText(commit);
  await expect(page.getByTestId('factors')).toContainText('CVN_RSI_PERIOD');
  await expect(page.getByTestId('factors')).toContainText('21');
  const version = page.getByTestId('config-version');
  await expect(version).toContainText(`dev@${lineage.version}`);
  await expect(version).toContainText('Editor (editor)');
  await expect(version).toContainText('Longer ATR after the March review');
  await page.getByText('1 parameter changed in this version').click();
  await expect(page.getByTestId('diff-CVN_ATR_PERIOD')).toBeVisible();
  // Values by display group, collapsed: open the group holding the factor's parameter.
  const group = page.locator('details[data-testid^="group-"]').filter({ has: page.locator('td', { hasText: /^CVN_RSI_PERIOD$/ }) });
  await expect(group).toHaveCount(1);
  await group.locator('summary').click();
  await expect(group.getByRole('row').filter({ hasText: 'CVN_RSI_PERIOD' })).toContainText('14');
  await expectAccessible(page);

  // The PDF report: downloaded through the session, a real PDF.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-link').click()]);
  expect(download.suggestedFilename()).toBe('run-rsi-trial-21.pdf');
  const pdf = await readFile((await download.path())!);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(20_000);

  // A paper session: its epochs; the runs sharing its set.
  await page.goto(`/runs/${encodeURIComponent(lineage.session)}`);
  await expect(page.getByTestId('epochs')).toContainText(`dev@${lineage.version}`);
  await expect(page.getByTestId('sharing-runs')).toContainText('atr baseline');
  await expectAccessible(page);
});

test('compare: two runs selected in the list, the server\'s verdict with its reasons and the diff', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const lineage = await seedLineage(consoleApp);
  await signInAs('viewer');
  await page.goto('/runs?kind=EXPERIMENT');
  await expect(page.getByTestId('run-count')).toHaveText('2 runs match the filters');
  await expect(page.getByRole('button', { name: 'Compare selected' })).toBeDisabled();
  await page.getByLabel('Select atr baseline for comparison').check();
  await page.getByLabel('Select rsi trial 21 for comparison').check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
  await expect(page).toHaveURL(/\/runs\/compare\?a=.+&b=.+/);
  await expect(page.getByTestId('verdict')).toContainText('RELAXED');
  await expect(page.getByTestId('reasons')).toContainText('FACTOR_DIFFERS');
  await expect(page.getByTestId('diff-factors')).toContainText('CVN_RSI_PERIOD');
  await expect(page.getByTestId('run-A')).toContainText('atr baseline');
  await expect(page.getByTestId('run-B')).toContainText('rsi trial 21');
  await expect(page.getByText('The same commit and packages.')).toBeVisible();
  await expectAccessible(page);

  // From a run's page: any other run by its id; code that differs is FORBIDDEN, with the reason.
  await page.getByTestId('run-A').getByRole('link', { name: 'atr baseline' }).click();
  await expect(page.getByRole('heading', { name: 'atr baseline', level: 1 })).toBeVisible();
  await page.getByLabel('Compare with run id').fill(lineage.otherCode);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.getByTestId('verdict')).toContainText('FORBIDDEN');
  await expect(page.getByTestId('reasons')).toContainText('CODE_VERSION_DIFFERS');
  await expect(page.getByTestId('diff-code')).toContainText('commit');
  await expect(page.getByRole('link', { name: 'PDF report of A with B as baseline' })).toHaveAttribute('href', `/runs/${encodeURIComponent(lineage.baseline)}/report.pdf?baseline=${encodeURIComponent(lineage.otherCode)}`);
});

test('re-run identical: an editor confirms and lands on the new run, whose digest shows beside the original\'s; a viewer is told why not', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const lineage = await seedLineage(consoleApp);
  await signInAs('viewer');
  await page.goto(`/runs/${encodeURIComponent(lineage.baseline)}`);
  await expect(page.getByRole('button', { name: 'Re-run identical' })).toBeDisabled();
  await expect(page.getByText('Re-running needs the editor role; you are signed in as a viewer.')).toBeVisible();

  await page.context().clearCookies();
  await signInAs('editor');
  await page.reload();
  await page.getByRole('button', { name: 'Re-run identical' }).click();
  const dialog = page.getByRole('dialog', { name: 'Re-run atr baseline' });
  await expect(dialog).toContainText(`dev@${lineage.version}`);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Start the re-run' }).click();
  await expect(page.getByText('re-run of')).toBeVisible();
  const newId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
  expect(newId).not.toBe(lineage.baseline);
  const digests = page.getByTestId('digest-comparison');
  await expect(digests.getByTestId('original-digest')).toHaveText(`sha256:${'0a'.repeat(32)}`);
  await expect(digests.getByTestId('rerun-digest')).toHaveText('waiting for the run to end…');

  // The server recorded it (audited, pinned like the original); when it ends, the page shows the verdict on its own.
  const { auditEvents } = data(await consoleApp.gql(`query ($s: String!) { auditEvents(subject: $s, first: 5) { edges { node { action actor details } } } }`, { s: newId }));
  expect(auditEvents.edges[0].node).toMatchObject({ action: 'run_registered', actor: 'editor' });
  data(await consoleApp.gql(`mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id } }`, { input: { id: newId, status: 'SUCCEEDED', outputDigest: `sha256:${'0a'.repeat(32)}` } }, 'editor'));
  await expect(digests.getByTestId('digest-verdict')).toHaveText('Identical outputs: the digests match.', { timeout: 15_000 });
  await expect(page.getByTestId('output-digest')).toHaveText(`sha256:${'0a'.repeat(32)}`);
  await expectAccessible(page);
});

// A BACKTEST re-run is executed by the product's backtest executor (the same
// runner as `npm run backtest`, through the API). The original is a real
// backtest run by that runner; the page polls (bounded) until the re-run ends
// and shows its digest beside the original's: the same set gives the same one.
test('re-run identical of a BACKTEST: the server runs it and the page shows the new digest beside the original\'s', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  test.setTimeout(120_000);
  const lineage = await seedLineage(consoleApp);
  const token = data(await consoleApp.gql(`mutation { createServiceToken(input: { environment: "dev", name: "backtest-cli" }) { token } }`)).createServiceToken.token as string;
  const original = await runBacktest(
    { parameterSetHash: lineage.baseSet, spec: backtestSpec({ symbols: ['BTCUSDC', 'ETHUSDC'], candles: 600, historyBars: 200 }), name: 'btc eth backtest' },
    { url: consoleApp.url, token },
  );
  await signInAs('editor');
  await page.goto(`/runs/${encodeURIComponent(original.runId)}`);
  await page.getByRole('button', { name: 'Re-run identical' }).click();
  const dialog = page.getByRole('dialog', { name: 'Re-run btc eth backtest' });
  await expect(dialog).toContainText('The server runs the backtest');
  await dialog.getByRole('button', { name: 'Start the re-run' }).click();
  const digests = page.getByTestId('digest-comparison');
  await expect(digests).toBeVisible();
  await expect(digests.getByTestId('rerun-digest')).toHaveText(original.outputDigest, { timeout: 60_000 });
  await expect(digests.getByTestId('digest-verdict')).toHaveText('Identical outputs: the digests match.');
  await expectAccessible(page);
});
