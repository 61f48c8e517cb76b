import { findParameter, openEditor } from './support/editor.ts';
import { expect, test } from './support/fixtures.ts';

test('concurrent save: the operator sees the new state, the diff is recomputed, and no edit is lost', async ({ page, signInAs, consoleApp }) => {
  await signInAs('editor');
  await openEditor(page);
  await expect(page.getByTestId('active-version')).toHaveText('Active version 1');

  const buy = await findParameter(page, 'CVN_SIGNAL_THRESHOLD_BUY');
  await buy.getByRole('spinbutton').fill('0.6');
  const fee = await findParameter(page, 'CVN_FEE_TAKER_BPS');
  await fee.getByRole('spinbutton').fill('7');
  const tray = page.getByRole('complementary', { name: /Pending changes/ });
  await expect(tray.getByTestId('pending-CVN_FEE_TAKER_BPS').locator('del')).toHaveText('5.0');

  // Someone else saves version 2 meanwhile, changing one of the same parameters.
  const other = await consoleApp.gql(
    `mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "desk tweak", changes: [{ name: "CVN_FEE_TAKER_BPS", value: "6" }] }) { outcome } }`,
    {}, 'approver',
  );
  expect(other.errors).toBeUndefined();

  await tray.getByLabel('Reason (required)').fill('Raise the buy threshold');
  await tray.getByRole('button', { name: 'Save as version 2' }).click();
  await expect(tray.getByTestId('save-error')).toContainText('Someone else saved version 2 while you were editing');
  // The new state is loaded and the tray diffs against it; both edits are kept.
  await expect(page.getByTestId('active-version')).toHaveText('Active version 2');
  await expect(tray.getByTestId('pending-CVN_FEE_TAKER_BPS').locator('del')).toHaveText('6');
  await expect(tray.getByTestId('pending-CVN_FEE_TAKER_BPS').locator('ins')).toHaveText('7');
  await expect(tray.getByTestId('pending-CVN_SIGNAL_THRESHOLD_BUY')).toContainText('0.6');
  await expect(page.getByTestId('row-CVN_FEE_TAKER_BPS').getByRole('spinbutton')).toHaveValue('7');

  // Saving again goes through on top of version 2.
  await tray.getByRole('button', { name: 'Save as version 3' }).click();
  await expect(tray.getByRole('status')).toHaveText('Saved as version 3.');
  const { data } = await consoleApp.gql(`{ environment(name: "dev") { version(number: 3) { changes { name before after } } } }`);
  expect(data.environment.version.changes).toEqual(expect.arrayContaining([
    expect.objectContaining({ name: 'CVN_FEE_TAKER_BPS', before: '6', after: '7' }),
    expect.objectContaining({ name: 'CVN_SIGNAL_THRESHOLD_BUY', after: '0.6' }),
  ]));
});
