import { expect, test } from './support/fixtures.ts';
import type { Page } from '@playwright/test';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** Nothing wider than the screen: no horizontal scrolling of the page itself. */
async function expectNoHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('phone width: dashboard, audit trail and restore work without layout breakage', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const saved = await consoleApp.gql(`mutation { updateConfig(input: { environment: "prod", expectedVersion: 1, reason: "A rather long reason to see that text wraps on a narrow phone screen without overflow", changes: [{ name: "CVN_EXEC_ORDER_TYPE", value: "limit_post_only" }] }) { outcome } }`, {}, 'editor');
  expect(saved.errors).toBeUndefined();
  await signInAs('editor');

  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { name: 'Workers' })).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toBeInViewport();
  await expectNoHorizontalOverflow(page);
  await expectAccessible(page);

  await page.goto('/history/prod');
  const v2 = page.getByTestId('version-2');
  await expect(v2).toBeVisible();
  await v2.getByRole('button', { name: 'Show diff' }).click();
  await expect(v2.getByTestId('diff-CVN_EXEC_ORDER_TYPE')).toBeVisible();
  await expectNoHorizontalOverflow(page);
  await expectAccessible(page);

  await page.getByTestId('version-1').getByRole('button', { name: 'Restore this version' }).tap();
  const dialog = page.getByRole('dialog', { name: 'Restore version 1' });
  await expect(dialog).toBeInViewport({ ratio: 1 });
  await expectNoHorizontalOverflow(page);
  await dialog.getByRole('button', { name: 'Restore' }).tap();
  await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toHaveText('Restored version 1 as version 3.');
  await expectNoHorizontalOverflow(page);
});
