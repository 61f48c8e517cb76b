import { parseValue, type ConfigValidator, type RuleShape, type Violation } from '../../../contract/validation/index.ts';
import type { CatalogSnapshot } from '../catalog/index.ts';
import type { ValueMap } from '../configuration/index.ts';
import type { Factors } from './experimental-factors.ts';
import { factorVariantViolations } from './factor-variant.ts';
import { catalogMetadata, type CatalogMetadata } from './parameter-set-content.ts';

// Freezing is validated like a save (issue 10, incident #673): a set is what
// a worker will run, so it may hold nothing a save would refuse today.

export interface FreezeCheckInput {
  catalog: CatalogSnapshot;
  /** The enabled rules, as a save checks them. */
  rules: readonly RuleShape[];
  environment: string;
  version: number;
  values: ValueMap;
  factors: Factors;
}

/** What a set freezes beside its values: the definitions it was checked against. */
export interface FrozenDefinitions {
  catalog: Record<string, CatalogMetadata>;
  rules: Record<string, string>;
  validators: Record<string, string>;
}

/**
 * Every reason a save would refuse this configuration, with the save's
 * codes (DEPRECATED_VALUE for the #673 envelope wherever it comes from):
 * - the version's values, each as if written today (type, bounds, allowed
 *   and deprecated values, validator) and every enabled rule over them. A
 *   parameter deprecated as a whole keeps its stored value, as it does in a
 *   save that does not touch it;
 * - each factor: a catalog parameter open to experiments (not
 *   excluded_from_ftf) whose variant, applied on top of the version together
 *   with the other factors, passes the same checks, rules included.
 */
export function freezeViolations(validator: ConfigValidator, input: FreezeCheckInput): Violation[] {
  const { catalog, rules, environment, version, values, factors } = input;
  const shapes = catalog.shapes;
  const at = `Version ${version} of ${environment}`;
  const written = Object.fromEntries(Object.entries(values).filter(([name]) => shapes.get(name)?.deprecated !== true));
  const violations: Violation[] = validator
    .validateChange({ catalog: shapes, rules, current: values, changes: written })
    .map((v) => ({ ...v, field: 'version', environment, message: `${at}: ${v.message}` }));
  const failedRules = new Set(violations.flatMap((v) => (v.rule ? [v.rule] : [])));

  // Each factor alone, by the definition the FTF grid lists its variants with.
  const applied: Factors = {};
  for (const [name, variant] of Object.entries(factors)) {
    const refused = factorVariantViolations(validator, catalog, values, name, variant);
    if (refused.length) violations.push(...refused);
    else applied[name] = variant;
  }
  // Then together: the rules, and validators that read another factor.
  if (Object.keys(applied).length) {
    for (const v of validator.validateChange({ catalog: shapes, rules, current: values, changes: applied })) {
      // A rule the version already breaks is reported once, above.
      if (v.rule && failedRules.has(v.rule)) continue;
      violations.push({ ...v, field: 'factors', message: v.rule ? `With the factors applied on ${at.toLowerCase()}: ${v.message}` : `Factor ${v.message}` });
    }
  }
  return violations;
}

/** The catalog metadata and validators of every parameter the set uses (values and factors), and the enabled rules. */
export function frozenDefinitions(catalog: CatalogSnapshot, rules: readonly RuleShape[], names: readonly string[]): FrozenDefinitions {
  const metadata: Record<string, CatalogMetadata> = {};
  const validators: Record<string, string> = {};
  for (const name of [...new Set(names)].sort()) {
    const entry = catalog.entries.get(name);
    // Catalog entries are never deleted (trigger), so a stored value always has one.
    if (!entry) throw new Error(`the set uses ${name}, which the catalog does not know`);
    metadata[name] = catalogMetadata(entry);
    if (entry.validator && entry.validator.trim() !== '') validators[name] = entry.validator;
  }
  return {
    catalog: metadata,
    rules: Object.fromEntries(rules.filter((r) => r.enabled).map((r) => [r.name, r.expression])),
    validators,
  };
}

/**
 * What a new run on an existing set would apply that the catalog has
 * deprecated since the set was frozen: a deprecated value anywhere in its
 * effective configuration, or a factor on a deprecated parameter. Only
 * deprecation blocks a run (the catalog's explicit "never run this again",
 * incident #673); a bound tightened since does not, or no older set could be
 * reproduced.
 */
export function deprecatedInSet(catalog: CatalogSnapshot, values: ValueMap, factors: Factors): Violation[] {
  const violations: Violation[] = [];
  for (const [name, raw] of Object.entries({ ...values, ...factors })) {
    const shape = catalog.shapes.get(name);
    if (!shape) continue;
    if (Object.hasOwn(factors, name) && shape.deprecated) {
      violations.push({ code: 'DEPRECATED_PARAMETER', parameter: name, field: 'factors', message: `Factor ${name} is deprecated${shape.replacementName ? `; use ${shape.replacementName} instead` : ''}.` });
      continue;
    }
    if (!shape.deprecatedValues.some((d) => d.value === raw)) continue;
    const parsed = parseValue(shape, raw);
    if (!parsed.ok) violations.push({ ...parsed.violation, field: Object.hasOwn(factors, name) ? 'factors' : 'parameterSet' });
  }
  return violations;
}

/**
 * Run metadata describes the run (crypto list, folds, trial, orchestrator
 * ids); a key that names a catalog parameter would be a second, silent
 * source of that parameter's value, the mechanism of incident #673. Such a
 * key is refused (NOT_ALLOWED), with the save's verdict on its value too
 * (DEPRECATED for a deprecated one).
 */
export function metadataViolations(catalog: CatalogSnapshot, metadata: Record<string, unknown>): Violation[] {
  const violations: Violation[] = [];
  for (const [name, value] of Object.entries(metadata)) {
    const shape = catalog.shapes.get(name);
    if (!shape) continue;
    violations.push({ code: 'NOT_ALLOWED', parameter: name, field: 'metadata', message: `Run metadata cannot carry ${name}: parameters come from the parameter set (its values, or its factors for an experiment).` });
    if (typeof value === 'string') {
      const parsed = parseValue(shape, value);
      if (!parsed.ok) violations.push({ ...parsed.violation, field: 'metadata' });
    }
  }
  return violations;
}
