import { describe, expect, it } from 'vitest';
import { catalogEntry as entry } from './catalog-entry-fixture.ts';
import type { CatalogEntryShape, ParameterType, RuleShape } from './catalog-entry-shape.ts';
import { createCelProgramCache, RULE_VARIABLES } from './cel-program-cache.ts';
import { createConfigValidator, type ValidateChangeInput } from './config-validator.ts';


function catalogOf(...entries: CatalogEntryShape[]): Map<string, CatalogEntryShape> {
  return new Map(entries.map((e) => [e.name, e]));
}

function rule(name: string, expression: string, message = `${name} is not satisfied.`, enabled = true): RuleShape {
  return { name, expression, message, enabled };
}

const catalog = catalogOf(
  entry({ name: 'CVN_ATR_PERIOD', type: 'INT', minValue: 5, maxValue: 50, validator: 'value % 2 == 1' }),
  entry({ name: 'CVN_TP_MULT', type: 'FLOAT', minValue: 0.5, maxValue: 10 }),
  entry({ name: 'CVN_SL_MULT', type: 'FLOAT', minValue: 0.5, maxValue: 10 }),
  entry({ name: 'CVN_MAX_LEVELS', type: 'INT', minValue: 1, maxValue: 20, validator: 'value <= params.CVN_TP_MULT' }),
  entry({ name: 'CVN_ENABLED', type: 'BOOL' }),
  entry({
    name: 'CVN_PTE_ENVELOPE',
    type: 'ENUM',
    allowedValues: ['ATR2.0_3.0_H5', 'ATR2.5_3.5_H5'],
    deprecatedValues: [{ value: 'ATR1.5_3.0_H5', reason: 'replaced by ATR2.0_3.0_H5' }],
  }),
  entry({ name: 'CVN_LABEL', type: 'STRING', required: true }),
  entry({ name: 'CVN_OLD', type: 'INT', deprecated: true, replacementName: 'CVN_NEW' }),
  entry({ name: 'CVN_NEW', type: 'INT' }),
);

const current: Record<string, string> = {
  CVN_ATR_PERIOD: '15',
  CVN_TP_MULT: '3.0',
  CVN_SL_MULT: '1.5',
  CVN_MAX_LEVELS: '3',
  CVN_ENABLED: 'true',
  CVN_PTE_ENVELOPE: 'ATR2.0_3.0_H5',
  CVN_LABEL: 'main',
  CVN_OLD: '4',
  CVN_NEW: '4',
};

const tpAboveSl = rule('TP_ABOVE_SL', 'params.CVN_TP_MULT > params.CVN_SL_MULT', 'The take-profit multiple must be above the stop-loss multiple.');

function input(changes: Record<string, string>, overrides: Partial<ValidateChangeInput> = {}): ValidateChangeInput {
  return { catalog, rules: [tpAboveSl], current, changes, ...overrides };
}

describe('validateChange', () => {
  const validator = createConfigValidator();

  it('accepts a valid change', () => {
    expect(validator.validateChange(input({ CVN_ATR_PERIOD: '21', CVN_TP_MULT: '4.5' }))).toEqual([]);
  });

  it('reports unknown and deprecated parameters', () => {
    expect(validator.validateChange(input({ CVN_NOPE: '1', CVN_OLD: '5' }))).toEqual([
      { code: 'UNKNOWN_PARAMETER', message: 'CVN_NOPE is not a known parameter.', parameter: 'CVN_NOPE' },
      { code: 'DEPRECATED_PARAMETER', message: 'CVN_OLD is deprecated; use CVN_NEW instead.', parameter: 'CVN_OLD' },
    ]);
  });

  it('reports value errors with their codes', () => {
    const violations = validator.validateChange(
      input({ CVN_ATR_PERIOD: '70', CVN_ENABLED: 'yes', CVN_PTE_ENVELOPE: 'ATR1.5_3.0_H5', CVN_LABEL: '' }),
    );
    expect(violations.map((v) => [v.parameter, v.code])).toEqual([
      ['CVN_ATR_PERIOD', 'OUT_OF_RANGE'],
      ['CVN_ENABLED', 'INVALID_TYPE'],
      ['CVN_PTE_ENVELOPE', 'DEPRECATED_VALUE'],
      ['CVN_LABEL', 'REQUIRED'],
    ]);
    expect(violations[0]?.message).toBe('CVN_ATR_PERIOD must be an integer between 5 and 50; got 70.');
    expect(violations[2]?.message).toBe('ATR1.5_3.0_H5 is no longer accepted for CVN_PTE_ENVELOPE: replaced by ATR2.0_3.0_H5.');
  });

  it('runs the validator of a changed INT (value % 2 == 1)', () => {
    expect(validator.validateChange(input({ CVN_ATR_PERIOD: '21' }))).toEqual([]);
    expect(validator.validateChange(input({ CVN_ATR_PERIOD: '20' }))).toEqual([
      {
        code: 'VALIDATOR_FAILED',
        message: 'CVN_ATR_PERIOD value 20 does not satisfy its validator `value % 2 == 1`.',
        parameter: 'CVN_ATR_PERIOD',
      },
    ]);
  });

  it('evaluates validators against the merged snapshot, comparing INT with FLOAT', () => {
    // CVN_MAX_LEVELS (INT) must be <= CVN_TP_MULT (FLOAT): 4 <= 3.0 fails on the current snapshot...
    expect(validator.validateChange(input({ CVN_MAX_LEVELS: '4' })).map((v) => v.code)).toEqual(['VALIDATOR_FAILED']);
    // ...and passes when the same save raises the FLOAT.
    expect(validator.validateChange(input({ CVN_MAX_LEVELS: '4', CVN_TP_MULT: '4.0' }))).toEqual([]);
    // Boundary: int 3 equals double 3.0.
    expect(validator.validateChange(input({ CVN_MAX_LEVELS: '3' }))).toEqual([]);
  });

  it('does not run validators of unchanged parameters', () => {
    // CVN_ATR_PERIOD=16 in the active snapshot breaks its validator, but it is not being changed.
    expect(validator.validateChange(input({ CVN_ENABLED: 'false' }, { current: { ...current, CVN_ATR_PERIOD: '16' } }))).toEqual([]);
  });

  it('reports a failing rule with its message (TP multiple above SL multiple)', () => {
    expect(validator.validateChange(input({ CVN_TP_MULT: '1.0' }))).toEqual([
      { code: 'RULE_FAILED', message: 'The take-profit multiple must be above the stop-loss multiple.', rule: 'TP_ABOVE_SL' },
    ]);
    expect(validator.validateChange(input({ CVN_TP_MULT: '1.5' })).map((v) => v.code)).toEqual(['RULE_FAILED']);
    expect(validator.validateChange(input({ CVN_TP_MULT: '1.6' }))).toEqual([]);
  });

  it('skips disabled rules', () => {
    const disabled = { ...tpAboveSl, enabled: false };
    expect(validator.validateChange(input({ CVN_TP_MULT: '1.0' }, { rules: [disabled] }))).toEqual([]);
  });

  it('reports invalid CEL in rules and validators as INVALID_EXPRESSION', () => {
    const badCatalog = new Map(catalog);
    badCatalog.set('CVN_NEW', entry({ name: 'CVN_NEW', type: 'INT', validator: 'value >' }));
    const violations = validator.validateChange(
      input({ CVN_NEW: '5' }, { catalog: badCatalog, rules: [rule('BROKEN', 'params.CVN_TP_MULT >'), rule('USES_VALUE', 'value > 1')] }),
    );
    expect(violations.map((v) => [v.code, v.parameter ?? v.rule])).toEqual([
      ['INVALID_EXPRESSION', 'CVN_NEW'],
      ['INVALID_EXPRESSION', 'BROKEN'],
      ['INVALID_EXPRESSION', 'USES_VALUE'],
    ]);
    expect(violations[0]?.message).toMatch(/^The validator of CVN_NEW is not valid CEL: at line 1, column \d+: /);
    expect(violations[2]?.message).toBe('Rule USES_VALUE is not valid CEL: unknown variable value (available here: params).');
  });

  it('reports a missing key in params as RULE_FAILED with a message', () => {
    const violations = validator.validateChange(input({ CVN_ENABLED: 'false' }, { rules: [rule('NEEDS_X', 'params.CVN_X > 1')] }));
    expect(violations).toEqual([
      { code: 'RULE_FAILED', message: 'Rule NEEDS_X could not be evaluated: there is no parameter or field named CVN_X.', rule: 'NEEDS_X' },
    ]);
    // A catalog parameter that simply has no stored value.
    const withoutNew: Record<string, string> = { ...current };
    delete withoutNew.CVN_NEW;
    expect(
      validator.validateChange(input({ CVN_ENABLED: 'false' }, { current: withoutNew, rules: [rule('NEEDS_NEW', 'params.CVN_NEW > 1')] })),
    ).toEqual([
      { code: 'RULE_FAILED', message: 'Rule NEEDS_NEW could not be evaluated: CVN_NEW has no value in the configuration.', rule: 'NEEDS_NEW' },
    ]);
  });

  it('explains a rule that mixes int and double arithmetic', () => {
    const [violation] = validator.validateChange(input({}, { rules: [rule('MIX', 'params.CVN_TP_MULT + params.CVN_MAX_LEVELS > 1.0')] }));
    expect(violation?.code).toBe('RULE_FAILED');
    expect(violation?.message).toContain('CEL does not mix int and double in arithmetic');
  });

  it('reports a rule that does not return a boolean', () => {
    expect(validator.validateChange(input({}, { rules: [rule('NUM', 'params.CVN_MAX_LEVELS')] }))).toEqual([
      { code: 'RULE_FAILED', message: 'Rule NUM must evaluate to true or false, but it returned 3 (int).', rule: 'NUM' },
    ]);
  });

  it('survives an unparseable unchanged value: skipped from params, rules naming it fail clearly', () => {
    const legacy = { ...current, CVN_SL_MULT: 'tight' };
    const rules = [tpAboveSl, rule('ENABLED_IS_BOOL', 'params.CVN_ENABLED == true || params.CVN_ENABLED == false')];
    expect(validator.validateChange(input({ CVN_ENABLED: 'false' }, { current: legacy, rules }))).toEqual([
      {
        code: 'RULE_FAILED',
        message: 'Rule TP_ABOVE_SL could not be evaluated: the stored value of CVN_SL_MULT, tight, is not a number, so params has no value for it.',
        rule: 'TP_ABOVE_SL',
      },
    ]);
    // Fixing the value in the same save clears it.
    expect(validator.validateChange(input({ CVN_SL_MULT: '1.0' }, { current: legacy, rules }))).toEqual([]);
  });

  it('lets rules see stored values outside a since-tightened range', () => {
    // 60 is above CVN_ATR_PERIOD's max of 50 but is the value in force.
    const drifted = { ...current, CVN_ATR_PERIOD: '60' };
    const rules = [rule('PERIOD_SEEN', 'params.CVN_ATR_PERIOD == 60')];
    expect(validator.validateChange(input({ CVN_ENABLED: 'false' }, { current: drifted, rules }))).toEqual([]);
  });

  it('does not repeat a field error as a rule error', () => {
    // CVN_TP_MULT is not a number, so TP_ABOVE_SL cannot read it; the field violation says it all.
    expect(validator.validateChange(input({ CVN_TP_MULT: 'high' }))).toEqual([
      {
        code: 'INVALID_TYPE',
        message: 'CVN_TP_MULT must be a number between 0.5 and 10; got high.',
        parameter: 'CVN_TP_MULT',
      },
    ]);
  });

  it('returns every violation at once', () => {
    const violations = validator.validateChange(
      input(
        { CVN_NOPE: 'x', CVN_ATR_PERIOD: '20', CVN_TP_MULT: '1.0', CVN_ENABLED: '1' },
        { rules: [tpAboveSl, rule('LABEL_SET', 'params.CVN_LABEL != ""'), rule('ALWAYS_FALSE', 'false', 'Never.')] },
      ),
    );
    expect(violations.map((v) => [v.code, v.parameter ?? v.rule])).toEqual([
      ['UNKNOWN_PARAMETER', 'CVN_NOPE'],
      ['VALIDATOR_FAILED', 'CVN_ATR_PERIOD'],
      ['INVALID_TYPE', 'CVN_ENABLED'],
      ['RULE_FAILED', 'TP_ABOVE_SL'],
      ['RULE_FAILED', 'ALWAYS_FALSE'],
    ]);
  });
});

describe('typedValues', () => {
  it('types values per the catalog and leaves out unknown and unusable ones', () => {
    const validator = createConfigValidator();
    const typed = validator.typedValues(catalog, { ...current, CVN_SL_MULT: 'oops', CVN_NOPE: '1' });
    expect(typed.get('CVN_ATR_PERIOD')).toBe(15);
    expect(typed.get('CVN_TP_MULT')).toBe(3);
    expect(typed.get('CVN_ENABLED')).toBe(true);
    expect(typed.get('CVN_PTE_ENVELOPE')).toBe('ATR2.0_3.0_H5');
    expect(typed.has('CVN_SL_MULT')).toBe(false);
    expect(typed.has('CVN_NOPE')).toBe(false);
  });
});

describe('checkRule and checkExpression', () => {
  const validator = createConfigValidator();

  it('checks one rule, even a disabled one', () => {
    const disabled = { ...tpAboveSl, enabled: false };
    expect(validator.checkRule(disabled, catalog, current)).toBeNull();
    expect(validator.checkRule(disabled, catalog, { ...current, CVN_TP_MULT: '1.0' })?.code).toBe('RULE_FAILED');
  });

  it('checks expression sources', () => {
    expect(validator.checkExpression('value % 2 == 1')).toBeNull();
    expect(validator.checkExpression('params.CVN_A <= params.CVN_B', RULE_VARIABLES)).toBeNull();
    expect(validator.checkExpression('value %')?.code).toBe('INVALID_EXPRESSION');
    expect(validator.checkExpression('value > 1', RULE_VARIABLES)?.code).toBe('INVALID_EXPRESSION');
  });

  it('can share a program cache', () => {
    const programs = createCelProgramCache();
    const a = createConfigValidator({ programs });
    const b = createConfigValidator({ programs });
    a.checkExpression('value > 100');
    b.checkExpression('value > 100');
    expect(programs.size).toBe(1);
  });
});

describe('performance', () => {
  it('validates a save against a 600-entry catalog with 10 rules well under 5 ms', () => {
    const types: ParameterType[] = ['INT', 'FLOAT', 'BOOL', 'ENUM', 'STRING'];
    const entries: CatalogEntryShape[] = [];
    const values: Record<string, string> = {};
    for (let i = 0; i < 600; i++) {
      const type = types[i % types.length] as ParameterType;
      const name = `CVN_P${String(i).padStart(3, '0')}`;
      const isNumber = type === 'INT' || type === 'FLOAT';
      entries.push(
        entry({
          name,
          type,
          allowedValues: type === 'ENUM' ? ['A', 'B', 'C'] : [],
          minValue: isNumber ? 0 : null,
          maxValue: isNumber ? 1000 : null,
          // Every numeric parameter has a validator, as in the real catalog.
          validator: type === 'INT' ? 'value >= 0 && value <= 1000' : type === 'FLOAT' ? 'value >= 0.0' : null,
        }),
      );
      values[name] =
        type === 'INT' ? String(i) : type === 'FLOAT' ? `${i}.5` : type === 'BOOL' ? 'true' : type === 'ENUM' ? 'B' : `label ${i}`;
    }
    const bigCatalog = catalogOf(...entries);
    const rules: RuleShape[] = Array.from({ length: 10 }, (_, r) =>
      rule(
        `R${r}`,
        // P000, P005, ... are INT; P001, P006, ... FLOAT: compare across types, plus a map lookup.
        `params.CVN_P${String(r * 5).padStart(3, '0')} <= params.CVN_P${String(r * 5 + 1).padStart(3, '0')} && params.CVN_P${String(r * 5 + 2).padStart(3, '0')}`,
      ),
    );
    const changes = { CVN_P010: '11', CVN_P011: '12.25', CVN_P013: 'C' };
    const validator = createConfigValidator();
    const run = () => validator.validateChange({ catalog: bigCatalog, rules, current: values, changes });

    const coldStart = performance.now();
    expect(run()).toEqual([]);
    console.log(`first validateChange (compiles the CEL programs, cold JIT): ${(performance.now() - coldStart).toFixed(3)} ms`);
    for (let i = 0; i < 50; i++) run(); // warm up the JIT and the program cache

    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      run();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)] ?? NaN;
    const p95 = samples[Math.floor(samples.length * 0.95)] ?? NaN;
    console.log(
      `validateChange, 600 entries / 10 rules / 3 changes with validators: median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms`,
    );

    const typedSamples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      validator.typedValues(bigCatalog, values);
      typedSamples.push(performance.now() - start);
    }
    typedSamples.sort((a, b) => a - b);
    console.log(`typing 600 stored values alone: median ${(typedSamples[100] ?? NaN).toFixed(3)} ms`);
  });
});

describe('validateChange on top of a version it validated (the remembered typed snapshot)', () => {
  // A chain of saves, each on the values the one before built: every answer
  // must be what a validator that remembers nothing gives.
  const steps: Record<string, string>[] = [
    { CVN_TP_MULT: '4.0' },
    { CVN_SL_MULT: '5.0' }, // breaks the rule: the remembered TP must be the new 4.0
    { CVN_SL_MULT: '1.0', CVN_MAX_LEVELS: '4' },
    { CVN_TP_MULT: 'abc' }, // a value that does not type: typed afresh
    { CVN_NEW: '7', CVN_UNKNOWN: '1' },
  ];

  it('gives the answers of a validator that remembers nothing, step after step', () => {
    const remembering = createConfigValidator();
    let values: Record<string, string> = current;
    for (const changes of steps) {
      const next = { ...values, ...changes };
      const fresh = createConfigValidator().validateChange({ catalog, rules: [tpAboveSl], current: values, changes });
      expect(remembering.validateChange({ catalog, rules: [tpAboveSl], current: values, changes, next })).toEqual(fresh);
      values = next;
    }
  });

  it('types afresh under a different catalog', () => {
    const validator = createConfigValidator();
    const next = { ...current, CVN_TP_MULT: '4.0' };
    expect(validator.validateChange({ catalog, rules: [tpAboveSl], current, changes: { CVN_TP_MULT: '4.0' }, next })).toEqual([]);
    // CVN_SL_MULT is now a STRING: the rule compares a double with a string.
    const retyped = catalogOf(...[...catalog.values()].map((e) => (e.name === 'CVN_SL_MULT' ? { ...e, type: 'STRING' as ParameterType, minValue: null, maxValue: null } : e)));
    const changes = { CVN_ENABLED: 'false' };
    expect(validator.validateChange({ catalog: retyped, rules: [tpAboveSl], current: next, changes, next: { ...next, ...changes } }))
      .toEqual(createConfigValidator().validateChange({ catalog: retyped, rules: [tpAboveSl], current: next, changes }));
    expect(validator.validateChange({ catalog: retyped, rules: [tpAboveSl], current: next, changes }).map((v) => v.code)).toEqual(['RULE_FAILED']);
  });
});
