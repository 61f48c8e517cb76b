import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { Db } from '../../db/transaction.ts';
import type { CatalogEntryShape } from '../../../contract/validation/index.ts';
import { toCatalogEntryShape } from './catalog-entry-row.ts';

export interface CatalogSnapshot {
  /** max(variable_catalog_history.id): the catalog version parameter sets record. */
  revision: bigint;
  entries: ReadonlyMap<string, CatalogEntry>;
  shapes: ReadonlyMap<string, CatalogEntryShape>;
}

/**
 * The catalog as of its latest revision, reloaded only when the revision
 * moved: every write validates against ~570 entries, and one indexed max()
 * is far cheaper than reading them all each time. One per process, shared by
 * the write services and the read models (the composition root makes it).
 */
export function createCatalogCache({ listening }: {
  /**
   * True while catalog changes are being heard (the LISTEN connection is up;
   * the bridge invalidates on every catalog_changed and after a reconnect).
   * Then `read` trusts the snapshot in memory instead of asking its revision.
   */
  listening?: () => boolean;
} = {}) {
  let cached: CatalogSnapshot | undefined;
  // A load that began before an invalidation does not store what it read.
  let epoch = 0;
  const load = async (db: Db): Promise<CatalogSnapshot> => {
    const began = epoch;
    const [{ revision }] = await db.$queryRaw<{ revision: bigint | null }[]>`SELECT max(id) AS revision FROM variable_catalog_history` as [{ revision: bigint | null }];
    const current = revision ?? 0n;
    if (cached && cached.revision === current) return cached;
    const rows = await db.catalogEntry.findMany({ orderBy: { name: 'asc' } });
    const snapshot: CatalogSnapshot = {
      revision: current,
      entries: new Map(rows.map((row) => [row.name, row])),
      shapes: new Map(rows.map((row) => [row.name, toCatalogEntryShape(row)])),
    };
    if (began === epoch) cached = snapshot;
    return snapshot;
  };
  return {
    /** The catalog at its latest revision, asked of the database (writes, and what parameter sets record). */
    load,
    /**
     * The catalog for a read: the snapshot in memory while changes are heard
     * (a fleet's loads then cost no statement for it), else `load`. A change
     * shows here within a notification's delay; this process's own at once.
     */
    read(db: Db): Promise<CatalogSnapshot> {
      return cached && listening?.() ? Promise.resolve(cached) : load(db);
    },
    /**
     * The snapshot last loaded, without asking the database whether it is
     * still the latest (undefined before the first load or after
     * invalidate()). For a save that has the database compare the revision
     * under its lock instead.
     */
    peek(): CatalogSnapshot | undefined {
      return cached;
    },
    invalidate() {
      epoch += 1;
      cached = undefined;
    },
  };
}

export type CatalogCache = ReturnType<typeof createCatalogCache>;
