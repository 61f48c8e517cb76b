import type { ParameterCategory, ParameterType } from '../../generated/prisma/enums.ts';
import type { Violation } from '../../../contract/validation/index.ts';

// What catalog administration takes in: a definition and the inputs of each
// write, under the API's field names.

/** A type, not an interface: it is stored as JSON, and only object types fit Prisma's JSON types. */
export type DeprecatedValue = {
  value: string;
  reason: string;
};

/**
 * What an admin defines about a parameter, under the API's field names
 * (`group`), so a violation's `field` names the form field the console shows.
 * The name is not here: it is the permanent id, never changed.
 */
export interface CatalogEntryDefinition {
  type: ParameterType;
  allowedValues: string[];
  minValue: number | null;
  maxValue: number | null;
  defaultValue: string | null;
  unit: string | null;
  description: string;
  group: string;
  category: ParameterCategory;
  required: boolean;
  hotReloadable: boolean;
  critical: boolean;
  excludedFromFtf: boolean;
  validator: string | null;
  deprecatedValues: DeprecatedValue[];
  /** The longest value accepted, in characters; null: the server's global ceiling (MAX_VALUE_LENGTH). */
  maxLength: number | null;
  /** The code outside the drift check's sources that reads it (contract/catalog.ts); null: the scanned code must. */
  consumedOutside: string | null;
}

/**
 * A definition as a client sends it: a field left out (undefined) keeps its
 * current value (or its default on create); null clears a nullable field.
 */
export type CatalogEntryFields = { [K in keyof CatalogEntryDefinition]?: CatalogEntryDefinition[K] | null };

export type CreateCatalogEntryInput = CatalogEntryFields & { name: string; reason: string };
export type UpdateCatalogEntryInput = CatalogEntryFields & { name: string; expectedRevision: number; reason: string };
export interface DeprecateCatalogEntryInput {
  name: string;
  replacementName?: string | null;
  reason: string;
  /** When given, a stale revision is refused like an update's. */
  expectedRevision?: number | null;
}
export type CheckCatalogEntryInput = CatalogEntryFields & {
  name: string;
  /** CREATE: the name must be free. UPDATE: the fields patch the existing entry and live values are checked. */
  mode: 'CREATE' | 'UPDATE';
};

/** A violation about one input field; `environment` when a live value is what breaks. */
export type CatalogViolation = Violation & { field?: string; environment?: string };
