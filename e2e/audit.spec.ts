import { expect, test } from './support/fixtures.ts';

async function saveVersion(gql: (q: string, v?: Record<string, unknown>, as?: any) => Promise<any>, expectedVersion: number, changes: Record<string, string>, reason: string, as = 'editor') {
  const result = await gql(
    `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } } }`,
    { input: { environment: 'dev', expectedVersion, reason, changes: Object.entries(changes).map(([name, value]) => ({ name, value })) } },
    as,
  );
  expect(result.errors).toBeUndefined();
}

test('audit trail: filters by parameter and author, diffs against any version, restores one', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  await saveVersion(consoleApp.gql, 1, { CVN_FEE_TAKER_BPS: '6' }, 'Taker fee went up');
  await saveVersion(consoleApp.gql, 2, { CVN_EXEC_EXCHANGE: 'bybit' }, 'Move to Bybit', 'approver');
  await saveVersion(consoleApp.gql, 3, { CVN_FEE_TAKER_BPS: '7', CVN_COOLDOWN_AFTER_LOSS_BARS: '9' }, 'Fees again, longer cooldown');

  await signInAs('editor');
  await page.goto('/history/dev');
  await expect(page.getByTestId('version-count')).toHaveText('4 versions');
  const v4 = page.getByTestId('version-4');
  await expect(v4).toContainText('Fees again, longer cooldown');
  await expect(v4).toContainText('by Editor');
  await expectAccessible(page);

  // Filters: parameter, then author.
  await page.getByLabel('Parameter').fill('CVN_FEE_TAKER_BPS');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('version-count')).toHaveText('3 versions match the filters'); // 1 (seed), 2 and 4
  await expect(page.getByTestId('version-3')).toHaveCount(0);
  await page.getByLabel('Parameter').fill('');
  await page.getByLabel('Author').fill('approver');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('version-count')).toHaveText('1 version matches the filters');
  await expect(page.getByTestId('version-3')).toContainText('Move to Bybit');
  await page.getByLabel('Author').fill('');
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('From').fill(today);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('version-count')).toHaveText(/4 versions match the filters/);
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('version-count')).toHaveText('4 versions');

  // Diff against its predecessor, then against version 1.
  await v4.getByRole('button', { name: 'Show diff' }).click();
  await expect(v4.getByTestId('diff-CVN_FEE_TAKER_BPS').locator('ins')).toHaveText('7');
  await expect(v4.getByTestId('diff-CVN_FEE_TAKER_BPS').locator('del')).toHaveText('6');
  await v4.getByLabel('Compare with version').fill('1');
  await v4.getByRole('button', { name: 'Compare' }).click();
  const against1 = v4.getByRole('definition').filter({ hasText: 'bybit' });
  await expect(against1).toHaveCount(1);
  await expect(v4.getByLabel('From version 1 to version 4').getByTestId('diff-CVN_FEE_TAKER_BPS').locator('del')).toHaveText('5.0');

  // Restore version 2 (no critical parameter): a new version 5 with version 2's values.
  await page.getByTestId('version-2').getByRole('button', { name: 'Restore this version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore version 2' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page);
  await dialog.getByLabel('Reason (required)').fill('Back to the state before Bybit');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toHaveText('Restored version 2 as version 5.');
  await expect(page.getByTestId('version-5')).toContainText('restored from version 2');
  const { data } = await consoleApp.gql(`{ environment(name: "dev") { activeVersion values(names: ["CVN_FEE_TAKER_BPS", "CVN_EXEC_EXCHANGE"]) { name value } } }`);
  expect(data.environment.activeVersion).toBe(5);
  expect(Object.fromEntries(data.environment.values.map((v: any) => [v.name, v.value]))).toEqual({ CVN_FEE_TAKER_BPS: '6', CVN_EXEC_EXCHANGE: 'binance' });
});

test('restoring a version that touches a critical parameter goes through approval', async ({ page, signInAs, consoleApp }) => {
  const change = await consoleApp.gql(
    `mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "more leverage", submitForApproval: true, changes: [{ name: "CVN_RISK_MAX_LEVERAGE", value: "3" }] }) { changeRequest { id revision } } }`,
    {}, 'editor',
  );
  const { id, revision } = change.data.updateConfig.changeRequest;
  const approved = await consoleApp.gql(`mutation($id: ID!, $revision: Int!) { approveChangeRequest(input: { id: $id, revision: $revision, comment: "ok" }) { version } }`, { id, revision }, 'approver');
  expect(approved.data.approveChangeRequest.version).toBe(2);

  await signInAs('editor');
  await page.goto('/history/dev');
  await expect(page.getByTestId('version-2')).toContainText('approved by Approver');
  await page.getByTestId('version-1').getByRole('button', { name: 'Restore this version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore version 1' });
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog.getByRole('alert')).toContainText('CVN_RISK_MAX_LEVERAGE is critical');
  await dialog.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'submitted for approval' })).toBeVisible();
  const pending = await consoleApp.gql(`{ changeRequests(status: PENDING, first: 5) { edges { node { kind restoredFrom } } } }`);
  expect(pending.data.changeRequests.edges.map((e: any) => e.node)).toEqual([{ kind: 'RESTORE', restoredFrom: 1 }]);
});
