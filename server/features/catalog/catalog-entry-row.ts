import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { CatalogEntryShape } from '../../../contract/validation/index.ts';
import type { CatalogEntryDefinition, DeprecatedValue } from './catalog-entry-definition.ts';

// The one mapping between a catalog row and what is made of it. A definition
// speaks the API's names (`group`), the row its columns (`groupName`); every
// other form (the history snapshot, the validator's shape) is derived from
// the row's columns, so a new field is added in one place per direction.

/** The columns a definition fills, ready to write. */
export function definitionColumns(d: CatalogEntryDefinition) {
  return {
    type: d.type,
    allowedValues: d.allowedValues,
    minValue: d.minValue,
    maxValue: d.maxValue,
    defaultValue: d.defaultValue,
    unit: d.unit,
    description: d.description,
    groupName: d.group,
    category: d.category,
    required: d.required,
    hotReloadable: d.hotReloadable,
    critical: d.critical,
    excludedFromFtf: d.excludedFromFtf,
    validator: d.validator,
    deprecatedValues: d.deprecatedValues,
    maxLength: d.maxLength,
    consumedOutside: d.consumedOutside,
  };
}

/** The definition a row holds: the inverse of definitionColumns. */
export function definitionOf(row: CatalogEntry): CatalogEntryDefinition {
  return {
    type: row.type,
    allowedValues: row.allowedValues,
    minValue: row.minValue,
    maxValue: row.maxValue,
    defaultValue: row.defaultValue,
    unit: row.unit,
    description: row.description,
    group: row.groupName,
    category: row.category,
    required: row.required,
    hotReloadable: row.hotReloadable,
    critical: row.critical,
    excludedFromFtf: row.excludedFromFtf,
    validator: row.validator,
    deprecatedValues: (row.deprecatedValues ?? []) as DeprecatedValue[],
    maxLength: row.maxLength,
    consumedOutside: row.consumedOutside,
  };
}

/** The row as the history keeps it: every definition field, under the column names of the seed's rows. */
export function historySnapshot(row: CatalogEntry) {
  return {
    name: row.name,
    ...definitionColumns(definitionOf(row)),
    deprecated: row.deprecated,
    deprecationReason: row.deprecationReason,
    replacementName: row.replacementName,
  };
}

type ShapeColumns = Pick<CatalogEntry,
  'name' | 'type' | 'allowedValues' | 'minValue' | 'maxValue' | 'required' | 'deprecated' | 'replacementName' | 'deprecatedValues' | 'validator' | 'maxLength'>;

/** The slice of a row the value validator reads. */
export function toCatalogEntryShape(row: ShapeColumns): CatalogEntryShape {
  return {
    name: row.name,
    type: row.type,
    allowedValues: row.allowedValues,
    minValue: row.minValue,
    maxValue: row.maxValue,
    required: row.required,
    deprecated: row.deprecated,
    replacementName: row.replacementName,
    deprecatedValues: (row.deprecatedValues ?? []) as CatalogEntryShape['deprecatedValues'],
    validator: row.validator,
    maxLength: row.maxLength,
  };
}

/** The shape of a definition that may not be saved yet. */
export function definitionShape(name: string, d: CatalogEntryDefinition): CatalogEntryShape {
  // Judged as if in use: the question is whether a value fits, not whether it may still be edited.
  return toCatalogEntryShape({ name, ...definitionColumns(d), deprecated: false, replacementName: null });
}
