import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const UPDATE = `mutation($input: UpdateConfigInput!) {
  updateConfig(input: $input) {
    outcome
    version { version kind reason author { username } changes { name before after } }
    changeRequest { id status revision baseVersion items { name value } }
  }
}`;

describe('configuration writes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const activeVersion = async (env: string) =>
    expectData(await t.gql(`query($n: String!) { environment(name: $n) { activeVersion } }`, { n: env })).environment.activeVersion as number;
  const value = async (env: string, name: string) =>
    expectData(await t.gql(`query($n: String!, $p: [String!]) { environment(name: $n) { values(names: $p) { value } } }`, { n: env, p: [name] })).environment.values[0].value as string;
  const rowCounts = async () => (await t.sql.query(`SELECT (SELECT count(*) FROM config_versions)::int AS versions, (SELECT count(*) FROM audit_events)::int AS audit, (SELECT count(*) FROM change_requests)::int AS requests`)).rows[0];
  const update = (input: Record<string, unknown>, as: 'admin' | 'editor' | 'approver' | 'viewer' = 'editor') => t.gql(UPDATE, { input }, as);

  it('saves several parameters atomically as one new version with its diff and audit rows', async () => {
    const before = await activeVersion('dev');
    const response = await update({
      environment: 'dev', expectedVersion: before, reason: 'tighten entries',
      changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: '0.7' }, { name: 'CVN_ATR_PERIOD', value: '21' }],
    });
    const payload = expectData(response).updateConfig;
    expect(payload.outcome).toBe('APPLIED');
    expect(payload.version).toMatchObject({ version: before + 1, kind: 'EDIT', reason: 'tighten entries', author: { username: 'editor' } });
    expect(payload.version.changes.map((c: { name: string }) => c.name)).toEqual(['CVN_ATR_PERIOD', 'CVN_SIGNAL_THRESHOLD_BUY']);
    expect(await value('dev', 'CVN_ATR_PERIOD')).toBe('21');
    const audit = await t.sql.query(`SELECT action, actor, parameter_name, config_version, reason FROM audit_events WHERE config_version = $1 AND action = 'config_change_saved' AND environment_id = (SELECT id FROM environments WHERE name = 'dev') ORDER BY parameter_name`, [before + 1]);
    expect(audit.rows).toEqual([
      { action: 'config_change_saved', actor: 'editor', parameter_name: 'CVN_ATR_PERIOD', config_version: before + 1, reason: 'tighten entries' },
      { action: 'config_change_saved', actor: 'editor', parameter_name: 'CVN_SIGNAL_THRESHOLD_BUY', config_version: before + 1, reason: 'tighten entries' },
    ]);
  });

  it('refuses a stale expected version with VERSION_CONFLICT carrying the current version', async () => {
    const current = await activeVersion('dev');
    const counts = await rowCounts();
    const response = await update({ environment: 'dev', expectedVersion: current - 1, reason: 'late', changes: [{ name: 'CVN_ATR_PERIOD', value: '15' }] });
    expect(errorCode(response)).toBe('VERSION_CONFLICT');
    expect(response.errors![0]!.extensions!.currentVersion).toBe(current);
    expect(await rowCounts()).toEqual(counts);
  });

  it('lists every offending field and rule in one VALIDATION_FAILED and changes nothing', async () => {
    const current = await activeVersion('dev');
    const counts = await rowCounts();
    const response = await update({
      environment: 'dev', expectedVersion: current, reason: 'bad values',
      changes: [
        { name: 'CVN_ATR_PERIOD', value: 'fourteen' },
        { name: 'CVN_NOT_A_PARAMETER', value: '1' },
        { name: 'CVN_PTE_SL_MULT', value: '9.5' },
      ],
    });
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    const violations = response.errors![0]!.extensions!.violations as { code: string; parameter?: string; rule?: string }[];
    expect(violations).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'INVALID_TYPE', parameter: 'CVN_ATR_PERIOD' }),
      expect.objectContaining({ code: 'UNKNOWN_PARAMETER', parameter: 'CVN_NOT_A_PARAMETER' }),
    ]));
    expect(violations.some((v) => v.code === 'OUT_OF_RANGE' || v.rule === 'pte-take-profit-above-stop-loss')).toBe(true);
    expect(response.errors![0]!.message).toMatch(/CVN_ATR_PERIOD/);
    expect(await rowCounts()).toEqual(counts);
  });

  it('refuses a cross-parameter rule violation by naming the rule', async () => {
    const current = await activeVersion('dev');
    const response = await update({
      environment: 'dev', expectedVersion: current, reason: 'fees inverted',
      changes: [{ name: 'CVN_FEE_MAKER_BPS', value: '50.0' }, { name: 'CVN_FEE_TAKER_BPS', value: '1.0' }],
    });
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    expect(response.errors![0]!.extensions!.violations).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'RULE_FAILED', rule: 'fee-maker-not-above-taker' })]));
  });

  it('refuses the deprecated PTE envelope with DEPRECATED (incident #673)', async () => {
    const current = await activeVersion('dev');
    const response = await update({ environment: 'dev', expectedVersion: current, reason: 'old habit', changes: [{ name: 'CVN_PTE_ENVELOPE', value: 'ATR1.5_3.0_H5' }] });
    expect(errorCode(response)).toBe('DEPRECATED');
    expect(response.errors![0]!.message).toMatch(/ATR1\.5_3\.0_H5/);
  });

  it('refuses writing a deprecated parameter and names its replacement', async () => {
    const current = await activeVersion('dev');
    const response = await update({ environment: 'dev', expectedVersion: current, reason: 'old name', changes: [{ name: 'CVN_ATR_MULT', value: '2.0' }] });
    expect(errorCode(response)).toBe('DEPRECATED');
    expect(response.errors![0]!.message).toMatch(/CVN_PTE_TP_MULT/);
  });

  it('requires a reason', async () => {
    const current = await activeVersion('dev');
    const response = await update({ environment: 'dev', expectedVersion: current, reason: '   ', changes: [{ name: 'CVN_ATR_PERIOD', value: '16' }] });
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    expect(response.errors![0]!.extensions!.violations).toEqual([expect.objectContaining({ field: 'reason' })]);
  });

  it('refuses a save where nothing changes', async () => {
    const current = await activeVersion('dev');
    const response = await update({ environment: 'dev', expectedVersion: current, reason: 'no-op', changes: [{ name: 'CVN_ATR_PERIOD', value: await value('dev', 'CVN_ATR_PERIOD') }] });
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it('gives NOT_FOUND for an unknown environment', async () => {
    const response = await update({ environment: 'qa', expectedVersion: 1, reason: 'x', changes: [{ name: 'CVN_ATR_PERIOD', value: '16' }] });
    expect(errorCode(response)).toBe('NOT_FOUND');
  });

  describe('critical parameters need a second person', () => {
    it('fails with APPROVAL_REQUIRED unless submitted for approval', async () => {
      const current = await activeVersion('prod');
      const response = await update({ environment: 'prod', expectedVersion: current, reason: 'bigger', changes: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '4' }] });
      expect(errorCode(response)).toBe('APPROVAL_REQUIRED');
      expect(response.errors![0]!.extensions!.parameters).toEqual(['CVN_RISK_MAX_OPEN_POSITIONS']);
      expect(await activeVersion('prod')).toBe(current);
    });

    it('submits, refuses self-approval, voids a stale review, applies on approval', async () => {
      const base = await activeVersion('prod');
      const submitted = expectData(await update({
        environment: 'prod', expectedVersion: base, reason: 'more exposure', submitForApproval: true,
        changes: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '4' }],
      }, 'approver')).updateConfig;
      expect(submitted.outcome).toBe('PENDING_APPROVAL');
      expect(submitted.version).toBeNull();
      const request = submitted.changeRequest;
      expect(request).toMatchObject({ status: 'PENDING', revision: 1, baseVersion: base, items: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '4' }] });
      expect(await activeVersion('prod')).toBe(base);

      const APPROVE = `mutation($input: ReviewChangeRequestInput!) { approveChangeRequest(input: $input) { version approver { username } author { username } changeRequest { status reviewComment } } }`;
      const own = await t.gql(APPROVE, { input: { id: request.id, revision: 1, comment: 'me' } }, 'approver');
      expect(errorCode(own)).toBe('FORBIDDEN');

      const edited = expectData(await t.gql(`mutation($input: UpdateChangeRequestInput!) { updateChangeRequest(input: $input) { revision items { name value } } }`, {
        input: { id: request.id, revision: 1, changes: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '5' }] },
      }, 'approver')).updateChangeRequest;
      expect(edited).toEqual({ revision: 2, items: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '5' }] });

      const stale = await t.gql(APPROVE, { input: { id: request.id, revision: 1, comment: 'looked at v1' } }, 'admin');
      expect(errorCode(stale)).toBe('VERSION_CONFLICT');
      expect(stale.errors![0]!.extensions!.currentRevision).toBe(2);

      const approved = expectData(await t.gql(APPROVE, { input: { id: request.id, revision: 2, comment: 'ok for this week' } }, 'admin')).approveChangeRequest;
      expect(approved).toEqual({
        version: base + 1, approver: { username: 'admin' }, author: { username: 'approver' },
        changeRequest: { status: 'APPLIED', reviewComment: 'ok for this week' },
      });
      expect(await value('prod', 'CVN_RISK_MAX_OPEN_POSITIONS')).toBe('5');

      const again = await t.gql(APPROVE, { input: { id: request.id, revision: 2, comment: 'twice' } }, 'admin');
      expect(errorCode(again)).toBe('CONFLICT');
    });

    it('fails approval with VERSION_CONFLICT when the environment moved on, and applies nothing', async () => {
      const base = await activeVersion('prod');
      const request = expectData(await update({
        environment: 'prod', expectedVersion: base, reason: 'pause enrichment', submitForApproval: true,
        changes: [{ name: 'CVN_ENRICHMENT_PAUSE', value: 'true' }],
      })).updateConfig.changeRequest;
      expectData(await update({ environment: 'prod', expectedVersion: base, reason: 'unrelated', changes: [{ name: 'CVN_ATR_PERIOD', value: '20' }] }));
      const response = await t.gql(`mutation($input: ReviewChangeRequestInput!) { approveChangeRequest(input: $input) { version } }`, {
        input: { id: request.id, revision: 1, comment: 'ok' },
      }, 'approver');
      expect(errorCode(response)).toBe('VERSION_CONFLICT');
      expect(await activeVersion('prod')).toBe(base + 1);
      expect(await value('prod', 'CVN_ENRICHMENT_PAUSE')).toBe('false');
      const status = expectData(await t.gql(`query($id: ID!) { node(id: $id) { ... on ChangeRequest { status } } }`, { id: request.id }));
      expect(status.node.status).toBe('PENDING');
    });

    it('rejects with a comment; the request can no longer be approved', async () => {
      const base = await activeVersion('prod');
      const request = expectData(await update({
        environment: 'prod', expectedVersion: base, reason: 'leverage', submitForApproval: true,
        changes: [{ name: 'CVN_RISK_MAX_LEVERAGE', value: '3.0' }],
      })).updateConfig.changeRequest;
      const rejected = expectData(await t.gql(`mutation($input: ReviewChangeRequestInput!) { rejectChangeRequest(input: $input) { status reviewComment reviewer { username } } }`, {
        input: { id: request.id, revision: 1, comment: 'too risky' },
      }, 'approver')).rejectChangeRequest;
      expect(rejected).toEqual({ status: 'REJECTED', reviewComment: 'too risky', reviewer: { username: 'approver' } });
    });
  });

  describe('restore and promotion are writes through the same path', () => {
    it('restores an earlier version as a new version, audited as a restore', async () => {
      const base = await activeVersion('staging');
      const original = await value('staging', 'CVN_SIGNAL_THRESHOLD_BUY');
      expectData(await update({ environment: 'staging', expectedVersion: base, reason: 'try', changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: '0.8' }] }));
      const restored = expectData(await t.gql(`mutation($input: RestoreConfigInput!) { restoreConfigVersion(input: $input) { outcome version { version kind restoredFrom changes { name before after } } } }`, {
        input: { environment: 'staging', version: base, expectedVersion: base + 1, reason: 'back to known good' },
      }, 'editor')).restoreConfigVersion;
      expect(restored.version).toEqual({
        version: base + 2, kind: 'RESTORE', restoredFrom: base,
        changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', before: '0.8', after: original }],
      });
      expect(await value('staging', 'CVN_SIGNAL_THRESHOLD_BUY')).toBe(original);
    });

    it('routes a restore that touches a critical parameter through approval', async () => {
      const base = await activeVersion('staging');
      const request = expectData(await update({ environment: 'staging', expectedVersion: base, reason: 'positions', submitForApproval: true, changes: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '6' }] })).updateConfig.changeRequest;
      expectData(await t.gql(`mutation($input: ReviewChangeRequestInput!) { approveChangeRequest(input: $input) { version } }`, { input: { id: request.id, revision: 1, comment: 'ok' } }, 'admin'));
      const response = await t.gql(`mutation($input: RestoreConfigInput!) { restoreConfigVersion(input: $input) { outcome } }`, {
        input: { environment: 'staging', version: base, expectedVersion: base + 1, reason: 'undo' },
      }, 'editor');
      expect(errorCode(response)).toBe('APPROVAL_REQUIRED');
      const submitted = expectData(await t.gql(`mutation($input: RestoreConfigInput!) { restoreConfigVersion(input: $input) { outcome changeRequest { kind restoredFrom } } }`, {
        input: { environment: 'staging', version: base, expectedVersion: base + 1, reason: 'undo', submitForApproval: true },
      }, 'editor')).restoreConfigVersion;
      expect(submitted).toEqual({ outcome: 'PENDING_APPROVAL', changeRequest: { kind: 'RESTORE', restoredFrom: base } });
    });

    it('promotes chosen values from one environment to another', async () => {
      const devVersion = await activeVersion('dev');
      expectData(await update({ environment: 'dev', expectedVersion: devVersion, reason: 'tuned', changes: [{ name: 'CVN_CUSUM_THRESHOLD', value: '2.5' }] }));
      const target = await activeVersion('staging');
      const promoted = expectData(await t.gql(`mutation($input: PromoteConfigInput!) { promoteConfig(input: $input) { version { kind promotedFrom changes { name after } } } }`, {
        input: { from: 'dev', to: 'staging', names: ['CVN_CUSUM_THRESHOLD'], expectedVersion: target, reason: 'validated on dev' },
      }, 'editor')).promoteConfig;
      expect(promoted.version).toEqual({ kind: 'PROMOTION', promotedFrom: `dev@${devVersion + 1}`, changes: [{ name: 'CVN_CUSUM_THRESHOLD', after: '2.5' }] });
    });
  });

  describe('freeze windows', () => {
    it('refuses writes with FROZEN during an open window and accepts them after', async () => {
      const current = await activeVersion('dev');
      const { rows } = await t.sql.query<{ id: string }>(
        `INSERT INTO freeze_windows (id, environment_id, starts_at, ends_at, reason, created_by_id)
         SELECT gen_random_uuid(), e.id, now() - interval '1 minute', now() + interval '1 hour', 'FOMC release', u.id
         FROM environments e, users u WHERE e.name = 'dev' AND u.username = 'admin' RETURNING id`);
      const frozen = await update({ environment: 'dev', expectedVersion: current, reason: 'during freeze', changes: [{ name: 'CVN_ATR_PERIOD', value: '17' }] });
      expect(errorCode(frozen)).toBe('FROZEN');
      expect(frozen.errors![0]!.message).toMatch(/FOMC release/);
      await t.sql.query(`UPDATE freeze_windows SET cancelled_at = now() WHERE id = $1`, [rows[0]!.id]);
      expectData(await update({ environment: 'dev', expectedVersion: current, reason: 'after freeze', changes: [{ name: 'CVN_ATR_PERIOD', value: '17' }] }));
    });
  });

  describe('history', () => {
    it('lists versions newest first with filters, and diffs any two versions', async () => {
      const history = expectData(await t.gql(`{ environment(name: "dev") { versions(first: 3, parameter: "CVN_ATR_PERIOD") { totalCount edges { node { version author { username } changes { name } } } } } }`)).environment.versions;
      expect(history.totalCount).toBeGreaterThanOrEqual(3);
      const versions = history.edges.map((e: { node: { version: number } }) => e.node.version);
      expect(versions).toEqual([...versions].sort((a: number, b: number) => b - a));
      const diff = expectData(await t.gql(`{ environment(name: "dev") { version(number: 2) { diffAgainst(other: 1) { name before after } } } }`)).environment.version.diffAgainst;
      expect(diff).toEqual(expect.arrayContaining([{ name: 'CVN_ATR_PERIOD', before: expect.any(String), after: '21' }]));
    });
  });
});
