import type { CoreDeps } from '../../core-deps.ts';

// Placeholder: filled in by its feature work.
export function createRunService(_deps: CoreDeps) {
  return {};
}
