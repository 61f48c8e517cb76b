import { forbidden } from '../errors/app-error.ts';
import type { Viewer } from './viewer.ts';

/**
 * Operators and read-only monitor tokens read every environment; a service
 * token reads only the one it was issued for.
 */
export function canReadEnvironment(viewer: Viewer | null, environmentId: string): boolean {
  if (!viewer) return false;
  return viewer.kind !== 'service' || viewer.environmentId === environmentId;
}

export function assertEnvironmentReadable(viewer: Viewer | null, environmentId: string, name: string): void {
  if (!canReadEnvironment(viewer, environmentId)) throw forbidden(`This service token is scoped to another environment than ${name}.`);
}
