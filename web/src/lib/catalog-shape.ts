import type { CatalogEntryShape } from '../../../contract/validation/index.ts';
import type { CatalogEntryFieldsFragment } from '../gql/graphql.ts';

/** The validation core's narrow view of a catalog entry, built from GraphQL data. */
export function toCatalogEntryShape(entry: CatalogEntryFieldsFragment): CatalogEntryShape {
  return {
    name: entry.name,
    type: entry.type,
    allowedValues: entry.allowedValues,
    minValue: entry.minValue ?? null,
    maxValue: entry.maxValue ?? null,
    required: entry.required,
    deprecated: entry.deprecated,
    replacementName: entry.replacement?.name ?? null,
    deprecatedValues: entry.deprecatedValues.map((d) => ({ value: d.value, reason: d.reason })),
    validator: entry.validator ?? null,
  };
}
