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
  /** Reads under way: a fleet loading at once reads a version from the database once. */
  const reading = new Map<string, Promise<Readonly<ValueMap>>>();
  const key = (environmentId: string, version: number) => `${environmentId}@${version}`;
  const cache = {
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
    /**
     * The snapshot from memory, else from `read` (once, however many ask
     * meanwhile), remembered. Only for committed versions: `read` must see
     * what every other connection sees.
     */
    load(environmentId: string, version: number, read: () => Promise<ValueMap>): Promise<Readonly<ValueMap>> {
      const found = cache.get(environmentId, version);
      if (found) return Promise.resolve(found);
      const k = key(environmentId, version);
      let pending = reading.get(k);
      if (!pending) {
        pending = read().then((values) => cache.set(environmentId, version, values)).finally(() => reading.delete(k));
        reading.set(k, pending);
      }
      return pending;
    },
    size: () => entries.size,
  };
  return cache;
}

export type SnapshotCache = ReturnType<typeof createSnapshotCache>;
