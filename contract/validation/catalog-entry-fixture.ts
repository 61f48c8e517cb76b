import type { CatalogEntryShape } from './catalog-entry-shape.ts';

/** A catalog entry for tests: the permissive defaults, overridden where the test says. */
export function catalogEntry(overrides: Partial<CatalogEntryShape> & Pick<CatalogEntryShape, 'name' | 'type'>): CatalogEntryShape {
  return {
    allowedValues: [],
    minValue: null,
    maxValue: null,
    required: false,
    deprecated: false,
    replacementName: null,
    deprecatedValues: [],
    validator: null,
    ...overrides,
  };
}
