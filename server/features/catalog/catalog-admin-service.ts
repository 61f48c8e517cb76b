import type { CoreDeps } from '../../core-deps.ts';

// Placeholder: filled in by its feature work.
export function createCatalogAdminService(_deps: CoreDeps) {
  return {};
}
