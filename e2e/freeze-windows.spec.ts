import { expect, test } from './support/fixtures.ts';
import { findParameter, openEditor } from './support/editor.ts';

test('freeze windows: an admin freezes an environment, every save is disabled with a banner saying why and until when, then cancels it', async ({ page, signInAs, expectAccessible }) => {
  await signInAs('admin');
  await page.goto('/environments');
  const section = page.getByRole('region', { name: 'Freeze windows' });
  await expect(section.getByText('No freeze window is open or planned.')).toBeVisible();
  const plan = section.getByRole('form', { name: 'Plan a freeze window' });
  await plan.getByLabel('Environment').selectOption('dev');
  // A server refusal sits next to its field: the end before the start.
  await plan.getByLabel('Ends').fill('2020-01-01T10:00');
  await plan.getByLabel('Reason (operators read it)').fill('Quarter-end close');
  await plan.getByRole('button', { name: 'Plan freeze' }).click();
  await expect(plan.locator('#freeze-endsAt-error')).toBeVisible();
  const end = new Date(Date.now() + 2 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  await plan.getByLabel('Ends').fill(`${end.getFullYear()}-${pad(end.getMonth() + 1)}-${pad(end.getDate())}T${pad(end.getHours())}:${pad(end.getMinutes())}`);
  await plan.getByRole('button', { name: 'Plan freeze' }).click();
  await expect(section.getByRole('status')).toContainText('Planned a freeze of dev');
  await expect(section.getByTestId('freeze-dev')).toContainText('frozen now');
  await expectAccessible(page);

  // Promotion into the frozen environment: banner, button disabled.
  await page.getByLabel('From', { exact: true }).selectOption('staging');
  await page.getByLabel('To', { exact: true }).selectOption('dev');
  await expect(page.getByTestId('freeze-banner')).toContainText('Saving is disabled: dev is frozen until');
  await expect(page.getByTestId('freeze-banner')).toContainText('Quarter-end close');

  // Editor: banner and the save button disabled.
  await openEditor(page);
  await expect(page.getByTestId('freeze-banner')).toContainText('Quarter-end close');
  const row = await findParameter(page, 'CVN_EXEC_EXCHANGE');
  await row.getByRole('combobox', { name: 'CVN_EXEC_EXCHANGE' }).selectOption('okx');
  const tray = page.getByRole('complementary', { name: /Pending changes/ });
  await expect(tray.getByRole('button', { name: 'Save as version 2' })).toBeDisabled();
  await expectAccessible(page);

  // Restore from the audit trail: banner in the dialog, restore disabled.
  await page.goto('/history/dev');
  await expect(page.getByTestId('freeze-banner')).toBeVisible();

  // Cancel the window: saving comes back.
  await page.goto('/environments');
  await section.getByLabel('Reason to cancel').fill('Close finished early');
  await section.getByRole('button', { name: 'Cancel freeze' }).click();
  await expect(section.getByRole('status')).toContainText('Cancelled the freeze of dev');
  await expect(section.getByText('No freeze window is open or planned.')).toBeVisible();
  await openEditor(page);
  await expect(page.getByTestId('freeze-banner')).toHaveCount(0);
});

test('freeze windows: a window opened after the page loaded still refuses the save with FROZEN, and the banner appears', async ({ page, signInAs, consoleApp }) => {
  await signInAs('editor');
  await openEditor(page);
  const row = await findParameter(page, 'CVN_EXEC_EXCHANGE');
  await row.getByRole('combobox', { name: 'CVN_EXEC_EXCHANGE' }).selectOption('okx');
  const created = await consoleApp.gql(`mutation($e: DateTime!) { createFreezeWindow(input: { environment: "dev", startsAt: "2020-01-01T00:00:00Z", endsAt: $e, reason: "Incident 42" }) { id } }`, { e: new Date(Date.now() + 3600_000).toISOString() });
  expect(created.errors).toBeUndefined();
  const tray = page.getByRole('complementary', { name: /Pending changes/ });
  await tray.getByLabel('Reason (required)').fill('Try OKX');
  await tray.getByRole('button', { name: 'Save as version 2' }).click();
  await expect(tray.getByTestId('save-error')).toContainText('Saving is disabled: the environment is frozen');
  await expect(page.getByTestId('freeze-banner')).toContainText('Incident 42');
  await expect(tray.getByRole('button', { name: 'Save as version 2' })).toBeDisabled();
});
