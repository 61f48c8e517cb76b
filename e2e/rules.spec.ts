import { expect, test } from './support/fixtures.ts';
import { findParameter, openEditor } from './support/editor.ts';

const ruleName = 'e2e-exec-retries-below-limit';

test('rules: an admin writes a rule with a live check, the server refuses a broken one next to its field, and the editor tray evaluates it', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const { data: before } = await consoleApp.gql(`{ environment(name: "dev") { values(names: ["CVN_COOLDOWN_AFTER_LOSS_BARS"]) { value } } }`);
  const current = Number(before.environment.values[0].value);

  await signInAs('admin');
  await page.goto('/admin/catalog');
  const rules = page.getByRole('region', { name: 'Cross-parameter rules' });
  await expect(rules.getByRole('list', { name: 'Rules' }).getByRole('listitem').first()).toBeVisible();
  await rules.getByRole('button', { name: 'New rule' }).click();
  const form = rules.getByRole('form', { name: 'New rule' });
  await form.getByLabel('Rule name (permanent)').fill(ruleName);
  await form.getByLabel('Message operators read when a save breaks it').fill('The loss cooldown must stay below 500 bars.');

  // Live check as the admin types: a compile error, then every environment's verdict.
  await form.getByLabel('Expression (CEL over params)').fill('params.CVN_COOLDOWN_AFTER_LOSS_BARS <');
  await expect(form.getByTestId('rule-live-check').locator('.field-error')).toBeVisible();
  await form.getByLabel('Expression (CEL over params)').fill(`params.CVN_COOLDOWN_AFTER_LOSS_BARS < ${current}`);
  await expect(form.getByTestId('rule-check-dev')).toContainText('The loss cooldown must stay below 500 bars.');
  await form.getByLabel('Expression (CEL over params)').fill('params.CVN_COOLDOWN_AFTER_LOSS_BARS < 500');
  for (const env of ['dev', 'staging', 'prod']) await expect(form.getByTestId(`rule-check-${env}`)).toContainText('current values satisfy it');
  await expectAccessible(page);

  // A server refusal sits next to its field: a name the API does not accept.
  await form.getByLabel('Rule name (permanent)').fill('Bad Name');
  await form.getByLabel('Reason (required)').fill('Guard the loss cooldown');
  await form.getByRole('button', { name: 'Create rule' }).click();
  await expect(form.locator('#rule-new-name-error')).toContainText('A rule name is lowercase letters');
  await form.getByLabel('Rule name (permanent)').fill(ruleName);
  await form.getByRole('button', { name: 'Create rule' }).click();
  await expect(rules.getByRole('status')).toHaveText(`Created rule ${ruleName}.`);

  // Edit: the message changes as revision 2.
  await rules.getByRole('button', { name: `Edit rule ${ruleName}` }).click();
  const edit = rules.getByRole('form', { name: `Edit rule ${ruleName}` });
  await edit.getByLabel('Message operators read when a save breaks it').fill('Keep the loss cooldown under 500 bars.');
  await edit.getByLabel('Reason (required)').fill('Clearer message');
  await edit.getByRole('button', { name: 'Save rule' }).click();
  await expect(rules.getByRole('status')).toHaveText(`Saved rule ${ruleName} as revision 2.`);
  const { data } = await consoleApp.gql(`{ rules { name message enabled revision } }`);
  expect(data.rules.find((r: { name: string }) => r.name === ruleName)).toEqual({ name: ruleName, message: 'Keep the loss cooldown under 500 bars.', enabled: true, revision: 2 });

  // The editor's tray lists the rule the edit touches and evaluates it in the browser.
  await openEditor(page);
  const row = await findParameter(page, 'CVN_COOLDOWN_AFTER_LOSS_BARS');
  await row.getByRole('spinbutton', { name: 'CVN_COOLDOWN_AFTER_LOSS_BARS' }).fill('600');
  const tray = page.getByRole('complementary', { name: /Pending changes/ });
  await expect(tray.getByTestId(`rule-${ruleName}`)).toContainText('Keep the loss cooldown under 500 bars.');
  await expect(tray.getByRole('button', { name: 'Save as version 2' })).toBeDisabled();
  await row.getByRole('spinbutton', { name: 'CVN_COOLDOWN_AFTER_LOSS_BARS' }).fill('400');
  await expect(tray.getByTestId(`rule-${ruleName}`)).toContainText('holds with these changes');
  await expect(tray.getByRole('button', { name: 'Save as version 2' })).toBeEnabled();
  await expectAccessible(page);
});
