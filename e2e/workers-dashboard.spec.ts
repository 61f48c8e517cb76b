import { expect, test } from './support/fixtures.ts';

test('workers dashboard: applied version, lag and pending restarts, live; lagging workers highlighted', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const created = await consoleApp.gql(`mutation { createServiceToken(input: { environment: "dev", name: "paper-workers" }) { token } }`);
  const token = { token: created.data.createServiceToken.token as string };
  const register = async (name: string) => {
    const result = await consoleApp.gql(`mutation($name: String!) { registerWorker(input: { name: $name, mode: PAPER, consumes: ["CVN_FEE_TAKER_BPS", "CVN_EXEC_EXCHANGE"] }) { id } }`, { name }, token);
    expect(result.errors).toBeUndefined();
    return result.data.registerWorker.id as string;
  };
  const report = (workerId: string, appliedVersion: number, pendingRestart: string[] = []) =>
    consoleApp.gql(`mutation($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { id } }`, { input: { workerId, status: 'READY', appliedVersion, receivedVersion: appliedVersion, pendingRestart } }, token);

  const a = await register('paper-a');
  const b = await register('paper-b');
  await report(a, 1);
  await report(b, 1);

  await signInAs('viewer');
  await page.goto('/dashboard');
  const workerA = page.getByTestId('worker-paper-a');
  await expect(workerA).toContainText('1 of 1');
  await expect(workerA).toHaveAttribute('data-lagging', 'false');
  await expectAccessible(page);

  // A new version: both lag until one applies it; the change arrives live (workerStatusChanged).
  const saved = await consoleApp.gql(`mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "exchange", changes: [{ name: "CVN_EXEC_EXCHANGE", value: "okx" }] }) { outcome } }`, {}, 'editor');
  expect(saved.errors).toBeUndefined();
  await report(a, 2, ['CVN_EXEC_EXCHANGE']);
  await expect(workerA).toContainText('2 of 2');
  await expect(workerA).toContainText('CVN_EXEC_EXCHANGE');
  const workerB = page.getByTestId('worker-paper-b');
  await page.reload();
  await expect(workerB).toHaveAttribute('data-lagging', 'true');
  await expect(workerB).toContainText('1 version');
  await expect(workerB).toContainText('lagging');
  await expect(page.getByTestId('worker-paper-a')).toHaveAttribute('data-lagging', 'false');
});
