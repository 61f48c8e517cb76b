import { expect } from '@playwright/test';
import type { ConsoleApp } from './fixtures.ts';

const ok = <T>(result: { data?: T; errors?: unknown[] }): T => {
  expect(result.errors).toBeUndefined();
  return result.data!;
};

/**
 * A trail with one event of each kind an operator looks for: an approved
 * critical change (with the approver's comment), a rejected and a withdrawn
 * request, a rule, a freeze window, a token, a user and a run.
 */
export async function writeAuditHistory(app: ConsoleApp): Promise<{ runId: string }> {
  const submit = async (value: string, expectedVersion: number) => ok<any>(await app.gql(
    `mutation ($value: String!, $v: Int!) { updateConfig(input: { environment: "dev", expectedVersion: $v, reason: "leverage for the audit page", submitForApproval: true, changes: [{ name: "CVN_RISK_MAX_LEVERAGE", value: $value }] }) { changeRequest { id revision } } }`,
    { value, v: expectedVersion }, 'editor',
  )).updateConfig.changeRequest;
  ok(await app.gql(`mutation ($id: ID!, $revision: Int!) { approveChangeRequest(input: { id: $id, revision: $revision, comment: "margin checked with risk desk" }) { version } }`, await submit('3', 1), 'approver'));
  ok(await app.gql(`mutation ($id: ID!, $revision: Int!) { rejectChangeRequest(input: { id: $id, revision: $revision, comment: "too much for now" }) { status } }`, await submit('4', 2), 'approver'));
  ok(await app.gql(`mutation ($id: ID!) { withdrawChangeRequest(id: $id) { status } }`, { id: (await submit('2', 2)).id }, 'editor'));
  ok(await app.gql(`mutation { createRule(input: { name: "audit-page-rule", expression: "true", message: "always holds", reason: "rule for the audit page" }) { id } }`));
  const startsAt = new Date(Date.now() + 86_400_000);
  ok(await app.gql(`mutation ($s: DateTime!, $e: DateTime!) { createFreezeWindow(input: { environment: "staging", startsAt: $s, endsAt: $e, reason: "quarter close" }) { id } }`,
    { s: startsAt.toISOString(), e: new Date(startsAt.getTime() + 3_600_000).toISOString() }));
  ok(await app.gql(`mutation { createServiceToken(input: { name: "audit-page-token", environment: "prod" }) { token } }`));
  ok(await app.gql(`mutation { createUser(input: { username: "auditee", displayName: "Auditee", role: VIEWER, password: "a long enough password 123" }) { id } }`));
  const hash = ok<any>(await app.gql(`mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash } } }`,
    { input: { environment: "dev", code: { commit: 'a1'.repeat(20), packages: [{ name: 'cvntrade', version: '4.2.0' }] } } }, 'editor')).createParameterSet.parameterSet.hash;
  const runId = ok<any>(await app.gql(`mutation ($input: CreateRunInput!) { createRun(input: $input) { id } }`, { input: { kind: 'EXPERIMENT', name: 'audit page run', parameterSetHash: hash } }, 'editor')).createRun.id;
  return { runId };
}
