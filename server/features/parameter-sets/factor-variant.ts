import type { ConfigValidator, Violation } from '../../../contract/validation/index.ts';
import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { CatalogSnapshot } from '../catalog/index.ts';
import type { ValueMap } from '../configuration/index.ts';

// The one definition of "a valid factor variant" (issue 12): freezing checks
// each factor with it (freeze-check.ts) and the FTF grid lists exactly the
// variants it accepts (ftf-grid.ts), so a sweep cannot be launched with a
// variant the catalog refuses, and the grid never hides one it would take.
// Rules are not part of it: a rule reads several parameters, so it judges a
// combination of factors, which only a freeze sees.

export type RangeScale = 'linear' | 'log';

/**
 * The interval a numeric factor is swept over (inclusive; null: unbounded on
 * that side): the HPO search range `<name>_RANGE_MIN / _RANGE_MAX /
 * _RANGE_SCALE` (S17) in the environment's values when the catalog has that
 * triple, clipped to the entry's bounds; else the bounds.
 */
export interface SearchSpace {
  min: number | null;
  max: number | null;
  scale: RangeScale;
  integer: boolean;
  source: 'RANGE_TRIPLE' | 'BOUNDS';
}

/**
 * Why `name` cannot be a factor at all, or null: unknown to the catalog
 * (UNKNOWN_PARAMETER), deprecated (DEPRECATED_PARAMETER) or excluded from
 * experiments (NOT_ALLOWED). The save's codes and sentences.
 */
export function factorNameViolation(catalog: CatalogSnapshot, name: string): Violation | null {
  const entry = catalog.entries.get(name);
  if (!entry) return { code: 'UNKNOWN_PARAMETER', parameter: name, field: 'factors', message: `Factor ${name} is not a known parameter.` };
  if (entry.deprecated) {
    return {
      code: 'DEPRECATED_PARAMETER', parameter: name, field: 'factors',
      message: entry.replacementName ? `Factor ${name} is deprecated; use ${entry.replacementName} instead.` : `Factor ${name} is deprecated and can no longer be changed.`,
    };
  }
  if (entry.excludedFromFtf) {
    return { code: 'NOT_ALLOWED', parameter: name, field: 'factors', message: `${name} is excluded from experiments (excluded_from_ftf): it cannot be a factor.` };
  }
  return null;
}

/** The S17 triple's keys of a numeric parameter. */
export const rangeKeys = (name: string) => ({ min: `${name}_RANGE_MIN`, max: `${name}_RANGE_MAX`, scale: `${name}_RANGE_SCALE` }) as const;

/**
 * The search space of a numeric entry on top of `values`, or the violations
 * that make it unreadable or empty (a triple value missing or invalid, min
 * above max, a log scale without a positive minimum): no factor of that
 * parameter can be swept until the environment's range is fixed.
 */
export function searchSpace(validator: ConfigValidator, catalog: CatalogSnapshot, values: ValueMap, entry: CatalogEntry): SearchSpace | Violation[] {
  const keys = rangeKeys(entry.name);
  const hasTriple = Object.values(keys).every((key) => catalog.shapes.has(key));
  const violations: Violation[] = [];
  const read = (key: string): unknown => {
    const raw = values[key];
    const parsed = raw === undefined
      ? { ok: false as const, violation: { code: 'REQUIRED' as const, parameter: key, message: `${key} has no value.` } }
      : validator.parseValue(catalog.shapes.get(key)!, raw);
    if (parsed.ok) return parsed.value;
    violations.push({ ...parsed.violation, field: 'factors', message: `The search range of ${entry.name} cannot be read: ${parsed.violation.message}` });
    return undefined;
  };
  const triple = hasTriple ? { min: read(keys.min), max: read(keys.max), scale: read(keys.scale) } : null;
  if (violations.length) return violations;
  const integer = entry.type === 'INT';
  // Clipped to the bounds: a variant outside them would not freeze.
  const clip = (v: unknown, bound: number | null, pick: (a: number, b: number) => number) =>
    typeof v !== 'number' ? bound : bound === null ? v : pick(v, bound);
  let min = clip(triple?.min, entry.minValue, Math.max);
  let max = clip(triple?.max, entry.maxValue, Math.min);
  if (integer) {
    min = min === null ? null : Math.ceil(min);
    max = max === null ? null : Math.floor(max);
  }
  const scale: RangeScale = triple?.scale === 'log' ? 'log' : 'linear';
  if (min !== null && max !== null && min > max) {
    return [{ code: 'OUT_OF_RANGE', parameter: entry.name, field: 'factors', message: `The search range of ${entry.name} is empty (${min} > ${max}).` }];
  }
  if (scale === 'log' && (min === null || min <= 0)) {
    return [{ code: 'OUT_OF_RANGE', parameter: entry.name, field: 'factors', message: `The search range of ${entry.name} is on a log scale, which needs a minimum above 0 (it is ${min ?? 'unbounded'}).` }];
  }
  return { min, max, scale, integer, source: triple ? 'RANGE_TRIPLE' : 'BOUNDS' };
}

/**
 * Every reason `variant` cannot be the variant of factor `name` on top of
 * `values` (the version it is frozen from): the name's refusal above, else
 * what a save of that one value would refuse, rules aside (its type, bounds,
 * allowed and deprecated values, DEPRECATED_VALUE for incident #673, length,
 * validator with `values` as its `params`), and for a number, its search
 * space (OUT_OF_RANGE outside the environment's HPO range). Empty: valid.
 */
export function factorVariantViolations(
  validator: ConfigValidator,
  catalog: CatalogSnapshot,
  values: ValueMap,
  name: string,
  variant: string,
): Violation[] {
  const refused = factorNameViolation(catalog, name);
  if (refused) return [refused];
  const saved = validator
    .validateChange({ catalog: catalog.shapes, rules: [], current: values, changes: { [name]: variant } })
    .map((v) => ({ ...v, field: 'factors', message: `Factor ${v.message}` }));
  const entry = catalog.entries.get(name)!;
  if (saved.length || (entry.type !== 'INT' && entry.type !== 'FLOAT')) return saved;
  const space = searchSpace(validator, catalog, values, entry);
  if (Array.isArray(space)) return space;
  const value = Number(variant);
  if ((space.min !== null && value < space.min) || (space.max !== null && value > space.max)) {
    const keys = rangeKeys(name);
    return [{
      code: 'OUT_OF_RANGE', parameter: name, field: 'factors',
      message: `Factor ${name} = ${variant} is outside its search range [${space.min ?? '-∞'}, ${space.max ?? '∞'}] (${keys.min} and ${keys.max}).`,
    }];
  }
  return [];
}
