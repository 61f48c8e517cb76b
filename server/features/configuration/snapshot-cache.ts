import type { ValueMap } from './value-map.ts';

/**
 * Snapshots by (environment id, version), the last `maxEntries` used. A
 * version never changes once written (the database refuses UPDATE and DELETE
 * on config_versions), so an entry is never stale: a save validates against
 * the snapshot of the version it expects, and if another writer (or replica)
 * moved the environment on, the save's own statement refuses it under the
 * lock. Entries are frozen: callers share them.
 */
export function createSnapshotCache({ maxEntries = 32 }: { maxEntries?: number } = {}) {
  const entries = new Map<string, Readonly<ValueMap>>();
  const key = (environmentId: string, version: number) => `${environmentId}@${version}`;
  return {
    get(environmentId: string, version: number): Readonly<ValueMap> | undefined {
      const k = key(environmentId, version);
      const found = entries.get(k);
      if (found) {
        // Most recently used last: the first key is the one to drop.
        entries.delete(k);
        entries.set(k, found);
      }
      return found;
    },
    set(environmentId: string, version: number, values: ValueMap): Readonly<ValueMap> {
      const frozen = Object.freeze(values);
      entries.delete(key(environmentId, version));
      entries.set(key(environmentId, version), frozen);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return frozen;
    },
    size: () => entries.size,
  };
}

export type SnapshotCache = ReturnType<typeof createSnapshotCache>;
