import { expectData, type TestApp } from './start-test-app.ts';

/**
 * Two service tokens of dev, a worker registered with each, and a saved
 * version to report: what the apply-report tests (direct and posted) report
 * against. `savedAt` is the version's commit time in ms.
 */
export async function setUpReportingWorkers(t: TestApp, prefix: string) {
  const issue = async (name: string) => expectData(await t.gql(`mutation($name: String!) { createServiceToken(input: { environment: "dev", name: $name }) { token } }`, { name })).createServiceToken.token as string;
  const register = async (name: string, as: string) => expectData(await t.gql(`mutation($name: String!) { registerWorker(input: { name: $name, mode: PAPER, consumes: ["CVN_SIGNAL_THRESHOLD_BUY"] }) { id } }`, { name }, { token: as })).registerWorker.id as string;
  const token = await issue(`${prefix}-1`);
  const otherToken = await issue(`${prefix}-2`);
  const workerId = await register(`${prefix}-1`, token);
  const otherWorkerId = await register(`${prefix}-2`, otherToken);
  const saved = expectData(await t.gql(`mutation($reason: String!) { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: $reason, changes: [{ name: "CVN_SIGNAL_THRESHOLD_BUY", value: "0.61" }] }) { version { version createdAt } } }`, { reason: prefix }, 'editor')).updateConfig.version;
  return { token, otherToken, workerId, otherWorkerId, version: saved.version as number, savedAt: new Date(saved.createdAt).getTime() };
}
