import DataLoader from 'dataloader';
import { firstUnappliedVersion, workerLag, type VersionKey, type WorkerLag, type WorkerReads } from './features/workers/index.ts';

/** What the lag of a worker row needs (its environment's active version comes with the row's selection). */
export interface WorkerLagRow {
  environmentId: string;
  appliedVersion: number | null;
  environment: { activeVersion: number };
}

/**
 * Request-scoped batch loaders for what plugin-prisma cannot fold into its own
 * queries (computed fields that read other rows). Created per operation so a
 * cache never outlives the request that filled it; the queries themselves
 * are the read models'.
 */
export function createLoaders({ workers }: { workers: Pick<WorkerReads, 'versionsSavedAt'> }) {
  const versionSavedAt = new DataLoader<VersionKey, Date | null, string>(
    (keys) => workers.versionsSavedAt(keys),
    { cacheKeyFn: ({ environmentId, version }) => `${environmentId}:${version}` },
  );
  return {
    /**
     * A worker's lag by the one rule (features/workers/lag-rule.ts). The save
     * times every worker of the operation needs are read in one query.
     */
    async workerLag(worker: WorkerLagRow): Promise<WorkerLag> {
      const { activeVersion } = worker.environment;
      const next = firstUnappliedVersion(activeVersion, worker.appliedVersion);
      const nextVersionSavedAt = next === null ? null : await versionSavedAt.load({ environmentId: worker.environmentId, version: next });
      return workerLag({ activeVersion, appliedVersion: worker.appliedVersion, nextVersionSavedAt }, new Date());
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
