import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp, type TestUser } from './support/start-test-app.ts';

const RULE_FIELDS = 'id name expression message enabled revision createdAt updatedAt';
const CREATE = `mutation ($input: CreateRuleInput!) { createRule(input: $input) { ${RULE_FIELDS} } }`;
const UPDATE = `mutation ($input: UpdateRuleInput!) { updateRule(input: $input) { ${RULE_FIELDS} } }`;
const CHECK = `query ($expression: String!, $message: String, $name: String) {
  checkRule(expression: $expression, message: $message, name: $name) { environment passed violation { code message rule parameter } }
}`;
const UPDATE_CONFIG = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } } }`;

interface Violation { code: string; message: string; rule?: string; field?: string; environment?: string }
const violationsOf = (response: GraphQLResponse) => (response.errors?.[0]?.extensions?.violations ?? []) as Violation[];

describe('cross-parameter rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const create = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(CREATE, { input: { reason: 'test rule', ...input } }, as);
  const update = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(UPDATE, { input: { reason: 'test change', ...input } }, as);
  const check = (variables: Record<string, unknown>, as: TestUser = 'admin') => t.gql(CHECK, variables, as);
  const activeVersion = async (env: string) =>
    expectData(await t.gql(`query ($n: String!) { environment(name: $n) { activeVersion } }`, { n: env })).environment.activeVersion as number;
  const updateConfig = async (env: string, changes: { name: string; value: string }[]) =>
    t.gql(UPDATE_CONFIG, { input: { environment: env, expectedVersion: await activeVersion(env), reason: 'test write', changes } }, 'editor');
  const rowCounts = async () => (await t.sql.query(`SELECT
      (SELECT count(*) FROM cross_parameter_rules)::int AS rules,
      (SELECT coalesce(sum(revision), 0) FROM cross_parameter_rules)::int AS revisions,
      (SELECT count(*) FROM audit_events)::int AS audit,
      (SELECT count(*) FROM config_versions)::int AS versions`)).rows[0];
  const auditOf = async (subjectId: string) =>
    (await t.sql.query(`SELECT action, actor, reason, details FROM audit_events WHERE subject_id = $1 ORDER BY id`, [subjectId])).rows;

  it('lists the seeded rules by name, as Relay nodes', async () => {
    const rules = expectData(await t.gql(`{ rules { id name expression enabled revision } }`, {}, 'viewer')).rules as { id: string; name: string; expression: string }[];
    expect(rules).toHaveLength(10);
    expect(rules.map((r) => r.name)).toEqual([...rules.map((r) => r.name)].sort());
    const rule = rules.find((r) => r.name === 'pte-take-profit-above-stop-loss')!;
    expect(rule).toMatchObject({ expression: 'params.CVN_PTE_TP_MULT > params.CVN_PTE_SL_MULT', enabled: true, revision: 1 });
    const node = expectData(await t.gql(`query ($id: ID!) { node(id: $id) { ... on Rule { name } } }`, { id: rule.id })).node;
    expect(node).toEqual({ name: 'pte-take-profit-above-stop-loss' });
  });

  describe('checkRule', () => {
    it('evaluates an expression against each environment\'s active values', async () => {
      expect(expectData(await updateConfig('staging', [{ name: 'CVN_ATR_PERIOD', value: '30' }])).updateConfig.outcome).toBe('APPLIED');
      const checks = expectData(await check({ expression: 'params.CVN_ATR_PERIOD < 20', message: 'Keep the ATR period short.', name: 'atr-short' }, 'viewer')).checkRule;
      expect(checks).toEqual([
        { environment: 'dev', passed: true, violation: null },
        { environment: 'prod', passed: true, violation: null },
        { environment: 'staging', passed: false, violation: { code: 'RULE_FAILED', message: 'Keep the ATR period short.', rule: 'atr-short', parameter: null } },
      ]);
    });

    it('reports a missing parameter and a compile error for every environment', async () => {
      const missing = expectData(await check({ expression: 'params.CVN_NOT_A_THING > 1' })).checkRule;
      expect(missing.every((c: { passed: boolean }) => !c.passed)).toBe(true);
      expect(missing[0].violation.message).toMatch(/there is no parameter or field named CVN_NOT_A_THING/);

      const broken = expectData(await check({ expression: 'params.CVN_ATR_PERIOD <' })).checkRule;
      expect(broken.map((c: { environment: string }) => c.environment)).toEqual(['dev', 'prod', 'staging']);
      for (const c of broken) expect(c).toMatchObject({ passed: false, violation: { code: 'INVALID_EXPRESSION' } });

      const unknownVariable = expectData(await check({ expression: 'value > 1' })).checkRule;
      expect(unknownVariable[0].violation).toMatchObject({ code: 'INVALID_EXPRESSION', message: expect.stringMatching(/unknown variable value/) });
    });

    it('needs a signed-in operator: an anonymous caller gets UNAUTHENTICATED', async () => {
      expect(errorCode(await check({ expression: 'true' }, null))).toBe('UNAUTHENTICATED');
    });
  });

  describe('createRule', () => {
    let ruleId: string;

    it('adds an enabled rule (revision 1) with its audit row', async () => {
      const rule = expectData(await create({
        name: 'atr-period-at-most-100', expression: 'params.CVN_ATR_PERIOD <= 100',
        message: 'CVN_ATR_PERIOD above 100 bars smooths volatility away.', reason: 'incident #712',
      })).createRule;
      ruleId = rule.id;
      expect(rule).toMatchObject({ name: 'atr-period-at-most-100', enabled: true, revision: 1 });
      const [audit] = await auditOf(Buffer.from(rule.id, 'base64').toString('utf8').replace('Rule:', ''));
      expect(audit).toMatchObject({
        action: 'rule_created', actor: 'admin', reason: 'incident #712',
        details: { name: 'atr-period-at-most-100', expression: 'params.CVN_ATR_PERIOD <= 100', enabled: true, revision: 1 },
      });
    });

    it('then blocks a save that breaks it, naming the rule, and writes nothing', async () => {
      const counts = await rowCounts();
      const response = await updateConfig('dev', [{ name: 'CVN_ATR_PERIOD', value: '150' }]);
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect(violationsOf(response)).toEqual([{ code: 'RULE_FAILED', rule: 'atr-period-at-most-100', message: 'CVN_ATR_PERIOD above 100 bars smooths volatility away.' }]);
      expect(await rowCounts()).toEqual(counts);
    });

    it('refuses a rule today\'s values break, naming each failing environment, and writes nothing', async () => {
      const counts = await rowCounts();
      const response = await create({ name: 'atr-period-long', expression: 'params.CVN_ATR_PERIOD >= 20', message: 'Use a long ATR period.' });
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      const violations = violationsOf(response);
      // staging holds 30 (see checkRule above); dev and prod hold the default 14.
      expect(violations.map((v) => [v.environment, v.rule, v.code])).toEqual([['dev', 'atr-period-long', 'RULE_FAILED'], ['prod', 'atr-period-long', 'RULE_FAILED']]);
      expect(violations[0]!.message).toBe('dev does not satisfy rule atr-period-long today: Use a long ATR period.');
      expect(await rowCounts()).toEqual(counts);
    });

    const invalid: [string, Record<string, unknown>, { field: string; code: string; message: RegExp }][] = [
      ['an expression that does not compile', { name: 'broken', expression: 'params.CVN_ATR_PERIOD <', message: 'm' }, { field: 'expression', code: 'INVALID_EXPRESSION', message: /^Rule broken is not valid CEL/ }],
      ['an expression reading `value`', { name: 'broken', expression: 'value > 1', message: 'm' }, { field: 'expression', code: 'INVALID_EXPRESSION', message: /unknown variable value \(available here: params\)/ }],
      ['a name outside ^[a-z0-9][a-z0-9-]*$', { name: 'Bad_Name', expression: 'true', message: 'm' }, { field: 'name', code: 'NOT_ALLOWED', message: /lowercase letters, digits and dashes/ }],
      ['a name starting with a dash', { name: '-x', expression: 'true', message: 'm' }, { field: 'name', code: 'NOT_ALLOWED', message: /got "-x"/ }],
      ['an empty message', { name: 'no-message', expression: 'true', message: '  ' }, { field: 'message', code: 'REQUIRED', message: /Give the rule the message/ }],
      ['an empty reason', { name: 'no-reason', expression: 'true', message: 'm', reason: ' ' }, { field: 'reason', code: 'REQUIRED', message: /Give a reason/ }],
    ];

    it.each(invalid)('refuses %s with VALIDATION_FAILED and writes nothing', async (_what, input, expected) => {
      const counts = await rowCounts();
      const response = await create(input);
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect(violationsOf(response)).toEqual([expect.objectContaining({ field: expected.field, code: expected.code, message: expect.stringMatching(expected.message) })]);
      expect(await rowCounts()).toEqual(counts);
    });

    it('refuses a taken name with CONFLICT', async () => {
      const response = await create({ name: 'pte-take-profit-above-stop-loss', expression: 'true', message: 'm' });
      expect(errorCode(response)).toBe('CONFLICT');
    });

    it('creates a broken rule disabled, and refuses to enable it until the values are fixed', async () => {
      const staged = expectData(await create({ name: 'atr-period-at-least-15', expression: 'params.CVN_ATR_PERIOD >= 15', message: 'At least 15 bars.', enabled: false })).createRule;
      expect(staged).toMatchObject({ enabled: false, revision: 1 });
      // A disabled rule binds nothing.
      expect(expectData(await updateConfig('dev', [{ name: 'CVN_ATR_PERIOD', value: '13' }])).updateConfig.outcome).toBe('APPLIED');

      const counts = await rowCounts();
      const refused = await update({ id: staged.id, expectedRevision: 1, enabled: true });
      expect(errorCode(refused)).toBe('VALIDATION_FAILED');
      expect(violationsOf(refused).map((v) => v.environment)).toEqual(['dev', 'prod']);
      expect(await rowCounts()).toEqual(counts);

      for (const env of ['dev', 'prod']) expect(expectData(await updateConfig(env, [{ name: 'CVN_ATR_PERIOD', value: '16' }])).updateConfig.outcome).toBe('APPLIED');
      expect(expectData(await update({ id: staged.id, expectedRevision: 1, enabled: true })).updateRule).toMatchObject({ enabled: true, revision: 2 });
    });

    describe('updateRule', () => {
      it('changes the message as revision 2 with an audit row of the change', async () => {
        const rule = expectData(await update({ id: ruleId, expectedRevision: 1, message: 'Keep CVN_ATR_PERIOD at 100 bars or less.', reason: 'clearer' })).updateRule;
        expect(rule).toMatchObject({ message: 'Keep CVN_ATR_PERIOD at 100 bars or less.', revision: 2, expression: 'params.CVN_ATR_PERIOD <= 100' });
        const audit = await auditOf(Buffer.from(ruleId, 'base64').toString('utf8').replace('Rule:', ''));
        expect(audit.at(-1)).toMatchObject({
          action: 'rule_updated', reason: 'clearer',
          details: { revision: 2, changes: { message: { before: 'CVN_ATR_PERIOD above 100 bars smooths volatility away.', after: 'Keep CVN_ATR_PERIOD at 100 bars or less.' } } },
        });
      });

      it('refuses a stale revision with VERSION_CONFLICT carrying the current one', async () => {
        const counts = await rowCounts();
        const response = await update({ id: ruleId, expectedRevision: 1, enabled: false });
        expect(errorCode(response)).toBe('VERSION_CONFLICT');
        expect(response.errors![0]!.extensions).toMatchObject({ currentRevision: 2, expectedRevision: 1 });
        expect(await rowCounts()).toEqual(counts);
      });

      it('refuses an expression that does not compile or that today\'s values break', async () => {
        const counts = await rowCounts();
        expect(violationsOf(await update({ id: ruleId, expectedRevision: 2, expression: 'params.CVN_ATR_PERIOD <=' }))).toEqual([
          expect.objectContaining({ code: 'INVALID_EXPRESSION', field: 'expression', rule: 'atr-period-at-most-100' }),
        ]);
        expect(violationsOf(await update({ id: ruleId, expectedRevision: 2, expression: 'params.CVN_ATR_PERIOD <= 10' })).map((v) => v.environment)).toEqual(['dev', 'prod', 'staging']);
        expect(await rowCounts()).toEqual(counts);
      });

      it('disables a rule (rules are never deleted), after which the save it blocked goes through', async () => {
        expect(expectData(await update({ id: ruleId, expectedRevision: 2, enabled: false, reason: 'superseded' })).updateRule).toMatchObject({ enabled: false, revision: 3 });
        expect(expectData(await updateConfig('dev', [{ name: 'CVN_ATR_PERIOD', value: '150' }])).updateConfig.outcome).toBe('APPLIED');
        expect(expectData(await t.gql(`{ rules { name enabled } }`)).rules).toContainEqual({ name: 'atr-period-at-most-100', enabled: false });
      });

      it('answers NOT_FOUND for an unknown id, raw or global', async () => {
        expect(errorCode(await update({ id: '00000000-0000-0000-0000-000000000000', expectedRevision: 1, enabled: true }))).toBe('NOT_FOUND');
        expect(errorCode(await update({ id: 'not-a-uuid', expectedRevision: 1, enabled: true }))).toBe('NOT_FOUND');
      });
    });
  });

  describe('access', () => {
    it('createRule and updateRule are for admins: FORBIDDEN for an editor, UNAUTHENTICATED without credentials', async () => {
      const counts = await rowCounts();
      const input = { name: 'by-an-editor', expression: 'true', message: 'm' };
      expect(errorCode(await create(input, 'editor'))).toBe('FORBIDDEN');
      expect(errorCode(await create(input, 'approver'))).toBe('FORBIDDEN');
      expect(errorCode(await create(input, null))).toBe('UNAUTHENTICATED');
      const [{ id }] = expectData(await t.gql(`{ rules { id } }`)).rules;
      expect(errorCode(await update({ id, expectedRevision: 1, enabled: false }, 'editor'))).toBe('FORBIDDEN');
      expect(errorCode(await update({ id, expectedRevision: 1, enabled: false }, null))).toBe('UNAUTHENTICATED');
      expect(errorCode(await t.gql(`{ rules { name } }`, {}, null))).toBe('UNAUTHENTICATED');
      expect(await rowCounts()).toEqual(counts);
    });
  });
});
