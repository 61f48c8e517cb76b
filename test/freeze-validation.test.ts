import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PTE_DEPRECATED_ENVELOPE } from '../prisma/seed/base-pipeline-catalog.ts';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp } from './support/start-test-app.ts';

// Issue 10: freezing is the platform's job, validated like a save. Incident
// #673 was a run under the deprecated envelope ATR1.5_3.0_H5: whichever field
// carries it, a freeze (or a run) is refused with DEPRECATED.

const CREATE_SET = `mutation ($input: CreateParameterSetInput!) {
  createParameterSet(input: $input) { created version { version } parameterSet { hash factors codeVersion experimentalFactors { name variant baseValue } code { commit packages { name version } } } }
}`;
const CREATE_RUN = `mutation ($input: CreateRunInput!) { createRun(input: $input) { id environment { name } configVersion { version } } }`;

const code = { commit: '0123456789abcdef0123456789abcdef01234567', packages: [{ name: 'xgboost', version: '2.0.3' }] };
const factor = (name: string, variant: string) => ({ name, variant });
const violations = (r: GraphQLResponse) => (r.errors?.[0]?.extensions?.violations ?? []) as { code: string; parameter?: string; field?: string; rule?: string; environment?: string }[];

describe('freezing is validated like a save', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(() => t.close());

  const freeze = (input: Record<string, unknown>) => t.gql(CREATE_SET, { input }, 'editor');

  describe('incident #673: the deprecated envelope, through any field', () => {
    it('refuses it as a factor variant (typed and JSON) with DEPRECATED', async () => {
      for (const input of [
        { environment: 'dev', experimentalFactors: [factor('CVN_PTE_ENVELOPE', PTE_DEPRECATED_ENVELOPE)], code },
        { environment: 'dev', factors: { CVN_PTE_ENVELOPE: PTE_DEPRECATED_ENVELOPE }, code },
      ]) {
        const refused = await freeze(input);
        expect(errorCode(refused)).toBe('DEPRECATED');
        expect(refused.errors![0]!.message).toMatch(/#673/);
        expect(violations(refused)).toContainEqual(expect.objectContaining({ code: 'DEPRECATED_VALUE', parameter: 'CVN_PTE_ENVELOPE', field: 'factors' }));
      }
    });

    it('refuses an old version that holds it, frozen after the value was deprecated', async () => {
      // A version saved before the deprecation (imported history): raw SQL,
      // as the save path would refuse it today. Then the value is replaced.
      const { rows } = await t.sql.query<{ version: number }>(`
        INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id)
        SELECT e.id, e.active_version + 1, 'EDIT', v.values || jsonb_build_object('CVN_PTE_ENVELOPE', $1::text), 'imported from the legacy tool', u.id
        FROM environments e JOIN config_versions v ON v.environment_id = e.id AND v.version = e.active_version, users u
        WHERE e.name = 'staging' AND u.username = 'admin' RETURNING version`, [PTE_DEPRECATED_ENVELOPE]);
      const old = rows[0]!.version;
      await t.sql.query(`
        INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id)
        SELECT e.id, e.active_version + 1, 'RESTORE', v.values, 'back to the current envelope', u.id
        FROM environments e JOIN config_versions v ON v.environment_id = e.id AND v.version = e.active_version - 1, users u
        WHERE e.name = 'staging' AND u.username = 'admin'`);

      const refused = await freeze({ environment: 'staging', version: old, code });
      expect(errorCode(refused)).toBe('DEPRECATED');
      expect(violations(refused)).toContainEqual(expect.objectContaining({ code: 'DEPRECATED_VALUE', parameter: 'CVN_PTE_ENVELOPE', field: 'version', environment: 'staging' }));
      // The active version (the value replaced) freezes.
      expect(expectData(await freeze({ environment: 'staging', code })).createParameterSet.version.version).toBe(old + 1);
      // A factor that overrides the deprecated base value does not launder the version either.
      expect(errorCode(await freeze({ environment: 'staging', version: old, experimentalFactors: [factor('CVN_PTE_ENVELOPE', 'ATR0.5_1.5_H4')], code }))).toBe('DEPRECATED');
    });

    it('refuses it in run metadata (a second, silent source of the parameter)', async () => {
      const set = expectData(await freeze({ environment: 'dev', code })).createParameterSet.parameterSet.hash;
      const refused = await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'smuggled', parameterSetHash: set, metadata: { cryptos: ['BTC'], CVN_PTE_ENVELOPE: PTE_DEPRECATED_ENVELOPE } } });
      expect(errorCode(refused)).toBe('DEPRECATED');
      expect(violations(refused).map((v) => v.code).sort()).toEqual(['DEPRECATED_VALUE', 'NOT_ALLOWED']);
      // Any parameter in the metadata is refused, deprecated or not.
      const plain = await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'override', parameterSetHash: set, metadata: { CVN_ATR_PERIOD: '21' } } });
      expect(errorCode(plain)).toBe('VALIDATION_FAILED');
    });

    it('cannot carry it in the code version (typed: commit and packages only)', async () => {
      const extraKey = await freeze({ environment: 'dev', codeVersion: { commit: code.commit, CVN_PTE_ENVELOPE: PTE_DEPRECATED_ENVELOPE } });
      expect(errorCode(extraKey)).toBe('BAD_REQUEST');
      expect(extraKey.errors![0]!.message).toMatch(/CVN_PTE_ENVELOPE is not part of a code version/);
      const asPackage = await freeze({ environment: 'dev', code: { commit: code.commit, packages: [{ name: 'CVN_PTE_ENVELOPE', version: PTE_DEPRECATED_ENVELOPE }] } });
      expect(errorCode(asPackage)).toBe('BAD_REQUEST');
    });

    it('refuses a set whose value was deprecated after it was frozen: no new run, no re-run, no re-freeze', async () => {
      // ATR0.5_2.0_H6 is legal today; a sweep freezes it with its matching multiples.
      const sweep = [factor('CVN_PTE_ENVELOPE', 'ATR0.5_2.0_H6'), factor('CVN_PTE_TP_MULT', '2.0'), factor('CVN_PTE_HORIZON_BARS', '6')];
      const set = expectData(await freeze({ environment: 'dev', experimentalFactors: sweep, code })).createParameterSet.parameterSet.hash;
      const run = expectData(await t.gql(CREATE_RUN, { input: { kind: 'EXPERIMENT', name: 'envelope sweep', parameterSetHash: set } })).createRun;

      const entry = expectData(await t.gql(`{ catalogEntry(name: "CVN_PTE_ENVELOPE") { revision allowedValues deprecatedValues { value reason } } }`)).catalogEntry;
      expectData(await t.gql(`mutation ($input: UpdateCatalogEntryInput!) { updateCatalogEntry(input: $input) { revision } }`, {
        input: {
          name: 'CVN_PTE_ENVELOPE', expectedRevision: entry.revision, reason: 'ATR0.5_2.0_H6 overfits (post-mortem)',
          allowedValues: entry.allowedValues.filter((v: string) => v !== 'ATR0.5_2.0_H6'),
          deprecatedValues: [...entry.deprecatedValues, { value: 'ATR0.5_2.0_H6', reason: 'Overfits: see the post-mortem.' }],
        },
      }, 'admin'));

      const again = await t.gql(CREATE_RUN, { input: { kind: 'BACKTEST', name: 'reproduce', parameterSetHash: set } });
      expect(errorCode(again)).toBe('DEPRECATED');
      expect(violations(again)).toContainEqual(expect.objectContaining({ code: 'DEPRECATED_VALUE', parameter: 'CVN_PTE_ENVELOPE', field: 'factors' }));
      expect(errorCode(await t.gql(`mutation ($input: RerunRunInput!) { rerunRun(input: $input) { id } }`, { input: { run: run.id } }, 'editor'))).toBe('DEPRECATED');
      expect(errorCode(await freeze({ environment: 'dev', experimentalFactors: sweep, code }))).toBe('DEPRECATED');
    });
  });

  describe('factors', () => {
    it('resolves each factor to a catalog parameter and types it back', async () => {
      const frozen = expectData(await freeze({ environment: 'dev', experimentalFactors: [factor('CVN_RSI_PERIOD', '21'), factor('CVN_MODEL_RANDOM_SEED', '9')], code })).createParameterSet;
      expect(frozen.parameterSet.experimentalFactors).toEqual([
        { name: 'CVN_MODEL_RANDOM_SEED', variant: '9', baseValue: '42' },
        { name: 'CVN_RSI_PERIOD', variant: '21', baseValue: '14' },
      ]);
      expect(frozen.parameterSet.code).toEqual({ commit: code.commit, packages: [{ name: 'xgboost', version: '2.0.3' }] });
      expect(frozen.parameterSet.codeVersion).toEqual({ commit: code.commit, packages: { xgboost: '2.0.3' } });
    });

    it.each([
      ['an unknown parameter', factor('CVN_NO_SUCH_THING', '1'), 'VALIDATION_FAILED', 'UNKNOWN_PARAMETER'],
      ['a parameter excluded from experiments', factor('CVN_ENRICHMENT_PAUSE', 'true'), 'VALIDATION_FAILED', 'NOT_ALLOWED'],
      ['a deprecated parameter', factor('CVN_ATR_MULT', '1.5'), 'DEPRECATED', 'DEPRECATED_PARAMETER'],
      ['a value of the wrong type', factor('CVN_RSI_PERIOD', 'fourteen'), 'VALIDATION_FAILED', 'INVALID_TYPE'],
      ['a value out of bounds', factor('CVN_RSI_PERIOD', '1000'), 'VALIDATION_FAILED', 'OUT_OF_RANGE'],
      ['a value not allowed', factor('CVN_PTE_ENVELOPE', 'ATR9_9_H9'), 'VALIDATION_FAILED', 'NOT_ALLOWED'],
      ['a value its validator refuses', factor('CVN_EMA_SLOW_PERIOD', '10'), 'VALIDATION_FAILED', 'VALIDATOR_FAILED'],
      ['a variant that breaks a rule', factor('CVN_PTE_ENVELOPE', 'ATR0.75_1.5_H4'), 'VALIDATION_FAILED', 'RULE_FAILED'],
    ])('refuses %s with the save\'s code', async (_what, f, code_, violation) => {
      const refused = await freeze({ environment: 'dev', experimentalFactors: [f], code });
      expect(errorCode(refused)).toBe(code_);
      expect(violations(refused).map((v) => v.code)).toContain(violation);
    });

    it('checks the factors together, as one save on top of the version', async () => {
      // The envelope alone breaks the envelope rule; with its multiples it is legal.
      const frozen = await freeze({
        environment: 'dev', code,
        experimentalFactors: [factor('CVN_PTE_ENVELOPE', 'ATR1.0_2.0_H8'), factor('CVN_PTE_SL_MULT', '1.0'), factor('CVN_PTE_TP_MULT', '2.0'), factor('CVN_PTE_HORIZON_BARS', '8')],
      });
      expect(expectData(frozen).createParameterSet.created).toBe(true);
    });

    it.each([
      ['a factor named twice', { experimentalFactors: [factor('CVN_RSI_PERIOD', '21'), factor('CVN_RSI_PERIOD', '22')], code }],
      ['a non-string JSON variant', { factors: { CVN_RSI_PERIOD: 21 }, code }],
      ['a list of variants in JSON', { factors: { CVN_RSI_PERIOD: ['21', '22'] }, code }],
      ['both factor fields', { experimentalFactors: [], factors: {}, code }],
      ['both code fields', { code, codeVersion: { commit: code.commit } }],
      ['an abbreviated commit', { code: { commit: 'abc1234' } }],
      ['a free-form code version', { codeVersion: { git: 'abc123', image: 'registry/x' } }],
      ['a package named twice', { code: { commit: code.commit, packages: [{ name: 'xgboost', version: '2.0.3' }, { name: 'xgboost', version: '2.1.0' }] } }],
      ['a package version that is not a release', { code: { commit: code.commit, packages: [{ name: 'xgboost', version: 'latest' }] } }],
    ])('refuses %s (BAD_REQUEST)', async (_what, input) => {
      expect(errorCode(await freeze({ environment: 'dev', ...input }))).toBe('BAD_REQUEST');
    });
  });
});
