import type { CatalogEntry, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { ParameterCategory } from '../../generated/prisma/enums.ts';
import { withKeyColumns } from '../../db/with-key-columns.ts';
import type { CatalogCache, CatalogSnapshot } from './catalog-cache.ts';

/** What plugin-prisma selects for the entries a field returns (its `query` argument). */
type CatalogEntryQuery = { include?: Prisma.CatalogEntryInclude; select?: Prisma.CatalogEntrySelect };
/** A connection's page adds its window to the selection. */
type CatalogPageQuery = CatalogEntryQuery & Pick<Prisma.CatalogEntryFindManyArgs, 'take' | 'skip' | 'cursor'>;

export interface CatalogFilter {
  /** Case-insensitive match on name, description or group. */
  search?: string | null;
  group?: string | null;
  category?: ParameterCategory | null;
  deprecated?: boolean | null;
  critical?: boolean | null;
  hotReloadable?: boolean | null;
}

export interface CatalogGroup {
  name: string;
  count: number;
}

function catalogWhere(filter: CatalogFilter | null | undefined): Prisma.CatalogEntryWhereInput {
  if (!filter) return {};
  const search = filter.search?.trim();
  return {
    ...(search ? {
      OR: [
        { name: { contains: search, mode: 'insensitive' } },
        { description: { contains: search, mode: 'insensitive' } },
        { groupName: { contains: search, mode: 'insensitive' } },
      ],
    } : {}),
    ...(filter.group ? { groupName: filter.group } : {}),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.deprecated != null ? { deprecated: filter.deprecated } : {}),
    ...(filter.critical != null ? { critical: filter.critical } : {}),
    ...(filter.hotReloadable != null ? { hotReloadable: filter.hotReloadable } : {}),
  };
}

/**
 * The read side of the catalog: pages and lookups of entries (history and
 * replacements are relations plugin-prisma folds in), the display groups,
 * and the cached snapshot every validating read shares with the writes.
 */
export function createCatalogReads({ prisma, catalogCache }: { prisma: PrismaClient; catalogCache: CatalogCache }) {
  return {
    /** One page of entries matching the filter, by group then name. */
    entries: (query: CatalogPageQuery, filter?: CatalogFilter | null): Promise<CatalogEntry[]> =>
      prisma.catalogEntry.findMany({ ...query, where: catalogWhere(filter), orderBy: [{ groupName: 'asc' }, { name: 'asc' }] }),

    /** How many entries match the filter (a connection's totalCount). */
    count: (filter?: CatalogFilter | null): Promise<number> => prisma.catalogEntry.count({ where: catalogWhere(filter) }),

    /** The entries of these names with the operation's selection, in one statement (a gateway's references). */
    entriesNamed: (query: CatalogEntryQuery, names: readonly string[]): Promise<CatalogEntry[]> =>
      prisma.catalogEntry.findMany({ ...withKeyColumns(query, ['name']), where: { name: { in: [...names] } } }),

    /** One entry by its name, or null. */
    entry: (query: CatalogEntryQuery, name: string): Promise<CatalogEntry | null> =>
      prisma.catalogEntry.findUnique({ ...query, where: { name } }),

    /** An entry known to exist, e.g. the one a write just returned. */
    existingEntry: (query: CatalogEntryQuery, name: string): Promise<CatalogEntry> =>
      prisma.catalogEntry.findUniqueOrThrow({ ...query, where: { name } }),

    /** Every display group with its number of entries, by name. */
    async groups(): Promise<CatalogGroup[]> {
      const groups = await prisma.catalogEntry.groupBy({ by: ['groupName'], _count: { _all: true }, orderBy: { groupName: 'asc' } });
      return groups.map((g) => ({ name: g.groupName, count: g._count._all }));
    },

    /** The catalog as of its latest revision (entries and validator shapes), from the cache. */
    snapshot: (): Promise<CatalogSnapshot> => catalogCache.load(prisma),

    /** The catalog revision parameter sets record (max of the catalog history). */
    version: async (): Promise<number> => Number((await catalogCache.load(prisma)).revision),
  };
}

export type CatalogReads = ReturnType<typeof createCatalogReads>;
