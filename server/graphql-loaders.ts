import DataLoader from 'dataloader';
import { assertEnvironmentReadable, type Viewer } from './auth/index.ts';
import type { CatalogEntry, ConfigVersion, Environment, ParameterSet, Run, Worker } from './generated/prisma/client.ts';
import { firstUnappliedVersion, workerLag, type VersionKey, type WorkerLag } from './features/workers/index.ts';
import type { Selection } from './db/with-key-columns.ts';
import type { Reads } from './reads.ts';

/** What a worker row's lag needs (its environment's active version comes with the row's selection). */
export interface WorkerLagRow {
  environmentId: string;
  appliedVersion: number | null;
  environment: { activeVersion: number };
}

/** A config version's natural key: what a federated gateway references one by. */
export interface ConfigVersionKey {
  environment: string;
  version: number;
}

/** The read models the loaders batch over. */
export type LoaderReads = {
  workers: Pick<Reads['workers'], 'versionsSavedAt' | 'visibleByIds'>;
  runs: Pick<Reads['runs'], 'visibleByIds'>;
  parameterSets: Pick<Reads['parameterSets'], 'visibleByHashes'>;
  config: Pick<Reads['config'], 'environmentsNamed' | 'versionsOf'>;
  catalog: Pick<Reads['catalog'], 'entriesNamed'>;
};

/**
 * Batched lookups by key, one batch per selection: every reference of one
 * `_entities` call selects the same fields, so they share one statement. Rows
 * the batch did not return are null.
 */
function keyedLoaders<Key, Row>(
  load: (query: Selection, keys: readonly Key[]) => Promise<Row[]>,
  keyOf: (row: Row) => string,
  cacheKey: (key: Key) => string,
): (query: Selection, key: Key) => Promise<Row | null> {
  const bySelection = new Map<string, DataLoader<Key, Row | null, string>>();
  return (query, key) => {
    const selection = JSON.stringify(query);
    let loader = bySelection.get(selection);
    if (!loader) {
      loader = new DataLoader<Key, Row | null, string>(async (keys) => {
        const rows = new Map((await load(query, keys)).map((row) => [keyOf(row), row]));
        return keys.map((k) => rows.get(cacheKey(k)) ?? null);
      }, { cacheKeyFn: cacheKey });
      bySelection.set(selection, loader);
    }
    return loader.load(key);
  };
}

const same = (key: string) => key;

/**
 * Request-scoped batch loaders for what plugin-prisma cannot fold into its own
 * queries: computed fields that read other rows, and the entities a federated
 * gateway references (schema/entities.ts), which arrive one resolver call per
 * reference. Created per operation, for its caller, so a cache never outlives
 * the request that filled it nor serves another viewer; the queries
 * themselves are the read models', scoped as their direct queries are.
 */
export function createLoaders(reads: LoaderReads, viewer: Viewer | null) {
  const versionSavedAt = new DataLoader<VersionKey, Date | null, string>(
    (keys) => reads.workers.versionsSavedAt(keys),
    { cacheKeyFn: ({ environmentId, version }) => `${environmentId}:${version}` },
  );
  const environments = keyedLoaders<string, Environment>((query, names) => reads.config.environmentsNamed(query, names), (env) => env.name, same);
  const versions = keyedLoaders<{ environmentId: string; version: number }, ConfigVersion>(
    (query, keys) => reads.config.versionsOf(query, keys),
    (row) => `${row.environmentId}:${row.version}`,
    ({ environmentId, version }) => `${environmentId}:${version}`,
  );
  const runs = keyedLoaders<string, Run>((query, ids) => reads.runs.visibleByIds(query, viewer, ids), (run) => run.id, same);
  const parameterSets = keyedLoaders<string, ParameterSet>((query, hashes) => reads.parameterSets.visibleByHashes(query, viewer, hashes), (set) => set.hash, same);
  const catalogEntries = keyedLoaders<string, CatalogEntry>((query, names) => reads.catalog.entriesNamed(query, names), (entry) => entry.name, same);
  const workers = keyedLoaders<string, Worker>((query, ids) => reads.workers.visibleByIds(query, viewer, ids), (worker) => worker.id, same);

  /** An environment by name: FORBIDDEN for a token of another one, as environment(name:) is. */
  async function environment(query: Selection, name: string): Promise<Environment | null> {
    const env = await environments(query, name);
    if (env) assertEnvironmentReadable(viewer, env.id, name);
    return env;
  }

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

    /**
     * Entities by their natural keys with the operation's selection (`query`,
     * plugin-prisma's, so relations come in the same statement), each kind in
     * one statement per selection whatever the number of references. Absent (null) where the
     * direct query answers null (another environment's run, set or worker to
     * a token); refused where it refuses (another environment to a token).
     */
    entities: {
      environment,
      async configVersion(query: Selection, { environment: name, version }: ConfigVersionKey): Promise<ConfigVersion | null> {
        // The environment's id only: its own selection is the version's business.
        const env = await environment({ select: { id: true } }, name);
        return env ? versions(query, { environmentId: env.id, version }) : null;
      },
      run: (query: Selection, id: string) => runs(query, id),
      parameterSet: (query: Selection, hash: string) => parameterSets(query, hash),
      catalogEntry: (query: Selection, name: string) => catalogEntries(query, name),
      worker: (query: Selection, id: string) => workers(query, id),
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
