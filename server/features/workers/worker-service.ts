import type { CoreDeps } from '../../core-deps.ts';

// Placeholder: filled in by its feature work.
export function createWorkerService(_deps: CoreDeps) {
  return {};
}
