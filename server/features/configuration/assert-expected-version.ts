import { versionConflict } from '../../errors/app-error.ts';
import type { EnvironmentState } from './find-environment.ts';

/** Optimistic concurrency: a write names the active version it read; any other one is VERSION_CONFLICT with the current one. */
export function assertExpectedVersion(environment: EnvironmentState, expectedVersion: number): void {
  if (environment.activeVersion !== expectedVersion) {
    throw versionConflict({ environment: environment.name, currentVersion: environment.activeVersion, expectedVersion });
  }
}
