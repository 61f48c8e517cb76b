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
export function createCatalogCache() {
  let cached: CatalogSnapshot | undefined;
  return {
    async load(db: Db): Promise<CatalogSnapshot> {
      const [{ revision }] = await db.$queryRaw<{ revision: bigint | null }[]>`SELECT max(id) AS revision FROM variable_catalog_history` as [{ revision: bigint | null }];
      const current = revision ?? 0n;
      if (cached && cached.revision === current) return cached;
      const rows = await db.catalogEntry.findMany({ orderBy: { name: 'asc' } });
      cached = {
        revision: current,
        entries: new Map(rows.map((row) => [row.name, row])),
        shapes: new Map(rows.map((row) => [row.name, toCatalogEntryShape(row)])),
      };
      return cached;
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
      cached = undefined;
    },
  };
}

export type CatalogCache = ReturnType<typeof createCatalogCache>;
