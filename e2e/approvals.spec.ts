import { findParameter, openEditor } from './support/editor.ts';
import { expect, test } from './support/fixtures.ts';

test('a critical change is submitted for approval; the author cannot approve it, an approver can', async ({ browser, page, signInAs, consoleApp, expectAccessible }) => {
  await signInAs('editor');
  await openEditor(page, 'prod');
  const leverage = await findParameter(page, 'CVN_RISK_MAX_LEVERAGE');
  await expect(leverage).toContainText('critical');
  await leverage.getByRole('spinbutton').fill('2');
  const tray = page.getByRole('complementary', { name: /Pending changes/ });
  await tray.getByLabel('Reason (required)').fill('Allow 2x leverage for the new venue');
  await tray.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(tray.getByRole('status')).toContainText('Submitted for approval');
  await expect(page.getByTestId('active-version')).toHaveText('Active version 1');

  // The author sees the request but no way to approve it.
  await page.getByRole('link', { name: 'Approvals' }).click();
  const own = page.getByTestId('change-request');
  await expect(own).toContainText('prod: edit by Editor');
  await expect(own.getByTestId('diff-CVN_RISK_MAX_LEVERAGE')).toContainText('1.0');
  await expect(own.getByTestId('diff-CVN_RISK_MAX_LEVERAGE').locator('ins')).toHaveText('2');
  await expect(own).toContainText('You wrote this request: another approver must review it.');
  await expect(own.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  // An approver, in another browser context, approves with a comment.
  const approverContext = await browser.newContext({ baseURL: consoleApp.url });
  try {
    const approverPage = await approverContext.newPage();
    const signIn = await approverPage.request.post('/auth/session', { data: { username: 'approver', password: 'approver-test-password' } });
    expect(signIn.status()).toBe(200);
    await approverPage.goto('/approvals');
    const request = approverPage.getByTestId('change-request');
    await expect(request).toContainText('Every value and cross-parameter rule holds');
    await expectAccessible(approverPage);
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect(request.getByText('Write a comment for the author')).toBeVisible();
    await request.getByLabel('Comment (required)').fill('Checked with risk: fine');
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect(approverPage.getByRole('status').filter({ hasText: 'Approved' })).toHaveText('Approved: prod is now at version 2.');
    await expect(approverPage.getByText('No change request is waiting.')).toBeVisible();
  } finally {
    await approverContext.close();
  }

  // The author's queue empties live (changeRequestUpdated over graphql-ws).
  await expect(page.getByText('No change request is waiting.')).toBeVisible();
  const { data } = await consoleApp.gql(`{ environment(name: "prod") { activeVersion activeConfig { approver { username } values } } }`);
  expect(data.environment.activeVersion).toBe(2);
  expect(data.environment.activeConfig.approver.username).toBe('approver');
});

test('an approver cannot approve their own request (the server refuses it too)', async ({ page, signInAs, consoleApp }) => {
  const submitted = await consoleApp.gql(
    `mutation { updateConfig(input: { environment: "prod", expectedVersion: 1, reason: "tighten drawdown", submitForApproval: true, changes: [{ name: "CVN_RISK_MAX_DRAWDOWN_PCT", value: "10" }] }) { outcome changeRequest { id revision } } }`,
    {}, 'approver',
  );
  expect(submitted.data.updateConfig.outcome).toBe('PENDING_APPROVAL');
  await signInAs('approver');
  await page.goto('/approvals');
  const request = page.getByTestId('change-request');
  await expect(request).toContainText('You wrote this request');
  await expect(request.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  const { id, revision } = submitted.data.updateConfig.changeRequest;
  const refused = await consoleApp.gql(`mutation($id: ID!, $revision: Int!) { approveChangeRequest(input: { id: $id, revision: $revision, comment: "self" }) { id } }`, { id, revision }, 'approver');
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});
