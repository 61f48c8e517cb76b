// Decides whether a set of changes may be saved on top of the active snapshot.
//
// Runs on every save, so the expensive parts are shared: the merged snapshot is
// typed once (typedSnapshot) and bound as one CEL map for every validator and
// rule, and CEL programs come from a cache that outlives the call. All
// violations are collected, one per offending field or rule, so the operator
// can fix everything in one round.

import type { CatalogEntryShape, RuleShape, TypedValue } from './catalog-entry-shape.ts';
import {
  createCelProgramCache,
  VALIDATOR_VARIABLES,
  type CelOutcome,
  type CelProgramCache,
} from './cel-program-cache.ts';
import { describeExpected, showInput } from './decode-value.ts';
import { retypedSnapshot, toCelValue, typedSnapshot, type TypedSnapshot } from './typed-snapshot.ts';
import { DEFAULT_MAX_VALUE_LENGTH, valueLengthLimit } from './value-limits.ts';
import { parseValue, type ParseValueResult } from './value-schema.ts';
import type { Violation } from './violation.ts';

export interface ValidateChangeInput {
  catalog: ReadonlyMap<string, CatalogEntryShape>;
  rules: readonly RuleShape[];
  /** The active snapshot: parameter name → stored string. */
  current: Readonly<Record<string, string>>;
  /** Parameter name → new stored string. */
  changes: Readonly<Record<string, string>>;
  /**
   * `current` with `changes` laid over it, when the caller builds it anyway
   * (the new version's values). Its typed snapshot is then remembered, so the
   * next save on top of it types only what that save changes.
   */
  next?: Readonly<Record<string, string>>;
}

export interface ConfigValidator {
  /** The global ceiling on a value's length (characters) that a catalog entry's maxLength overrides. */
  readonly maxValueLength: number;
  /** One value of `entry` under this validator's ceiling (a catalog default, an allowed value). */
  parseValue(entry: CatalogEntryShape, raw: string): ParseValueResult;
  /** The length limit a value of `entry` is held to. */
  lengthLimit(entry: CatalogEntryShape): number;
  /** Every violation the changes would cause; empty means the save may proceed. */
  validateChange(input: ValidateChangeInput): Violation[];
  /** Typed values of `values`; unknown names and values not of their type are left out. */
  typedValues(catalog: ReadonlyMap<string, CatalogEntryShape>, values: Readonly<Record<string, string>>): Map<string, TypedValue>;
  /**
   * Evaluates one rule against `values`, whether or not it is enabled (so the
   * console can try a rule before enabling it).
   */
  checkRule(rule: RuleShape, catalog: ReadonlyMap<string, CatalogEntryShape>, values: Readonly<Record<string, string>>): Violation | null;
  /**
   * Checks that `source` compiles and reads only `variables` (default: a
   * validator's `value` and `params`; pass RULE_VARIABLES for a rule).
   */
  checkExpression(source: string, variables?: readonly string[]): Violation | null;
}

export interface ConfigValidatorOptions {
  /** Share a cache between validators (e.g. one per server process); by default each validator makes its own. */
  programs?: CelProgramCache;
  /** The global ceiling on a value's length in characters (the server's MAX_VALUE_LENGTH); default 4096. */
  maxValueLength?: number;
}

export function createConfigValidator(options: ConfigValidatorOptions = {}): ConfigValidator {
  const programs = options.programs ?? createCelProgramCache();
  const maxValueLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  // Typed snapshots of values objects a save built (a version's values never
  // change), with the catalog they were typed under: a save on top of one
  // re-types only its changes, and a different catalog means typing afresh.
  const typedByValues = new WeakMap<object, { catalog: ReadonlyMap<string, CatalogEntryShape>; snapshot: TypedSnapshot }>();

  function snapshotOf(catalog: ReadonlyMap<string, CatalogEntryShape>, current: Readonly<Record<string, string>>, changes: Readonly<Record<string, string>>, next?: Readonly<Record<string, string>>): TypedSnapshot {
    const known = typedByValues.get(current);
    const values = next ?? { ...current, ...changes };
    const snapshot = known !== undefined && known.catalog === catalog
      ? retypedSnapshot(catalog, known.snapshot, changes, values)
      : typedSnapshot(catalog, values);
    if (next !== undefined) typedByValues.set(next, { catalog, snapshot });
    return snapshot;
  }

  function validateChange({ catalog, rules, current, changes, next }: ValidateChangeInput): Violation[] {
    const violations: Violation[] = [];
    // Changed parameters already reported; a rule that cannot read them is a
    // consequence of that report, not a second problem.
    const reported = new Set<string>();
    const snapshot = snapshotOf(catalog, current, changes, next);

    for (const name in changes) {
      if (!Object.hasOwn(changes, name)) continue;
      const raw = changes[name] as string;
      const violation = checkChangedValue(name, raw, catalog, snapshot, reported);
      if (violation !== null) {
        violations.push(violation);
        reported.add(name);
      }
    }

    for (const rule of rules) {
      if (!rule.enabled) continue;
      const violation = evaluateRule(rule, catalog, snapshot, reported);
      if (violation !== null) violations.push(violation);
    }
    return violations;
  }

  function checkChangedValue(
    name: string,
    raw: string,
    catalog: ReadonlyMap<string, CatalogEntryShape>,
    snapshot: TypedSnapshot,
    reported: ReadonlySet<string>,
  ): Violation | null {
    const entry = catalog.get(name);
    if (entry === undefined) {
      return { code: 'UNKNOWN_PARAMETER', message: `${name} is not a known parameter.`, parameter: name };
    }
    if (entry.deprecated) {
      const message =
        entry.replacementName === null
          ? `${name} is deprecated and can no longer be changed.`
          : `${name} is deprecated; use ${entry.replacementName} instead.`;
      return { code: 'DEPRECATED_PARAMETER', message, parameter: name };
    }
    const parsed = parseValue(entry, raw, { maxLength: maxValueLength });
    if (!parsed.ok) return parsed.violation;
    const source = entry.validator;
    if (source === null || source.trim() === '') return null;

    const outcome = programs.evaluate(source, { value: toCelValue(entry.type, parsed.value), params: snapshot.params });
    const shown = showInput(raw);
    switch (outcome.status) {
      case 'pass':
        return null;
      case 'fail':
        return {
          code: 'VALIDATOR_FAILED',
          message:
            outcome.result === 'false'
              ? `${name} value ${shown} does not satisfy its validator \`${source}\`.`
              : `The validator of ${name} must evaluate to true or false, but it returned ${outcome.result}.`,
          parameter: name,
        };
      case 'error':
        if (outcome.missingKey !== undefined && reported.has(outcome.missingKey)) return null;
        return {
          code: 'VALIDATOR_FAILED',
          message: `The validator of ${name} could not be evaluated for value ${shown}: ${errorDetail(outcome, catalog, snapshot)}.`,
          parameter: name,
        };
      case 'invalid':
        return { code: 'INVALID_EXPRESSION', message: `The validator of ${name} is not valid CEL: ${outcome.detail}.`, parameter: name };
    }
  }

  function evaluateRule(
    rule: RuleShape,
    catalog: ReadonlyMap<string, CatalogEntryShape>,
    snapshot: TypedSnapshot,
    reported: ReadonlySet<string>,
  ): Violation | null {
    const outcome = programs.evaluate(rule.expression, { params: snapshot.params });
    switch (outcome.status) {
      case 'pass':
        return null;
      case 'fail': {
        const message =
          outcome.result !== 'false'
            ? `Rule ${rule.name} must evaluate to true or false, but it returned ${outcome.result}.`
            : rule.message.trim() !== ''
              ? rule.message.trim()
              : `Rule ${rule.name} is not satisfied.`;
        return { code: 'RULE_FAILED', message, rule: rule.name };
      }
      case 'error':
        if (outcome.missingKey !== undefined && reported.has(outcome.missingKey)) return null;
        return {
          code: 'RULE_FAILED',
          message: `Rule ${rule.name} could not be evaluated: ${errorDetail(outcome, catalog, snapshot)}.`,
          rule: rule.name,
        };
      case 'invalid':
        return { code: 'INVALID_EXPRESSION', message: `Rule ${rule.name} is not valid CEL: ${outcome.detail}.`, rule: rule.name };
    }
  }

  return {
    maxValueLength,
    parseValue: (entry, raw) => parseValue(entry, raw, { maxLength: maxValueLength }),
    lengthLimit: (entry) => valueLengthLimit(entry, maxValueLength)!,
    validateChange,
    typedValues(catalog, values) {
      return typedSnapshot(catalog, values).typed;
    },
    checkRule(rule, catalog, values) {
      return evaluateRule(rule, catalog, typedSnapshot(catalog, values), new Set());
    },
    checkExpression(source, variables = VALIDATOR_VARIABLES) {
      const compiled = programs.compile(source, variables);
      return compiled.ok ? null : compiled.violation;
    },
  };
}

/**
 * Turns a CEL evaluation error into words about the configuration: which
 * parameter is missing and why, or a hint for the int/double mix-up that rule
 * authors hit most.
 */
function errorDetail(
  outcome: Extract<CelOutcome, { status: 'error' }>,
  catalog: ReadonlyMap<string, CatalogEntryShape>,
  snapshot: TypedSnapshot,
): string {
  const key = outcome.missingKey;
  if (key !== undefined) {
    const skipped = snapshot.skipped.get(key);
    const entry = catalog.get(key);
    if (skipped !== undefined && entry !== undefined) {
      // Bounds are not what made it unusable (only the type is checked for params), so leave them out.
      const expected = describeExpected({ ...entry, minValue: null, maxValue: null });
      return `the stored value of ${key}, ${showInput(skipped.raw)}, is not ${expected}, so params has no value for it`;
    }
    if (entry !== undefined) return `${key} has no value in the configuration`;
    // Not a catalog name: a typo in the expression, or a field selected on a non-map value.
    return `there is no parameter or field named ${key}`;
  }
  const mixed = /no matching overload for '[^']+' applied to '\((?:double, int|int, double)\)'/.test(outcome.message);
  if (mixed) return `${outcome.message}; CEL does not mix int and double in arithmetic, convert with double(...) or int(...)`;
  return outcome.message;
}
