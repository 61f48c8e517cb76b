import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { seedLineage } from './support/runs.ts';
import { seedBulkRuns } from './support/seed-runs.ts';

// KPI 8: the run list is a phone surface. The runs pages at 390 px: nothing
// wider than the screen, every flow reachable by touch, axe clean.
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

async function expectNoHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('phone width: runs list, filters, compare, run page, PDF and re-run without layout breakage', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const lineage = await seedLineage(consoleApp);
  await seedBulkRuns(consoleApp.database.prisma, { count: 300, parameterSetHash: lineage.baseSet, version: lineage.version });
  await signInAs('editor');

  await page.goto('/runs');
  await expect(page.getByTestId('run-count')).toContainText('304 runs');
  const first = page.getByTestId('run-row').first();
  // Each row is a card of labelled facts, as wide as the screen at most.
  const box = (await first.boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(390);
  await expect(first.getByRole('link', { name: 'new commit backtest' })).toBeInViewport();
  await expectNoHorizontalOverflow(page);
  await expectAccessible(page);

  // Filter, select two runs by touch, compare them.
  await page.getByLabel('Kind').selectOption('EXPERIMENT');
  await page.getByLabel('Search').fill('r');
  await page.getByRole('button', { name: 'Apply filters' }).tap();
  await expect(page.getByTestId('run-count')).toHaveText('2 runs match the filters');
  await expectNoHorizontalOverflow(page);
  await page.getByLabel('Select atr baseline for comparison').tap();
  await page.getByLabel('Select rsi trial 21 for comparison').tap();
  await page.getByRole('button', { name: 'Compare selected' }).tap();
  await expect(page.getByTestId('verdict')).toContainText('RELAXED');
  await expect(page.getByTestId('diff-factors')).toContainText('CVN_RSI_PERIOD');
  await expectNoHorizontalOverflow(page);
  await expectAccessible(page);

  // The run page on a phone.
  await page.getByTestId('run-B').getByRole('link', { name: 'rsi trial 21' }).tap();
  await expect(page.getByRole('heading', { name: 'rsi trial 21', level: 1 })).toBeVisible();
  await expect(page.getByTestId('config-version')).toContainText('Longer ATR after the March review');
  await expectNoHorizontalOverflow(page);
  await expectAccessible(page);

  // The PDF downloads on a phone too.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-link').tap()]);
  expect(download.suggestedFilename()).toBe('run-rsi-trial-21.pdf');

  // Re-run: the confirmation fits the screen.
  await page.getByRole('button', { name: 'Re-run identical' }).tap();
  const dialog = page.getByRole('dialog', { name: 'Re-run rsi trial 21' });
  await expect(dialog).toBeInViewport({ ratio: 1 });
  await dialog.getByRole('button', { name: 'Start the re-run' }).tap();
  await expect(page.getByTestId('digest-comparison')).toBeVisible();
  await expectNoHorizontalOverflow(page);
  await expectAccessible(page);
});
