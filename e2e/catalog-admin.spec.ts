import { expect, test } from './support/fixtures.ts';

test('catalog admin: an admin creates a parameter, edits it with a live check, deprecates it with a replacement', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  await signInAs('admin');
  await page.goto('/admin/catalog');
  await page.getByRole('button', { name: 'New parameter' }).click();
  const form = page.getByRole('form', { name: 'New parameter' });
  await form.getByLabel('Name (permanent)').fill('CVN_E2E_WINDOW_BARS');
  await form.getByLabel('Group').fill('Cooldowns');
  await form.getByLabel('Description').fill('Bars to wait in the e2e window.');
  await form.getByLabel('Minimum').fill('1');
  await form.getByLabel('Maximum').fill('100');
  await form.getByLabel('Default value').fill('10');
  await form.getByLabel('Validator (CEL over value and params)').fill('value >');
  await expect(form.locator('#cat-validator-check')).toContainText('not valid CEL');
  await form.getByLabel('Validator (CEL over value and params)').fill('value % 2 == 0');
  await expect(form.locator('#cat-validator-check')).toHaveText('The expression compiles.');
  await expect(form.getByTestId('live-check')).toContainText('this definition can be saved');
  await expectAccessible(page);
  await form.getByLabel('Reason (required)').fill('Needed by the e2e desk');
  await form.getByRole('button', { name: 'Create parameter' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created' })).toHaveText('Created CVN_E2E_WINDOW_BARS.');

  // Edit: the live check flags a default that breaks the new bound before saving.
  await page.getByLabel('Find a parameter').fill('E2E_WINDOW');
  await page.getByRole('button', { name: 'CVN_E2E_WINDOW_BARS' }).click();
  const edit = page.getByRole('form', { name: 'Edit CVN_E2E_WINDOW_BARS' });
  await edit.getByLabel('Maximum').fill('8');
  await expect(edit.getByTestId('live-check')).toContainText('CVN_E2E_WINDOW_BARS');
  await expect(edit.getByTestId('live-check').locator('.field-error').first()).toBeVisible();
  await edit.getByLabel('Maximum').fill('50');
  await expect(edit.getByTestId('live-check')).toContainText('this definition can be saved');
  await edit.getByLabel('Reason (required)').fill('Tighter bound');
  await edit.getByRole('button', { name: 'Save definition' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved CVN_E2E_WINDOW_BARS as revision 2.');

  const deprecate = page.getByRole('form', { name: 'Deprecate CVN_E2E_WINDOW_BARS' });
  await deprecate.getByLabel('Replacement').selectOption('CVN_COOLDOWN_AFTER_TRADE_BARS');
  await deprecate.getByLabel('Reason (required)').fill('Folded into the trade cooldown');
  await deprecate.getByRole('button', { name: 'Deprecate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deprecated' })).toContainText('operators are pointed to CVN_COOLDOWN_AFTER_TRADE_BARS');

  const { data } = await consoleApp.gql(`{ catalogEntry(name: "CVN_E2E_WINDOW_BARS") { maxValue validator deprecated replacement { name } revision } }`);
  expect(data.catalogEntry).toEqual({ maxValue: 50, validator: 'value % 2 == 0', deprecated: true, replacement: { name: 'CVN_COOLDOWN_AFTER_TRADE_BARS' }, revision: 3 });
});

test('catalog admin is for admins only: an editor sees no catalog link and a refusal', async ({ page, signInAs }) => {
  await signInAs('editor');
  await page.goto('/config/dev');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' })).toHaveCount(0);
  await page.goto('/admin/catalog');
  await expect(page.getByText('Only an admin can change the catalog.')).toBeVisible();
});
