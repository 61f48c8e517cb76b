import { findParameter, openEditor } from './support/editor.ts';
import { expect, test } from './support/fixtures.ts';

test('editor: search, typed inputs, pending diff, reason, one save makes one version', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  await signInAs('editor');
  const started = Date.now();
  await openEditor(page);
  await expect(page.getByTestId('match-count')).toHaveText('575 of 575 parameters');
  test.info().annotations.push({ type: 'editor-visible-ms', description: String(Date.now() - started) });
  await expect(page.getByTestId('active-version')).toHaveText('Active version 1');
  await expectAccessible(page);

  // Search narrows the list; metadata and badges are shown.
  const loss = await findParameter(page, 'cooldown_after_loss', 'CVN_COOLDOWN_AFTER_LOSS_BARS');
  await expect(page.getByTestId('match-count')).toHaveText('1 of 575 parameters');
  await expect(loss).toContainText('integer, 0 to 1000');
  await expect(loss).toContainText('hot reload');

  // A number field with bounds: the browser check is the server's own code.
  const lossInput = loss.getByRole('spinbutton', { name: 'CVN_COOLDOWN_AFTER_LOSS_BARS' });
  await lossInput.fill('2000');
  await expect(loss.getByRole('alert')).toContainText('CVN_COOLDOWN_AFTER_LOSS_BARS must be an integer between 0 and 1000; got 2000.');
  await expect(page.getByRole('button', { name: 'Save as version 2' })).toBeDisabled();
  await lossInput.fill('12');
  await expect(loss.getByRole('alert')).toHaveCount(0);

  // A toggle for a boolean and a choice list for an enum.
  const funding = await findParameter(page, 'CVN_FILTER_FUNDING_ENABLED');
  await funding.getByRole('switch', { name: 'CVN_FILTER_FUNDING_ENABLED' }).check();
  const exchange = await findParameter(page, 'CVN_EXEC_EXCHANGE');
  const select = exchange.getByRole('combobox', { name: 'CVN_EXEC_EXCHANGE' });
  await expect(select.locator('option')).toHaveText(['binance', 'bybit', 'okx']);
  await select.selectOption('okx');

  // Deprecated parameters are flagged with their replacement, which the link finds.
  const deprecated = await findParameter(page, 'CVN_COOLDOWN_BARS');
  await expect(deprecated).toContainText('deprecated');
  await deprecated.getByRole('button', { name: 'CVN_COOLDOWN_AFTER_TRADE_BARS' }).click();
  await expect(page.getByLabel('Search')).toHaveValue('CVN_COOLDOWN_AFTER_TRADE_BARS');

  // The tray: three changes with before/after, and the rule the cooldown touches (when the API lists rules).
  const tray = page.getByRole('complementary', { name: /Pending changes/ });
  await expect(tray.getByRole('listitem').filter({ hasText: /^CVN_/ })).toHaveCount(3);
  await expect(tray.getByTestId('pending-CVN_COOLDOWN_AFTER_LOSS_BARS')).toContainText('6');
  await expect(tray.getByTestId('pending-CVN_COOLDOWN_AFTER_LOSS_BARS').locator('ins')).toHaveText('12');
  await expect(tray.getByTestId('pending-CVN_FILTER_FUNDING_ENABLED').locator('ins')).toHaveText('true');
  await expect(tray.getByTestId('pending-CVN_EXEC_EXCHANGE').locator('ins')).toHaveText('okx');
  await expectAccessible(page);

  // The reason is required.
  await tray.getByRole('button', { name: 'Save as version 2' }).click();
  await expect(tray.getByText(/Say why you are making this change/)).toBeVisible();
  await tray.getByLabel('Reason (required)').fill('Longer pause after a loss; try OKX');
  await tray.getByRole('button', { name: 'Save as version 2' }).click();
  await expect(tray.getByRole('status')).toHaveText('Saved as version 2.');
  await expect(page.getByTestId('active-version')).toHaveText('Active version 2');
  await expect(tray.getByText('No pending changes.', { exact: false })).toBeVisible();

  const { data } = await consoleApp.gql(`{ environment(name: "dev") { activeVersion versions(first: 5) { totalCount edges { node { version reason author { username } changes { name before after } } } } } }`);
  expect(data.environment.activeVersion).toBe(2);
  const latest = data.environment.versions.edges[0].node;
  expect(latest).toMatchObject({ version: 2, reason: 'Longer pause after a loss; try OKX', author: { username: 'editor' } });
  expect(latest.changes.map((c: { name: string }) => c.name).sort()).toEqual(['CVN_COOLDOWN_AFTER_LOSS_BARS', 'CVN_EXEC_EXCHANGE', 'CVN_FILTER_FUNDING_ENABLED']);
});

test('editor: a viewer sees values read-only, without the pending tray', async ({ page, signInAs }) => {
  await signInAs('viewer');
  await openEditor(page, 'prod');
  await expect(page.getByText('You have read-only access')).toBeVisible();
  const row = await findParameter(page, 'CVN_EXEC_EXCHANGE');
  // Values are text for a viewer, not greyed-out controls that look editable.
  await expect(row.getByRole('combobox')).toHaveCount(0);
  await expect(row.getByTestId('read-only-value')).toHaveText('binance');
  await expect(page.getByTestId('param-list').locator('input, select, textarea')).toHaveCount(0);
  await expect(page.getByRole('complementary', { name: /Pending changes/ })).toHaveCount(0);
});
