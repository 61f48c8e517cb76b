// Types every stored string of a snapshot and builds the `params` map that CEL
// validators and rules read.
//
// Binding convention (other code relies on it):
//   INT          → CEL int    (JS bigint)
//   FLOAT        → CEL double (JS number)
//   BOOL         → CEL bool
//   ENUM, STRING → CEL string
// CEL compares int with double (`params.CVN_INT <= params.CVN_FLOAT` works), but
// does not mix them in arithmetic: `params.CVN_FLOAT + 1` fails, write
// `params.CVN_FLOAT + 1.0` or `double(params.CVN_INT) * params.CVN_FLOAT`.

import { celMap, type CelInput, type CelMap } from '@bufbuild/cel';
import type { CatalogEntryShape, ParameterType, TypedValue } from './catalog-entry-shape.ts';
import { decodeValue } from './decode-value.ts';

export interface SkippedValue {
  raw: string;
  /** Why the stored string is not a value of its type, as an operator sentence. */
  message: string;
}

export interface TypedSnapshot {
  /** Parameter name → typed value, for every known parameter whose value has its type. */
  typed: Map<string, TypedValue>;
  /** The same values as CEL bindings (what `params` wraps; read, never edited). */
  celValues: ReadonlyMap<string, CelInput>;
  /** The same values as a CEL map, bound as `params`. */
  params: CelMap;
  /** Known parameters left out because their stored string does not have the parameter's type. */
  skipped: Map<string, SkippedValue>;
  /** Names in the values that the catalog does not know; they are left out too. */
  unknown: Set<string>;
}

/**
 * Types `values` with the catalog. Only the type is checked (decodeValue's
 * typeOnly): a value outside a since-tightened range or a deprecated ENUM value
 * is still the value in force, and rules must see it. Values that are not of
 * their type at all (e.g. 'abc' for an INT, left over from an older catalog)
 * are left out and listed in `skipped`, so a rule that reads them fails with a
 * clear message instead of the whole evaluation crashing.
 */
export function typedSnapshot(
  catalog: ReadonlyMap<string, CatalogEntryShape>,
  values: Readonly<Record<string, string>>,
): TypedSnapshot {
  const typed = new Map<string, TypedValue>();
  const cel = new Map<string, CelInput>();
  const skipped = new Map<string, SkippedValue>();
  const unknown = new Set<string>();
  for (const name in values) {
    if (!Object.hasOwn(values, name)) continue;
    typeOne(catalog, name, values[name] as string, typed, cel, skipped, unknown);
  }
  // celMap wraps the JS Map without copying; passing the CelMap (not the Map or a
  // plain object) as a binding means CEL does not convert 570 entries per evaluation.
  return { typed, celValues: cel, params: celMap(cel), skipped, unknown };
}

/**
 * The typed snapshot of `values`, which are `base`'s values with `changes`
 * laid over them, typed under the same catalog as `base`: what typedSnapshot
 * would give, at the cost of the changes alone when each changed parameter
 * was and stays a typed value (its place in the maps, which CEL's macros over
 * `params` iterate in, is then unchanged); anything else is typed afresh.
 * `base` is left as it was (copies, not edits: it may be in use).
 */
export function retypedSnapshot(
  catalog: ReadonlyMap<string, CatalogEntryShape>,
  base: TypedSnapshot,
  changes: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
): TypedSnapshot {
  const typed = new Map(base.typed);
  const cel = new Map(base.celValues);
  for (const name in changes) {
    if (!Object.hasOwn(changes, name)) continue;
    const entry = catalog.get(name);
    if (entry === undefined || !typed.has(name)) return typedSnapshot(catalog, values);
    const decoded = decodeValue(entry, changes[name] as string, { typeOnly: true });
    if (!decoded.ok) return typedSnapshot(catalog, values);
    typed.set(name, decoded.value);
    cel.set(name, toCelValue(entry.type, decoded.value));
  }
  return { typed, celValues: cel, params: celMap(cel), skipped: base.skipped, unknown: base.unknown };
}

function typeOne(
  catalog: ReadonlyMap<string, CatalogEntryShape>,
  name: string,
  raw: string,
  typed: Map<string, TypedValue>,
  cel: Map<string, CelInput>,
  skipped: Map<string, SkippedValue>,
  unknown: Set<string>,
): void {
  const entry = catalog.get(name);
  if (entry === undefined) {
    unknown.add(name);
    return;
  }
  const decoded = decodeValue(entry, raw, { typeOnly: true });
  if (!decoded.ok) {
    skipped.set(name, { raw, message: decoded.message });
    return;
  }
  typed.set(name, decoded.value);
  cel.set(name, toCelValue(entry.type, decoded.value));
}

/** Converts a typed value to its CEL binding per the convention above. */
export function toCelValue(type: ParameterType, value: TypedValue): CelInput {
  // INT values are safe integers (decodeValue checks), so BigInt() is exact.
  if (type === 'INT' && typeof value === 'number') return BigInt(value);
  return value;
}
