// An immutable, version-tagged view of the parameters a worker consumes,
// typed by the catalog. A worker reads every value of one decision cycle from
// one snapshot, so all of them come from the same version.
import type { ParameterType } from '../../contract/catalog.ts';
// decode-value.ts directly, not the validation index: the agent needs no CEL or zod.
import type { TypedValue } from '../../contract/validation/catalog-entry-shape.ts';
import { decodeValue as decodeCatalogValue } from '../../contract/validation/decode-value.ts';
import { InvalidParameterError, UndeclaredParameterError, type ParameterProblem } from './errors.ts';

export type { ParameterType, TypedValue };

/** The catalog fields the agent needs (the `entry` of the API's ParameterValue). */
export interface CatalogEntryInfo {
  name: string;
  type: ParameterType;
  category: string;
  hotReloadable: boolean;
  deprecated: boolean;
  replacement: string | null;
  allowedValues: readonly string[];
  minValue: number | null;
  maxValue: number | null;
}

export type DecodeResult = { ok: true; value: TypedValue } | { ok: false; message: string };

/**
 * The stored string (ADR-59) as its catalog type, decoded by the server's own
 * rules (contract/validation). `strict` also checks bounds and allowed values
 * (used by ready()); reads check the type only, because a value outside a
 * since-tightened range is still the value in force.
 */
export function decodeValue(entry: CatalogEntryInfo, raw: string, strict = false): DecodeResult {
  // The agent reads no write-time policy (required, deprecated values,
  // validators): the server enforced it when the value was saved. decodeValue
  // never mutates allowedValues, so the frozen list is passed as it is.
  return decodeCatalogValue(shapeOf(entry), raw, { typeOnly: !strict });
}

type ContractEntry = Parameters<typeof decodeCatalogValue>[0];
/** Each entry in the contract's shape, made once: every apply decodes the consumed values again. */
const shapes = new WeakMap<CatalogEntryInfo, ContractEntry>();
function shapeOf(entry: CatalogEntryInfo): ContractEntry {
  let shape = shapes.get(entry);
  if (!shape) {
    shape = { ...entry, allowedValues: entry.allowedValues as string[], required: false, replacementName: entry.replacement, deprecatedValues: [], validator: null };
    shapes.set(entry, shape);
  }
  return shape;
}

/**
 * Why the consumed parameters cannot be used, one problem per name: not in
 * the catalog or without a value (MISSING), deprecated (DEPRECATED, naming its
 * replacement), or not a valid value of its type (INVALID). Empty: usable.
 */
export function findProblems(
  consumes: readonly string[],
  catalog: ReadonlyMap<string, CatalogEntryInfo>,
  values: Readonly<Record<string, string>>,
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  for (const name of consumes) {
    const entry = catalog.get(name);
    if (!entry) {
      problems.push({ name, reason: 'MISSING', message: 'not in the catalog' });
      continue;
    }
    if (entry.deprecated) {
      problems.push({ name, reason: 'DEPRECATED', message: entry.replacement ? `replaced by ${entry.replacement}` : 'deprecated' });
      continue;
    }
    const raw = Object.hasOwn(values, name) ? values[name] : undefined;
    if (raw === undefined) {
      problems.push({ name, reason: 'MISSING', message: 'the environment has no value' });
      continue;
    }
    const decoded = decodeValue(entry, raw, true);
    if (!decoded.ok) problems.push({ name, reason: 'INVALID', message: decoded.message });
  }
  return problems;
}

export interface ConfigSnapshotInit<N extends string> {
  version: number;
  consumes: readonly N[];
  catalog: ReadonlyMap<string, CatalogEntryInfo>;
  /** Raw values; only the consumed names are kept. */
  values: Readonly<Record<string, string>>;
}

/**
 * Frozen: a worker may hold one across awaits and read it later, and it will
 * still describe exactly `version`. `N` is the union of declared names, so a
 * typo is a compile error; at run time an undeclared name throws.
 */
export class ConfigSnapshot<N extends string = string> {
  /** The configuration version these values belong to. */
  readonly version: number;
  /** The raw strings (ADR-59) of the consumed parameters. */
  readonly values: Readonly<Record<N, string>>;
  readonly #typed: ReadonlyMap<string, DecodeResult>;
  readonly #consumes: ReadonlySet<string>;
  readonly #catalog: ReadonlyMap<string, CatalogEntryInfo>;

  /** `derived`: with()'s own path (the previous snapshot's names and decoded values carried over). */
  constructor({ version, consumes, catalog, values }: ConfigSnapshotInit<N>, derived?: { consumes: ReadonlySet<string>; typed: ReadonlyMap<string, DecodeResult> }) {
    this.version = version;
    this.#catalog = catalog;
    if (derived) {
      this.#consumes = derived.consumes;
      this.values = Object.freeze(values as Record<N, string>);
      this.#typed = derived.typed;
      Object.freeze(this);
      return;
    }
    this.#consumes = new Set(consumes);
    const kept = {} as Record<N, string>;
    const typed = new Map<string, DecodeResult>();
    for (const name of consumes) {
      const raw = Object.hasOwn(values, name) ? values[name] : undefined;
      const entry = catalog.get(name);
      if (raw === undefined || !entry) continue;
      kept[name] = raw;
      typed.set(name, decodeValue(entry, raw));
    }
    this.values = Object.freeze(kept);
    this.#typed = typed;
    Object.freeze(this);
  }

  /** The declared names. */
  get names(): N[] {
    return [...this.#consumes] as N[];
  }

  /** True when `name` is declared and has a value of its type. */
  has(name: string): boolean {
    return this.#consumes.has(name) && this.#typed.get(name)?.ok === true;
  }

  /** The catalog entry the value is typed by (undefined for an undeclared or unknown name). */
  entry(name: N): CatalogEntryInfo | undefined {
    return this.#consumes.has(name) ? this.#catalog.get(name) : undefined;
  }

  /** The typed value: number (INT, FLOAT), boolean (BOOL) or string (ENUM, STRING). Throws for an undeclared name. */
  get(name: N): TypedValue {
    if (!this.#consumes.has(name)) throw new UndeclaredParameterError(name);
    const decoded = this.#typed.get(name);
    if (!decoded) throw new InvalidParameterError(name, `${name} has no value in version ${this.version}.`);
    if (!decoded.ok) throw new InvalidParameterError(name, decoded.message);
    return decoded.value;
  }

  getNumber(name: N): number {
    return this.#expect(name, 'number') as number;
  }
  getBoolean(name: N): boolean {
    return this.#expect(name, 'boolean') as boolean;
  }
  /** ENUM and STRING parameters. */
  getString(name: N): string {
    return this.#expect(name, 'string') as string;
  }

  /** A new snapshot at `version` with `changes` (raw strings) applied over this one. */
  with(version: number, changes: ReadonlyMap<string, string>): ConfigSnapshot<N> {
    // Only the changed values are decoded again: an apply costs what it
    // changes, not what the worker consumes.
    const values: Record<string, string> = { ...this.values };
    const typed = new Map(this.#typed);
    for (const [name, value] of changes) {
      const entry = this.#catalog.get(name);
      if (!this.#consumes.has(name) || !entry) continue;
      values[name] = value;
      typed.set(name, decodeValue(entry, value));
    }
    return new ConfigSnapshot<N>({ version, consumes: [], catalog: this.#catalog, values }, { consumes: this.#consumes, typed });
  }

  #expect(name: N, type: 'number' | 'boolean' | 'string'): TypedValue {
    const value = this.get(name);
    if (typeof value !== type) throw new InvalidParameterError(name, `${name} is a ${typeof value}, not a ${type}.`);
    return value;
  }
}
