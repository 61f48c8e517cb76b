// Guards the first-start catalog: a seed that violates its own bounds, rules or
// validators would make every fresh environment start in an invalid state.
import { describe, it, expect } from 'vitest';
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { consumerLabelProblem, isHotReloadableCategory } from '../../contract/catalog.ts';
import type { CatalogEntrySeed } from './catalog-entry-seed.ts';
import { basePipelineCatalog, CONSUMED_IN_REPOSITORY, PTE_DEPRECATED_ENVELOPE, TRADING_PIPELINE_CONSUMER } from './base-pipeline-catalog.ts';
import { TRAINING_HARNESS_CONSUMER, trainingHyperparameterCatalog } from './training-hyperparameter-catalog.ts';
import { seedRules } from './rule-seed.ts';

type Typed = bigint | number | boolean | string;

const base = basePipelineCatalog();
const training = trainingHyperparameterCatalog();
const catalog = [...base, ...training];
const byName = new Map(catalog.map((entry) => [entry.name, entry]));

const INT_PATTERN = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL_PATTERN = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** The typing rules share with the server: INT -> CEL int (bigint), FLOAT -> double, BOOL -> bool, else string. */
function typed(entry: CatalogEntrySeed, value: string): Typed {
  switch (entry.type) {
    case 'INT':
      // BigInt('1.5') would throw a bare SyntaxError; name the culprit instead.
      if (!INT_PATTERN.test(value)) throw new Error(`${entry.name}: '${value}' is not an INT`);
      return BigInt(value);
    case 'FLOAT':
      return Number(value);
    case 'BOOL':
      return value === 'true';
    default:
      return value;
  }
}

function defaultParams(): Map<string, Typed> {
  return new Map(catalog.map((entry) => [entry.name, typed(entry, entry.defaultValue)]));
}

/** Parses (throws on a syntax error), plans and evaluates; returns the value or the CEL error message. */
function evaluate(expression: string, bindings: { params: Map<string, Typed>; value?: Typed }): unknown {
  const program = plan(celEnv(), parse(expression));
  const result = program(bindings);
  return isCelError(result) ? `CEL error: ${result.message}` : result;
}

function referencedParams(expression: string): string[] {
  return [...expression.matchAll(/params\.([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
}

/** Problems with an entry's own shape and default, empty when valid. */
function defaultProblems(entry: CatalogEntrySeed): string[] {
  const problems: string[] = [];
  const numeric = entry.type === 'INT' || entry.type === 'FLOAT';
  if (entry.allowedValues !== undefined && entry.type !== 'ENUM') problems.push('allowedValues on a non-ENUM');
  if (!numeric && (entry.minValue !== undefined || entry.maxValue !== undefined)) problems.push('bounds on a non-numeric type');
  if (entry.minValue !== undefined && entry.maxValue !== undefined && entry.minValue > entry.maxValue) problems.push('minValue > maxValue');
  const value = entry.defaultValue;
  switch (entry.type) {
    case 'ENUM':
      if (!entry.allowedValues?.length) problems.push('ENUM without allowedValues');
      else if (!entry.allowedValues.includes(value)) problems.push(`default ${value} not allowed`);
      if (new Set(entry.allowedValues).size !== entry.allowedValues?.length) problems.push('duplicate allowedValues');
      break;
    case 'BOOL':
      if (value !== 'true' && value !== 'false') problems.push(`BOOL default ${value}`);
      break;
    case 'INT':
    case 'FLOAT': {
      const pattern = entry.type === 'INT' ? INT_PATTERN : DECIMAL_PATTERN;
      if (!pattern.test(value)) problems.push(`${entry.type} default ${value} is not in ADR-59 string form`);
      const n = Number(value);
      if (entry.minValue !== undefined && n < entry.minValue) problems.push(`default ${value} < min ${entry.minValue}`);
      if (entry.maxValue !== undefined && n > entry.maxValue) problems.push(`default ${value} > max ${entry.maxValue}`);
      if (entry.type === 'INT' && [entry.minValue, entry.maxValue].some((b) => b !== undefined && !Number.isInteger(b))) problems.push('non-integer INT bound');
      break;
    }
    case 'STRING':
      if (value.length === 0 && entry.required !== false) problems.push('empty default of a required STRING');
      break;
  }
  for (const deprecated of entry.deprecatedValues ?? []) {
    if (entry.allowedValues?.includes(deprecated.value)) problems.push(`deprecated value ${deprecated.value} still allowed`);
    if (deprecated.value === value) problems.push('default is a deprecated value');
    if (!deprecated.reason) problems.push(`deprecated value ${deprecated.value} without reason`);
  }
  return problems;
}

describe('seed catalog', () => {
  it('has unique, well-formed names and at least 550 entries', () => {
    expect(byName.size).toBe(catalog.length);
    expect(catalog.length).toBeGreaterThanOrEqual(550);
    expect(base.length).toBeGreaterThanOrEqual(100);
    expect(base.length).toBeLessThanOrEqual(120);
    for (const entry of catalog) {
      expect(entry.name).toMatch(/^CVN_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(entry.description.trim(), entry.name).not.toBe('');
      expect(entry.groupName.trim(), entry.name).not.toBe('');
    }
  });

  it('has a default valid for each entry own type, bounds and allowed values', () => {
    const invalid = catalog.map((entry) => ({ name: entry.name, problems: defaultProblems(entry) })).filter((r) => r.problems.length > 0);
    expect(invalid).toEqual([]);
  });

  it('points every deprecated entry at an existing, current replacement', () => {
    const deprecated = catalog.filter((entry) => entry.deprecated);
    expect(deprecated.length).toBeGreaterThanOrEqual(2);
    for (const entry of catalog.filter((e) => e.replacementName !== undefined)) {
      const replacement = byName.get(entry.replacementName!);
      expect(replacement, `${entry.name} -> ${entry.replacementName}`).toBeDefined();
      expect(replacement!.name).not.toBe(entry.name);
      expect(replacement!.deprecated ?? false, `${entry.name} -> deprecated ${entry.replacementName}`).toBe(false);
    }
    for (const entry of deprecated) {
      expect(entry.replacementName, entry.name).toBeDefined();
      expect(entry.deprecationReason, entry.name).toBeTruthy();
      // A deprecated parameter must not block a save because nobody sets it any more.
      expect(entry.required, entry.name).toBe(false);
    }
  });

  it('refuses the #673 PTE envelope while keeping it documented', () => {
    const envelope = byName.get('CVN_PTE_ENVELOPE')!;
    expect(envelope.defaultValue).toBe('ATR0.5_1.5_H4');
    expect(envelope.allowedValues).not.toContain(PTE_DEPRECATED_ENVELOPE);
    const deprecated = envelope.deprecatedValues?.find((d) => d.value === PTE_DEPRECATED_ENVELOPE);
    expect(deprecated?.reason).toMatch(/#673/);
  });

  it('hot-reloads only categories that have a safe boundary', () => {
    const misplaced = catalog.filter((entry) => entry.hotReloadable && !isHotReloadableCategory(entry.category)).map((entry) => entry.name);
    expect(misplaced).toEqual([]);
  });

  it('keeps critical parameters to a handful, including the kill switch and the enrichment engine switch', () => {
    const critical = catalog.filter((entry) => entry.critical).map((entry) => entry.name);
    expect(critical).toEqual(expect.arrayContaining(['CVN_ENRICHMENT_PAUSE', 'CVN_ENRICHMENT_STATEFUL_ENABLED', 'CVN_MODEL_TYPE', 'CVN_RISK_MAX_POSITION_USDC']));
    expect(critical.length).toBeLessThanOrEqual(15);
  });
});

describe('training hyper-parameters (S17)', () => {
  const tunable = training.filter((entry) => !/_RANGE_(MIN|MAX|SCALE)$/.test(entry.name) && !entry.name.endsWith('_EARLY_STOPPING_ROUNDS'));
  const rangeKeys = training.filter((entry) => /_RANGE_(MIN|MAX|SCALE)$/.test(entry.name));
  const earlyStopping = training.filter((entry) => entry.name.endsWith('_EARLY_STOPPING_ROUNDS'));

  it('has exactly 455 keys: 110 tunable defaults, 330 range keys, 15 early-stopping defaults', () => {
    expect(training).toHaveLength(455);
    expect(tunable).toHaveLength(110);
    expect(rangeKeys).toHaveLength(330);
    expect(earlyStopping).toHaveLength(15);
  });

  it('gives every tunable default exactly one RANGE_MIN / RANGE_MAX / RANGE_SCALE triple', () => {
    const expected = tunable.flatMap((entry) => ['MIN', 'MAX', 'SCALE'].map((suffix) => `${entry.name}_RANGE_${suffix}`)).sort();
    expect(rangeKeys.map((entry) => entry.name).sort()).toEqual(expected);
  });

  it('keeps every default inside its search range, and the range inside the bounds', () => {
    const problems: string[] = [];
    for (const entry of tunable) {
      const min = byName.get(`${entry.name}_RANGE_MIN`)!;
      const max = byName.get(`${entry.name}_RANGE_MAX`)!;
      const scale = byName.get(`${entry.name}_RANGE_SCALE`)!;
      const [lo, value, hi] = [min, entry, max].map((e) => Number(e.defaultValue)) as [number, number, number];
      if (!(lo <= value && value <= hi)) problems.push(`${entry.name}: ${lo} <= ${value} <= ${hi} fails`);
      for (const bound of [min, max]) {
        if (bound.type !== entry.type || bound.minValue !== entry.minValue || bound.maxValue !== entry.maxValue) problems.push(`${bound.name}: type/bounds differ from ${entry.name}`);
      }
      if (scale.type !== 'ENUM' || JSON.stringify(scale.allowedValues) !== JSON.stringify(['linear', 'log'])) problems.push(`${scale.name}: not linear|log`);
      if (scale.defaultValue === 'log' && lo <= 0) problems.push(`${entry.name}: log scale from ${lo}`);
      if (entry.type !== 'INT' && entry.type !== 'FLOAT') problems.push(`${entry.name}: not numeric`);
    }
    // Bounds of RANGE_MIN / RANGE_MAX themselves are checked by the generic default test.
    expect(problems).toEqual([]);
  });

  it('files every key under a Training group as HPO', () => {
    for (const entry of training) {
      expect(entry.groupName, entry.name).toMatch(/^Training \/ /);
      expect(entry.category, entry.name).toBe('HPO');
      expect(entry.name, entry.name).toMatch(/^CVN_HPO_/);
    }
  });

  it('declares every key read by the Python training harness, outside the scanned code (the drift check)', () => {
    expect(new Set(training.map((entry) => entry.consumedOutside))).toEqual(new Set([TRAINING_HARNESS_CONSUMER]));
    // The migration backfills existing databases by this pattern: it must match the 455 keys and no base entry.
    const pattern = /^CVN_HPO_(XGBOOST|LIGHTGBM|CATBOOST|METALABEL|TWOSTAGE)_/;
    expect(training.every((entry) => pattern.test(entry.name))).toBe(true);
    expect(basePipelineCatalog().filter((entry) => pattern.test(entry.name))).toEqual([]);
  });
});

describe('consumers outside the scanned code', () => {
  it('declares every base entry the paper worker does not read as read by the trading pipeline, with a well-formed label', () => {
    for (const entry of catalog) {
      if (entry.consumedOutside !== undefined) expect(consumerLabelProblem(entry.consumedOutside), entry.name).toBeNull();
    }
    const base = basePipelineCatalog();
    expect(base.filter((entry) => !entry.consumedOutside).map((entry) => entry.name).sort()).toEqual([...CONSUMED_IN_REPOSITORY].sort());
    expect(new Set(base.flatMap((entry) => (entry.consumedOutside ? [entry.consumedOutside] : [])))).toEqual(new Set([TRADING_PIPELINE_CONSUMER]));
  });
});

describe('CEL rules and validators', () => {
  const rules = seedRules();
  const validated = catalog.filter((entry) => entry.validator !== undefined);
  const deprecatedNames = new Set(catalog.filter((entry) => entry.deprecated).map((entry) => entry.name));

  it('seeds 5 to 10 uniquely named rules and at least 2 validators', () => {
    expect(rules.length).toBeGreaterThanOrEqual(5);
    expect(rules.length).toBeLessThanOrEqual(10);
    expect(new Set(rules.map((rule) => rule.name)).size).toBe(rules.length);
    expect(validated.length).toBeGreaterThanOrEqual(2);
  });

  it('references only existing, non-deprecated parameters', () => {
    const expressions = [...rules.map((rule) => rule.expression), ...validated.map((entry) => entry.validator!)];
    const unknown = expressions.flatMap(referencedParams).filter((name) => !byName.has(name) || deprecatedNames.has(name));
    expect(unknown).toEqual([]);
  });

  it.each(rules.map((rule) => [rule.name, rule] as const))('rule %s parses and holds for the defaults', (_name, rule) => {
    expect(() => parse(rule.expression)).not.toThrow();
    expect(evaluate(rule.expression, { params: defaultParams() })).toBe(true);
  });

  it.each(validated.map((entry) => [entry.name, entry] as const))('validator of %s parses and holds for the default', (_name, entry) => {
    expect(evaluate(entry.validator!, { params: defaultParams(), value: typed(entry, entry.defaultValue) })).toBe(true);
  });

  // The rules must be able to say no: one violating configuration per kind of comparison.
  it('rejects violating configurations', () => {
    const ruleByName = new Map(rules.map((rule) => [rule.name, rule.expression]));
    const withOverrides = (overrides: Record<string, Typed>) => {
      const params = defaultParams();
      for (const [name, value] of Object.entries(overrides)) params.set(name, value);
      return { params };
    };
    // double vs double
    expect(evaluate(ruleByName.get('pte-take-profit-above-stop-loss')!, withOverrides({ CVN_PTE_TP_MULT: 0.5, CVN_PTE_SL_MULT: 1.5 }))).toBe(false);
    // envelope table vs numbers, including the int horizon
    expect(evaluate(ruleByName.get('pte-envelope-matches-multiples')!, withOverrides({ CVN_PTE_HORIZON_BARS: 5n }))).toBe(false);
    expect(evaluate(ruleByName.get('pte-envelope-matches-multiples')!, withOverrides({ CVN_PTE_ENVELOPE: 'CUSTOM', CVN_PTE_HORIZON_BARS: 5n }))).toBe(true);
    // double vs double * double(int)
    expect(evaluate(ruleByName.get('risk-exposure-coherent')!, withOverrides({ CVN_RISK_MAX_OPEN_POSITIONS: 2n }))).toBe(false);
    // bool / enum
    expect(evaluate(ruleByName.get('enrichment-shadow-needs-stateful-engine')!, withOverrides({ CVN_ENRICHMENT_SHADOW_MODE: true }))).toBe(false);
    // int vs double comparison in a generated HPO rule
    expect(evaluate(ruleByName.get('hpo-xgboost-learning-rate-range-valid')!, withOverrides({ CVN_HPO_XGBOOST_1H_LEARNING_RATE_RANGE_MIN: 0.5 }))).toBe(false);
    // list lookup indexed by an int
    expect(evaluate(ruleByName.get('hpo-lightgbm-leaves-fit-depth')!, withOverrides({ CVN_HPO_LIGHTGBM_NUM_LEAVES: 512n }))).toBe(false);
    // int modulo in a validator
    const savgol = byName.get('CVN_SAVGOL_WINDOW')!;
    expect(evaluate(savgol.validator!, { params: defaultParams(), value: 10n })).toBe(false);
  });
});
