// The slice of a catalog row that validation needs. The database row carries
// more (descriptions, owners, timestamps); keeping the validator on this narrow
// shape lets the browser console build entries from GraphQL data and lets tests
// build them by hand, without either depending on Prisma types.

import type { ParameterType } from '../catalog.ts';

export type { ParameterType };

export interface CatalogEntryShape {
  name: string;
  type: ParameterType;
  /** ENUM only: the values an operator may write. */
  allowedValues: string[];
  /** INT and FLOAT only: inclusive bounds; null means unbounded on that side. */
  minValue: number | null;
  maxValue: number | null;
  required: boolean;
  deprecated: boolean;
  replacementName: string | null;
  /** Values that used to be valid and are now refused on write, with the reason shown to the operator. */
  deprecatedValues: { value: string; reason: string }[];
  /** Optional CEL expression over `value` and `params`; must evaluate to true. */
  validator: string | null;
  /**
   * The longest value accepted, in characters: a per-parameter override of the
   * server's global ceiling. Absent or null: the ceiling the caller passes
   * (DecodeOptions.maxLength), if any.
   */
  maxLength?: number | null;
}

/** A cross-parameter rule: a CEL expression over `params` that must evaluate to true. */
export interface RuleShape {
  name: string;
  expression: string;
  message: string;
  enabled: boolean;
}

/**
 * A stored string after parsing with its catalog type (ADR-59 stores strings).
 * INT and FLOAT are both JS numbers here; the CEL binding tells them apart
 * (INT becomes a CEL int) using the catalog type, see cel-params.ts.
 */
export type TypedValue = number | boolean | string;
