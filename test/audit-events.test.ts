import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditActions, auditActionsAbout } from '../contract/index.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The console's audit page reads every event through `auditEvents`: each
 * kind of subject, the reviewer's comment on approved and rejected changes,
 * filters that combine, and a page cap.
 */
describe('auditEvents: the audit of everything', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const EVENTS = `query ($about: [AuditSubjectKind!], $environment: String, $actor: String, $action: [String!], $subject: String, $parameter: String, $first: Int) {
    auditEvents(about: $about, environment: $environment, actor: $actor, action: $action, subject: $subject, parameter: $parameter, first: $first) {
      totalCount edges { node { action actor subject subjectKind approvedBy reviewComment reason parameter configVersion environment { name } } }
    }
  }`;
  const events = async (variables: Record<string, unknown>, as: 'viewer' | 'admin' = 'viewer') => expectData(await t.gql(EVENTS, variables, as)).auditEvents;

  const submit = async (value: string, reason: string, expectedVersion: number) =>
    expectData(await t.gql(
      `mutation ($value: String!, $reason: String!, $expectedVersion: Int!) { updateConfig(input: { environment: "dev", expectedVersion: $expectedVersion, reason: $reason, submitForApproval: true, changes: [{ name: "CVN_RISK_MAX_LEVERAGE", value: $value }] }) { changeRequest { id revision } } }`,
      { value, reason, expectedVersion }, 'editor',
    )).updateConfig.changeRequest as { id: string; revision: number };

  it('gives the approver and the approval comment of an approved change, the comment of a rejected one', async () => {
    const approved = await submit('3', 'more leverage for the audit test', 1);
    expectData(await t.gql(`mutation ($id: ID!, $revision: Int!) { approveChangeRequest(input: { id: $id, revision: $revision, comment: "checked the margin, fine" }) { version } }`, approved, 'approver'));
    const rejected = await submit('4', 'even more leverage', 2);
    expectData(await t.gql(`mutation ($id: ID!, $revision: Int!) { rejectChangeRequest(input: { id: $id, revision: $revision, comment: "too much risk" }) { status } }`, rejected, 'approver'));
    const withdrawn = await submit('2', 'a small step', 2);
    expectData(await t.gql(`mutation ($id: ID!) { withdrawChangeRequest(id: $id) { status } }`, { id: withdrawn.id }, 'editor'));

    const [applied] = (await events({ action: ['config_change_approved'] })).edges.map((e: any) => e.node);
    expect(applied).toMatchObject({
      actor: 'approver', approvedBy: 'approver', reviewComment: 'checked the margin, fine', reason: 'more leverage for the audit test',
      subjectKind: 'CONFIG_VERSION', parameter: 'CVN_RISK_MAX_LEVERAGE', configVersion: 2, environment: { name: 'dev' },
    });
    const requests = (await events({ about: ['CHANGE_REQUEST'], environment: 'dev' })).edges.map((e: any) => e.node);
    expect(requests.map((e: any) => e.action)).toEqual(['change_request_withdrawn', 'change_request_submitted', 'config_change_rejected', 'change_request_submitted', 'change_request_submitted']);
    expect(requests.every((e: any) => e.subjectKind === 'CHANGE_REQUEST')).toBe(true);
    expect(requests[2]).toMatchObject({ actor: 'approver', reviewComment: 'too much risk', approvedBy: null });
    expect(requests[0]).toMatchObject({ actor: 'editor', reviewComment: null });
    // A request's whole story through its subject: submitted, then decided.
    const story = (await events({ subject: rejected.id })).edges.map((e: any) => e.node.action);
    expect(story).toEqual(['config_change_rejected', 'change_request_submitted']);
  });

  it('names the subject of catalog edits, rules, freeze windows, tokens and users, filterable by kind', async () => {
    const rule = expectData(await t.gql(`mutation { createRule(input: { name: "audit-test-rule", expression: "true", message: "always", reason: "audit test" }) { id } }`, {}, 'admin')).createRule;
    const startsAt = new Date(Date.now() + 86_400_000);
    const freeze = expectData(await t.gql(`mutation ($s: DateTime!, $e: DateTime!) { createFreezeWindow(input: { environment: "staging", startsAt: $s, endsAt: $e, reason: "audit test freeze" }) { id } }`,
      { s: startsAt.toISOString(), e: new Date(startsAt.getTime() + 3_600_000).toISOString() }, 'admin')).createFreezeWindow;
    expectData(await t.gql(`mutation { createServiceToken(input: { name: "audit-test-token", environment: "prod" }) { token } }`, {}, 'admin'));
    expectData(await t.gql(`mutation { createUser(input: { username: "auditee", displayName: "Auditee", role: VIEWER, password: "a long enough password 123" }) { id } }`, {}, 'admin'));
    expectData(await t.gql(`mutation { deprecateCatalogEntry(input: { name: "CVN_ATR_PERIOD", reason: "audit test deprecation" }) { name } }`, {}, 'admin'));

    const kinds = async (about: string) => (await events({ about: [about] })).edges.map((e: any) => e.node);
    const [ruleEvent] = await kinds('RULE');
    expect(ruleEvent).toMatchObject({ action: 'rule_created', actor: 'admin', subjectKind: 'RULE', reason: 'audit test' });
    expect((await events({ subject: rule.id })).edges.map((e: any) => e.node.action)).toEqual(['rule_created']);
    const [freezeEvent] = await kinds('FREEZE_WINDOW');
    expect(freezeEvent).toMatchObject({ action: 'freeze_window_created', subjectKind: 'FREEZE_WINDOW', environment: { name: 'staging' } });
    expect((await events({ subject: freeze.id })).totalCount).toBe(1);
    expect((await kinds('SERVICE_TOKEN'))[0]).toMatchObject({ action: 'service_token_created', environment: { name: 'prod' } });
    expect((await kinds('USER'))[0]).toMatchObject({ action: 'user_created', actor: 'admin', subjectKind: 'USER' });
    expect((await kinds('CATALOG_ENTRY'))[0]).toMatchObject({ action: 'catalog_entry_deprecated', subject: 'CVN_ATR_PERIOD', parameter: 'CVN_ATR_PERIOD' });

    // Several kinds at once, combined with an actor: admin's rule and catalog events only.
    const mixed = await events({ about: ['RULE', 'CATALOG_ENTRY'], actor: 'admin' });
    expect(mixed.totalCount).toBe(2);
    expect(await events({ about: ['RULE'], actor: 'editor' })).toMatchObject({ totalCount: 0 });
    // Environment filters leave out what has no environment (rules, users).
    expect((await events({ about: ['RULE', 'USER'], environment: 'dev' })).totalCount).toBe(0);
  });

  it('knows every action the server records, and refuses a page over the cap', async () => {
    // What the database holds after the seed and the tests above is all in the contract's list.
    const stored = await t.sql.query<{ action: string }>('SELECT DISTINCT action FROM audit_events');
    expect(stored.rows.length).toBeGreaterThan(5);
    for (const { action } of stored.rows) expect(auditActions).toContain(action);
    expect(auditActionsAbout('RUN')).toEqual(['run_registered', 'run_status_changed', 'run_epoch_recorded', 'legacy_run_imported']);
    expect(errorCode(await t.gql(`{ auditEvents(first: 100000) { totalCount } }`, {}, 'viewer'))).toBe('LIMIT_EXCEEDED');
    expect(errorCode(await t.gql(`{ auditEvents(about: [NOT_A_KIND]) { totalCount } }`, {}, 'viewer'))).toBe('BAD_REQUEST');
  });
});
