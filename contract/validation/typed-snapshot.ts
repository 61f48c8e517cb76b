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
    const raw = values[name] as string;
    const entry = catalog.get(name);
    if (entry === undefined) {
      unknown.add(name);
      continue;
    }
    const decoded = decodeValue(entry, raw, { typeOnly: true });
    if (!decoded.ok) {
      skipped.set(name, { raw, message: decoded.message });
      continue;
    }
    typed.set(name, decoded.value);
    cel.set(name, toCelValue(entry.type, decoded.value));
  }
  // celMap wraps the JS Map without copying; passing the CelMap (not the Map or a
  // plain object) as a binding means CEL does not convert 570 entries per evaluation.
  return { typed, params: celMap(cel), skipped, unknown };
}

/** Converts a typed value to its CEL binding per the convention above. */
export function toCelValue(type: ParameterType, value: TypedValue): CelInput {
  // INT values are safe integers (decodeValue checks), so BigInt() is exact.
  if (type === 'INT' && typeof value === 'number') return BigInt(value);
  return value;
}
