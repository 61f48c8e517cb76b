import { expect, test } from './support/fixtures.ts';

test('environments side by side: differences listed, chosen values promoted with diff and reason', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const saved = await consoleApp.gql(
    `mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "dev experiments", changes: [{ name: "CVN_FEE_TAKER_BPS", value: "6" }, { name: "CVN_EXEC_ORDER_TYPE", value: "market" }] }) { outcome } }`,
    {}, 'editor',
  );
  expect(saved.errors).toBeUndefined();

  await signInAs('editor');
  await page.goto('/environments');
  await expect(page.getByTestId('difference-count')).toHaveText('2 parameters differ between dev (version 2) and staging (version 1).');
  await expect(page.getByTestId('difference-CVN_FEE_TAKER_BPS')).toContainText('6');
  await expect(page.getByTestId('difference-CVN_FEE_TAKER_BPS')).toContainText('5.0');
  await expectAccessible(page);

  await page.getByRole('checkbox', { name: 'Promote CVN_EXEC_ORDER_TYPE' }).check();
  const promote = page.getByRole('region', { name: /Promote 1 value from dev to staging/ });
  await expect(promote.getByTestId('diff-CVN_EXEC_ORDER_TYPE').locator('del')).toHaveText('limit');
  await expect(promote.getByTestId('diff-CVN_EXEC_ORDER_TYPE').locator('ins')).toHaveText('market');
  await promote.getByRole('button', { name: 'Promote to staging' }).click();
  await expect(promote.getByText('Say why you promote these values')).toBeVisible();
  await promote.getByLabel('Reason (required)').fill('Market orders validated in dev');
  await promote.getByRole('button', { name: 'Promote to staging' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Promoted' })).toHaveText('Promoted 1 value to staging as version 2.');
  await expect(page.getByTestId('difference-count')).toHaveText('1 parameter differs between dev (version 2) and staging (version 2).');

  const { data } = await consoleApp.gql(`{ environment(name: "staging") { activeConfig { kind promotedFrom reason changes { name after } } } }`);
  expect(data.environment.activeConfig).toEqual({ kind: 'PROMOTION', promotedFrom: 'dev@2', reason: 'Market orders validated in dev', changes: [{ name: 'CVN_EXEC_ORDER_TYPE', after: 'market' }] });
});

test('a viewer compares environments but cannot promote', async ({ page, signInAs }) => {
  await signInAs('viewer');
  await page.goto('/environments');
  await page.getByLabel('To').selectOption('prod');
  await expect(page.getByTestId('difference-count')).toHaveText('0 parameters differ between dev (version 1) and prod (version 1).');
  await expect(page.getByRole('checkbox')).toHaveCount(0);
});
