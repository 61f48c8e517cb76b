import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp, type TestUser } from './support/start-test-app.ts';

const ENTRY_FIELDS = `name type allowedValues minValue maxValue defaultValue unit description group required deprecated
  deprecationReason replacement { name } deprecatedValues { value reason } category critical hotReloadable validator revision
  history { revision action changedBy reason snapshot }`;

const CREATE = `mutation ($input: CreateCatalogEntryInput!) { createCatalogEntry(input: $input) { ${ENTRY_FIELDS} } }`;
const UPDATE = `mutation ($input: UpdateCatalogEntryInput!) { updateCatalogEntry(input: $input) { ${ENTRY_FIELDS} } }`;
const DEPRECATE = `mutation ($input: DeprecateCatalogEntryInput!) { deprecateCatalogEntry(input: $input) { ${ENTRY_FIELDS} } }`;
const CHECK = `query ($input: CheckCatalogEntryInput!) { checkCatalogEntry(input: $input) { code message parameter rule } }`;
const UPDATE_CONFIG = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } } }`;

interface Violation { code: string; message: string; parameter?: string; rule?: string; field?: string; environment?: string }

const violationsOf = (response: GraphQLResponse) => (response.errors?.[0]?.extensions?.violations ?? []) as Violation[];

/** A valid new INT entry; tests override what they are about. */
const newInt = (name: string, extra: Record<string, unknown> = {}) => ({
  name, type: 'INT', minValue: 1, maxValue: 100, defaultValue: '10', unit: 'bars',
  description: 'A test parameter.', group: 'Tests', category: 'THRESHOLD', reason: 'test coverage', ...extra,
});

describe('catalog administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const create = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(CREATE, { input }, as);
  const update = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(UPDATE, { input }, as);
  const deprecate = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(DEPRECATE, { input }, as);
  const check = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(CHECK, { input }, as);
  const activeVersion = async (env: string) =>
    expectData(await t.gql(`query ($n: String!) { environment(name: $n) { activeVersion } }`, { n: env })).environment.activeVersion as number;
  const updateConfig = async (env: string, changes: { name: string; value: string }[], as: TestUser = 'admin') =>
    t.gql(UPDATE_CONFIG, { input: { environment: env, expectedVersion: await activeVersion(env), reason: 'test write', changes } }, as);
  const rowCounts = async () => (await t.sql.query(`SELECT
      (SELECT count(*) FROM variable_catalog)::int AS entries,
      (SELECT count(*) FROM variable_catalog_history)::int AS history,
      (SELECT count(*) FROM audit_events)::int AS audit,
      (SELECT coalesce(sum(revision), 0) FROM variable_catalog)::int AS revisions`)).rows[0];
  const auditOf = async (name: string) =>
    (await t.sql.query(`SELECT action, actor, parameter_name, reason, details FROM audit_events WHERE parameter_name = $1 AND action LIKE 'catalog_entry_%' ORDER BY id`, [name])).rows;

  describe('createCatalogEntry', () => {
    it('adds an entry with revision 1, its history row and its audit row, and moves the catalog version', async () => {
      const catalogVersion = async () => expectData(await t.gql(`{ catalogVersion }`)).catalogVersion as number;
      const before = await catalogVersion();
      const entry = expectData(await create(newInt('CVN_TEST_LOOKBACK', { hotReloadable: true, reason: ' new lookback knob ' }))).createCatalogEntry;
      expect(entry).toMatchObject({
        name: 'CVN_TEST_LOOKBACK', type: 'INT', minValue: 1, maxValue: 100, defaultValue: '10', unit: 'bars', group: 'Tests',
        required: true, deprecated: false, critical: false, hotReloadable: true, validator: null, revision: 1,
      });
      expect(entry.history).toEqual([{
        revision: 1, action: 'created', changedBy: 'admin', reason: 'new lookback knob',
        snapshot: expect.objectContaining({ name: 'CVN_TEST_LOOKBACK', type: 'INT', maxValue: 100, groupName: 'Tests', deprecated: false }),
      }]);
      expect(await auditOf('CVN_TEST_LOOKBACK')).toEqual([
        expect.objectContaining({ action: 'catalog_entry_created', actor: 'admin', reason: 'new lookback knob', details: expect.objectContaining({ revision: 1 }) }),
      ]);
      expect(await catalogVersion()).toBeGreaterThan(before);
    });

    it('has no value in any environment until one is saved through updateConfig', async () => {
      const values = async () => expectData(await t.gql(`{ environments { name values(names: ["CVN_TEST_LOOKBACK"]) { value } } }`)).environments
        .map((e: { name: string; values: { value: string | null }[] }) => [e.name, e.values[0]?.value]);
      expect(await values()).toEqual([['dev', null], ['staging', null], ['prod', null]]);
      const saved = expectData(await updateConfig('dev', [{ name: 'CVN_TEST_LOOKBACK', value: '12' }], 'editor')).updateConfig;
      expect(saved.outcome).toBe('APPLIED');
      expect(await values()).toEqual([['dev', '12'], ['staging', null], ['prod', null]]);
      // The new definition binds at once: the write path validates against it.
      const refused = await updateConfig('dev', [{ name: 'CVN_TEST_LOOKBACK', value: '101' }], 'editor');
      expect(errorCode(refused)).toBe('VALIDATION_FAILED');
      expect(violationsOf(refused)).toEqual([expect.objectContaining({ code: 'OUT_OF_RANGE', parameter: 'CVN_TEST_LOOKBACK' })]);
    });

    it('creates ENUM, BOOL, STRING and FLOAT entries with their defaults', async () => {
      const base = { description: 'x', group: 'Tests', category: 'FILTER_FLAG', reason: 'types' };
      const made = await Promise.all([
        create({ ...base, name: 'CVN_TEST_MODE', type: 'ENUM', allowedValues: ['a', 'b'], defaultValue: 'a', deprecatedValues: [{ value: 'old', reason: 'gone' }] }),
        create({ ...base, name: 'CVN_TEST_FLAG', type: 'BOOL', defaultValue: 'false', required: false }),
        create({ ...base, name: 'CVN_TEST_LABEL', type: 'STRING', validator: 'size(value) <= 8' }),
        create({ ...base, name: 'CVN_TEST_RATIO', type: 'FLOAT', minValue: 0, maxValue: 1.5, defaultValue: '0.25' }),
      ]);
      expect(made.map((r) => expectData(r).createCatalogEntry).map((e: { name: string; type: string; revision: number }) => [e.name, e.type, e.revision])).toEqual([
        ['CVN_TEST_MODE', 'ENUM', 1], ['CVN_TEST_FLAG', 'BOOL', 1], ['CVN_TEST_LABEL', 'STRING', 1], ['CVN_TEST_RATIO', 'FLOAT', 1],
      ]);
    });

    const invalid: [string, Record<string, unknown>, { field: string; code: string; message?: RegExp }][] = [
      ['a name outside ^CVN_[A-Z0-9_]+$', newInt('CVN_lower_case'), { field: 'name', code: 'NOT_ALLOWED', message: /CVN_ followed by capital letters/ }],
      ['an ENUM without allowed values', newInt('CVN_BAD_ENUM', { type: 'ENUM', minValue: null, maxValue: null, defaultValue: null }), { field: 'allowedValues', code: 'REQUIRED' }],
      ['an ENUM with bounds', newInt('CVN_BAD_ENUM', { type: 'ENUM', allowedValues: ['a'], defaultValue: 'a' }), { field: 'minValue', code: 'NOT_ALLOWED', message: /INT and FLOAT parameters only/ }],
      ['allowed values on an INT', newInt('CVN_BAD_INT', { allowedValues: ['1'] }), { field: 'allowedValues', code: 'NOT_ALLOWED' }],
      ['a minimum above the maximum', newInt('CVN_BAD_INT', { minValue: 50, maxValue: 5, defaultValue: null }), { field: 'maxValue', code: 'OUT_OF_RANGE', message: /maximum 5 is below the minimum 50/ }],
      ['a fractional INT bound', newInt('CVN_BAD_INT', { minValue: 0.5 }), { field: 'minValue', code: 'INVALID_TYPE', message: /whole-number bounds/ }],
      ['bounds on a BOOL', newInt('CVN_BAD_BOOL', { type: 'BOOL', minValue: null, maxValue: 1, defaultValue: 'true' }), { field: 'maxValue', code: 'NOT_ALLOWED' }],
      ['bounds on a STRING', newInt('CVN_BAD_TEXT', { type: 'STRING', defaultValue: 'x' }), { field: 'minValue', code: 'NOT_ALLOWED' }],
      ['a default of another type', newInt('CVN_BAD_INT', { defaultValue: 'ten' }), { field: 'defaultValue', code: 'INVALID_TYPE', message: /must be an integer between 1 and 100; got ten/ }],
      ['a default out of the bounds', newInt('CVN_BAD_INT', { defaultValue: '500' }), { field: 'defaultValue', code: 'OUT_OF_RANGE' }],
      ['a default outside the allowed values', newInt('CVN_BAD_ENUM', { type: 'ENUM', minValue: null, maxValue: null, allowedValues: ['a', 'b'], defaultValue: 'c' }), { field: 'defaultValue', code: 'NOT_ALLOWED' }],
      ['a validator that does not compile', newInt('CVN_BAD_INT', { validator: 'value >' }), { field: 'validator', code: 'INVALID_EXPRESSION', message: /^The validator is not valid CEL/ }],
      ['a validator reading an unknown variable', newInt('CVN_BAD_INT', { validator: 'parms.CVN_ATR_PERIOD > value' }), { field: 'validator', code: 'INVALID_EXPRESSION', message: /unknown variable parms/ }],
      ['a deprecated value that is also allowed', newInt('CVN_BAD_ENUM', { type: 'ENUM', minValue: null, maxValue: null, allowedValues: ['a', 'b'], defaultValue: 'a', deprecatedValues: [{ value: 'b', reason: 'old' }] }), { field: 'deprecatedValues', code: 'NOT_ALLOWED', message: /both allowed and deprecated/ }],
      ['an empty description', newInt('CVN_BAD_INT', { description: '   ' }), { field: 'description', code: 'REQUIRED' }],
      ['an empty reason', newInt('CVN_BAD_INT', { reason: ' ' }), { field: 'reason', code: 'REQUIRED' }],
    ];

    it.each(invalid)('refuses %s with VALIDATION_FAILED naming the field, and writes nothing', async (_what, input, expected) => {
      const counts = await rowCounts();
      const response = await create(input);
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      const violations = violationsOf(response);
      expect(violations).toEqual([expect.objectContaining({ field: expected.field, code: expected.code })]);
      if (expected.message) expect(violations[0]!.message).toMatch(expected.message);
      expect(await rowCounts()).toEqual(counts);
    });

    it('lists one violation per bad field in one answer', async () => {
      const response = await create(newInt('bad name', { minValue: 0.5, maxValue: 0.25, validator: '(', description: '' }));
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect(violationsOf(response).map((v) => v.field).sort()).toEqual(['description', 'maxValue', 'minValue', 'name', 'validator']);
    });

    it('refuses a name that exists with CONFLICT', async () => {
      const counts = await rowCounts();
      const response = await create(newInt('CVN_ATR_PERIOD'));
      expect(errorCode(response)).toBe('CONFLICT');
      expect(response.errors![0]!.message).toMatch(/CVN_ATR_PERIOD already exists/);
      expect(await rowCounts()).toEqual(counts);
    });
  });

  describe('updateCatalogEntry', () => {
    it('writes revision N+1 with its snapshot and an audit row listing the changed fields', async () => {
      const entry = expectData(await update({
        name: 'CVN_TEST_LOOKBACK', expectedRevision: 1, reason: 'allow longer lookbacks', maxValue: 150, description: 'Longer now.', unit: null,
      })).updateCatalogEntry;
      expect(entry).toMatchObject({ name: 'CVN_TEST_LOOKBACK', maxValue: 150, minValue: 1, description: 'Longer now.', unit: null, defaultValue: '10', revision: 2 });
      expect(entry.history.map((h: { revision: number; action: string }) => [h.revision, h.action])).toEqual([[2, 'updated'], [1, 'created']]);
      expect(entry.history[0].snapshot).toMatchObject({ maxValue: 150, description: 'Longer now.', unit: null });
      const audit = await auditOf('CVN_TEST_LOOKBACK');
      expect(audit.at(-1)).toMatchObject({
        action: 'catalog_entry_updated', actor: 'admin', reason: 'allow longer lookbacks',
        details: { revision: 2, changes: { maxValue: { before: 100, after: 150 }, description: { before: 'A test parameter.', after: 'Longer now.' }, unit: { before: 'bars', after: null } } },
      });
    });

    it('refuses a stale expectedRevision with VERSION_CONFLICT carrying the current revision', async () => {
      const counts = await rowCounts();
      const response = await update({ name: 'CVN_TEST_LOOKBACK', expectedRevision: 1, reason: 'late edit', maxValue: 120 });
      expect(errorCode(response)).toBe('VERSION_CONFLICT');
      expect(response.errors![0]!.extensions).toMatchObject({ currentRevision: 2, expectedRevision: 1 });
      expect(await rowCounts()).toEqual(counts);
    });

    it('refuses an invalid result of the patch (an existing minimum above the new maximum)', async () => {
      const counts = await rowCounts();
      const response = await update({ name: 'CVN_TEST_LOOKBACK', expectedRevision: 2, reason: 'oops', maxValue: 0 });
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect(violationsOf(response)).toEqual([expect.objectContaining({ field: 'maxValue', code: 'OUT_OF_RANGE' })]);
      expect(await rowCounts()).toEqual(counts);
    });

    it('refuses a change that would strand a live value, naming the environment, and writes nothing', async () => {
      expect(expectData(await updateConfig('prod', [{ name: 'CVN_ATR_PERIOD', value: '70' }])).updateConfig.outcome).toBe('APPLIED');
      const counts = await rowCounts();
      const revision = expectData(await t.gql(`{ catalogEntry(name: "CVN_ATR_PERIOD") { revision } }`)).catalogEntry.revision;
      const response = await update({ name: 'CVN_ATR_PERIOD', expectedRevision: revision, reason: 'cap the period', maxValue: 50 });
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect(violationsOf(response)).toEqual([{
        code: 'OUT_OF_RANGE', parameter: 'CVN_ATR_PERIOD', environment: 'prod',
        message: 'prod holds 70 for CVN_ATR_PERIOD, above the new maximum 50.',
      }]);
      expect(response.errors![0]!.message).toBe('prod holds 70 for CVN_ATR_PERIOD, above the new maximum 50.');
      expect(await rowCounts()).toEqual(counts);

      // A new validator is held against each environment's values the same way.
      const byValidator = await update({ name: 'CVN_ATR_PERIOD', expectedRevision: revision, reason: 'cap', validator: 'value < 60' });
      expect(violationsOf(byValidator)).toEqual([expect.objectContaining({ code: 'VALIDATOR_FAILED', environment: 'prod', message: expect.stringMatching(/^prod holds 70 for CVN_ATR_PERIOD, which the new validator refuses/) })]);
      expect(await rowCounts()).toEqual(counts);

      // The live check tells the console the same before Save.
      const live = expectData(await check({ mode: 'UPDATE', name: 'CVN_ATR_PERIOD', maxValue: 50 })).checkCatalogEntry;
      expect(live).toEqual([{ code: 'OUT_OF_RANGE', parameter: 'CVN_ATR_PERIOD', rule: null, message: 'prod holds 70 for CVN_ATR_PERIOD, above the new maximum 50.' }]);

      // A maximum every environment fits under goes through.
      const ok = expectData(await update({ name: 'CVN_ATR_PERIOD', expectedRevision: revision, reason: 'cap the period', maxValue: 80 })).updateCatalogEntry;
      expect(ok).toMatchObject({ maxValue: 80, revision: revision + 1 });
    });

    it('refuses a type change that breaks a rule in an environment', async () => {
      // pte-take-profit-above-stop-loss compares two numbers; as a STRING, CVN_PTE_TP_MULT no longer compares with a double.
      const { revision } = expectData(await t.gql(`{ catalogEntry(name: "CVN_PTE_TP_MULT") { revision } }`)).catalogEntry;
      const response = await update({ name: 'CVN_PTE_TP_MULT', expectedRevision: revision, reason: 'text', type: 'STRING', minValue: null, maxValue: null });
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      const violations = violationsOf(response);
      expect(violations.filter((v) => v.rule === 'pte-take-profit-above-stop-loss').map((v) => v.environment)).toEqual(['dev', 'prod', 'staging']);
    });

    it('says "nothing to save" for an update that changes nothing', async () => {
      const response = await update({ name: 'CVN_TEST_LOOKBACK', expectedRevision: 2, reason: 'same', maxValue: 150 });
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect(response.errors![0]!.message).toMatch(/Nothing to save/);
    });

    it('answers NOT_FOUND for an unknown entry', async () => {
      expect(errorCode(await update({ name: 'CVN_NO_SUCH_THING', expectedRevision: 1, reason: 'x', maxValue: 3 }))).toBe('NOT_FOUND');
    });
  });

  describe('deprecateCatalogEntry', () => {
    it('refuses a replacement that is missing, the entry itself or deprecated, and writes nothing', async () => {
      const counts = await rowCounts();
      const cases: [string, string, string][] = [
        ['CVN_NOT_THERE', 'UNKNOWN_PARAMETER', 'The replacement CVN_NOT_THERE is not a known parameter.'],
        ['CVN_TEST_LOOKBACK', 'NOT_ALLOWED', 'CVN_TEST_LOOKBACK cannot be its own replacement.'],
        ['CVN_RSI_WINDOW', 'DEPRECATED_PARAMETER', 'The replacement CVN_RSI_WINDOW is deprecated itself: point to the parameter that is in use.'],
      ];
      for (const [replacementName, code, message] of cases) {
        const response = await deprecate({ name: 'CVN_TEST_LOOKBACK', replacementName, reason: 'superseded' });
        expect(errorCode(response)).toBe('VALIDATION_FAILED');
        expect(violationsOf(response)).toEqual([{ code, message, parameter: 'CVN_TEST_LOOKBACK', field: 'replacementName' }]);
      }
      expect(await rowCounts()).toEqual(counts);
    });

    it('deprecates with a replacement; saves of it are then refused with DEPRECATED', async () => {
      const entry = expectData(await deprecate({ name: 'CVN_TEST_LOOKBACK', replacementName: 'CVN_ATR_PERIOD', reason: 'Folded into the ATR period.', expectedRevision: 2 })).deprecateCatalogEntry;
      expect(entry).toMatchObject({ deprecated: true, deprecationReason: 'Folded into the ATR period.', replacement: { name: 'CVN_ATR_PERIOD' }, revision: 3 });
      expect(entry.history[0]).toMatchObject({ revision: 3, action: 'deprecated', reason: 'Folded into the ATR period.', snapshot: expect.objectContaining({ deprecated: true, replacementName: 'CVN_ATR_PERIOD' }) });
      expect((await auditOf('CVN_TEST_LOOKBACK')).at(-1)).toMatchObject({ action: 'catalog_entry_deprecated', actor: 'admin', details: { revision: 3, replacementName: 'CVN_ATR_PERIOD' } });

      const refused = await updateConfig('dev', [{ name: 'CVN_TEST_LOOKBACK', value: '13' }], 'editor');
      expect(errorCode(refused)).toBe('DEPRECATED');
      expect(refused.errors![0]!.message).toBe('CVN_TEST_LOOKBACK is deprecated; use CVN_ATR_PERIOD instead.');
      // The stored value stays (history and parameter sets reference it).
      const dev = expectData(await t.gql(`{ environment(name: "dev") { values(names: ["CVN_TEST_LOOKBACK"]) { value } } }`)).environment;
      expect(dev.values).toEqual([{ value: '12' }]);
    });

    it('refuses a second deprecation with CONFLICT and a stale revision with VERSION_CONFLICT', async () => {
      expect(errorCode(await deprecate({ name: 'CVN_TEST_LOOKBACK', reason: 'again' }))).toBe('CONFLICT');
      const response = await deprecate({ name: 'CVN_TEST_RATIO', reason: 'gone', expectedRevision: 7 });
      expect(errorCode(response)).toBe('VERSION_CONFLICT');
      expect(response.errors![0]!.extensions).toMatchObject({ currentRevision: 1 });
    });

    it('deprecates without a replacement', async () => {
      const entry = expectData(await deprecate({ name: 'CVN_TEST_FLAG', reason: 'Never used.' })).deprecateCatalogEntry;
      expect(entry).toMatchObject({ deprecated: true, replacement: null, revision: 2 });
      expect((await updateConfig('dev', [{ name: 'CVN_TEST_FLAG', value: 'true' }])).errors![0]!.message).toBe('CVN_TEST_FLAG is deprecated and can no longer be changed.');
    });
  });

  describe('checkCatalogEntry', () => {
    it('lists what an incomplete create form still lacks', async () => {
      const violations = expectData(await check({ mode: 'CREATE', name: 'CVN_DRAFT', validator: 'value >' })).checkCatalogEntry as Violation[];
      expect(violations.map((v) => v.code).sort()).toEqual(['INVALID_EXPRESSION', 'REQUIRED', 'REQUIRED', 'REQUIRED', 'REQUIRED']);
      expect(violations.map((v) => v.message)).toEqual(expect.arrayContaining(['Choose a type: ENUM, BOOL, INT, FLOAT or STRING.']));
    });

    it('flags a taken name, and is empty for a definition that would be saved', async () => {
      const taken = expectData(await check({ mode: 'CREATE', ...withoutReason(newInt('CVN_ATR_PERIOD')) })).checkCatalogEntry;
      expect(taken).toEqual([{ code: 'NOT_ALLOWED', message: 'CVN_ATR_PERIOD already exists: choose another name.', parameter: 'CVN_ATR_PERIOD', rule: null }]);
      expect(expectData(await check({ mode: 'CREATE', ...withoutReason(newInt('CVN_FREE_NAME')) })).checkCatalogEntry).toEqual([]);
      expect(expectData(await check({ mode: 'UPDATE', name: 'CVN_ATR_PERIOD', description: 'Reworded.' })).checkCatalogEntry).toEqual([]);
      expect(expectData(await check({ mode: 'UPDATE', name: 'CVN_NOPE' })).checkCatalogEntry).toEqual([
        { code: 'UNKNOWN_PARAMETER', message: 'CVN_NOPE is not a known parameter.', parameter: 'CVN_NOPE', rule: null },
      ]);
    });
  });

  describe('access', () => {
    const operations: [string, (as: TestUser) => Promise<GraphQLResponse>][] = [
      ['createCatalogEntry', (as) => create(newInt('CVN_BY_OTHERS'), as)],
      ['updateCatalogEntry', (as) => update({ name: 'CVN_ATR_PERIOD', expectedRevision: 1, reason: 'x', description: 'y' }, as)],
      ['deprecateCatalogEntry', (as) => deprecate({ name: 'CVN_ATR_PERIOD', reason: 'x' }, as)],
      ['checkCatalogEntry', (as) => check({ mode: 'CREATE', name: 'CVN_X' }, as)],
    ];

    it.each(operations)('%s is for admins: FORBIDDEN for an editor or approver, UNAUTHENTICATED without credentials', async (_name, call) => {
      const counts = await rowCounts();
      expect(errorCode(await call('editor'))).toBe('FORBIDDEN');
      expect(errorCode(await call('approver'))).toBe('FORBIDDEN');
      const anonymous = await call(null);
      expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
      expect(anonymous.status).toBe(401);
      expect(await rowCounts()).toEqual(counts);
    });
  });
});

function withoutReason(input: Record<string, unknown>): Record<string, unknown> {
  const { reason: _reason, ...rest } = input;
  return rest;
}
