import type { Viewer } from '../../auth/index.ts';
import type { Tx } from '../../db/transaction.ts';
import { badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import { findEnvironment, readSnapshot, type EnvironmentState } from '../configuration/index.ts';
import { canonical } from './parameter-set-content.ts';

/** The set a run is started on, as pinning needs it. */
export interface PinnedSet {
  hash: string;
  environmentId: string | null;
  configVersion: number | null;
  values: unknown;
  environment: { name: string } | null;
}

export interface PinRequest {
  /** Defaults to a token's own environment, else to where the set was first frozen. */
  environment?: string | null;
  /** Defaults to the version the set was frozen from in that environment, else its active version. */
  configVersion?: number | null;
}

/**
 * The environment version a new run runs under. A set is deduplicated by
 * content, so the same set can come from dev@7 and staging@3: the run names
 * its own, and that version must hold exactly the set's values (the database
 * checks it again), so "the config version it ran under" never lies. A
 * service token starts runs in its own environment only.
 */
export async function pinRun(tx: Tx, viewer: Viewer, set: PinnedSet, request: PinRequest): Promise<{ environment: EnvironmentState; version: number }> {
  const name = request.environment ?? (viewer.kind === 'service' ? viewer.environmentName : set.environment?.name);
  if (!name) throw badRequest('Name the environment the run runs in: its parameter set was not frozen from one.', { field: 'environment' });
  const environment = await findEnvironment(tx, name);
  if (viewer.kind === 'service' && viewer.environmentId !== environment.id) {
    throw forbidden(`This service token is scoped to another environment than ${environment.name}.`);
  }
  const version = request.configVersion
    ?? (environment.id === set.environmentId && set.configVersion !== null ? set.configVersion : environment.activeVersion);
  if (!Number.isInteger(version) || version < 1 || version > environment.activeVersion) {
    throw notFound(`Version of ${environment.name}`, String(version));
  }
  const values = await readSnapshot(tx, environment, version);
  if (canonical(values) !== canonical(set.values)) {
    throw badRequest(
      `Parameter set ${set.hash.slice(0, 12)} does not hold the values of version ${version} of ${environment.name}: freeze that version and start the run on the set it gives.`,
      { field: 'configVersion' },
    );
  }
  return { environment, version };
}
