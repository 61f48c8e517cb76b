// The catalog slice's face: the cached catalog every write validates against,
// the admin service that adds, edits and deprecates entries, the read model
// of entries and groups, and the row-to-shape mapping other slices validate with.
export { createCatalogCache, type CatalogCache, type CatalogSnapshot } from './catalog-cache.ts';
export { createCatalogAdminService, type CatalogAdminService, type CatalogAdminServiceDeps } from './catalog-admin-service.ts';
export { createCatalogReads, type CatalogFilter, type CatalogGroup, type CatalogReads } from './catalog-reads.ts';
export { toCatalogEntryShape } from './catalog-entry-row.ts';
export type {
  CatalogEntryDefinition, CatalogEntryFields, CatalogViolation, CheckCatalogEntryInput, CreateCatalogEntryInput,
  DeprecateCatalogEntryInput, DeprecatedValue, UpdateCatalogEntryInput,
} from './catalog-entry-definition.ts';
