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
  await expect(workerB).toContainText('1 version');
  // One version behind for a moment is not lagging: the server's verdict is more than 3 versions or 60 s.
  await expect(workerB).toHaveAttribute('data-lagging', 'false');

  // Three more versions: paper-b is 4 behind, which the server calls lagging; the page highlights it.
  for (let version = 2; version <= 4; version++) {
    const more = await consoleApp.gql(`mutation($v: Int!, $x: String!) { updateConfig(input: { environment: "dev", expectedVersion: $v, reason: "exchange", changes: [{ name: "CVN_EXEC_EXCHANGE", value: $x }] }) { outcome } }`, { v: version, x: version % 2 ? 'okx' : 'bybit' }, 'editor');
    expect(more.errors).toBeUndefined();
  }
  await report(a, 5);
  await page.reload();
  await expect(workerB).toHaveAttribute('data-lagging', 'true');
  await expect(workerB).toContainText('4 versions');
  await expect(workerB.getByTestId('lag')).toContainText(/4 versions, \d+ s/);
  await expect(workerB).toContainText('lagging');
  await expect(page.getByTestId('worker-paper-a')).toHaveAttribute('data-lagging', 'false');
});

test('workers dashboard: a latency chart of recent save-to-apply times', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const created = await consoleApp.gql(`mutation { createServiceToken(input: { environment: "dev", name: "paper-workers" }) { token } }`);
  const token = { token: created.data.createServiceToken.token as string };
  const registered = await consoleApp.gql(`mutation { registerWorker(input: { name: "paper-c", mode: PAPER, consumes: ["CVN_EXEC_EXCHANGE"] }) { id } }`, {}, token);
  const workerId = registered.data.registerWorker.id as string;

  await signInAs('viewer');
  await page.goto('/dashboard');
  const section = page.getByRole('region', { name: 'Save-to-apply latency' });
  await expect(section.getByText('No apply report yet')).toBeVisible();

  for (let version = 1; version <= 3; version++) {
    const saved = await consoleApp.gql(`mutation($v: Int!, $x: String!) { updateConfig(input: { environment: "dev", expectedVersion: $v, reason: "exchange", changes: [{ name: "CVN_EXEC_EXCHANGE", value: $x }] }) { version { version createdAt } } }`, { v: version, x: version % 2 ? 'okx' : 'bybit' }, 'editor');
    expect(saved.errors).toBeUndefined();
    const at = new Date().toISOString();
    const applied = await consoleApp.gql(`mutation($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { id } }`, { input: { workerId, version: version + 1, receivedAt: at, appliedAt: at, keys: ['CVN_EXEC_EXCHANGE'] } }, token);
    expect(applied.errors).toBeUndefined();
  }
  // The apply reports arrive live (workerStatusChanged refetches the chart's query).
  await expect(section.getByTestId('latency-summary')).toContainText('3 applies');
  await expect(section.getByTestId('latency-chart').locator('canvas')).toBeVisible();
  await section.getByText('Table of recent applies').click();
  await expect(section.getByRole('table').getByRole('row')).toHaveCount(4);
  await expectAccessible(page);
});
