import type { ParameterSet, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';
import { notFound } from '../../errors/app-error.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { withKeyColumns } from '../../db/with-key-columns.ts';
import { visibleSets } from './environment-scope.ts';
import { readFactors } from './experimental-factors.ts';
import { isParameterSetHash, type CatalogMetadata } from './parameter-set-content.ts';
import { compareParameterSets, type ParameterSetComparison } from './parameter-set-diff.ts';

/** One parameter of a set as a run's page shows it. */
export interface ParameterSetValue {
  name: string;
  /** The frozen value of the environment version. */
  value: string | null;
  /** The factor's variant when the parameter is one of the experiment's factors. */
  variant: string | null;
  /** What the run applies: the variant, else the value. */
  effective: string | null;
  /** The catalog metadata frozen with the set. */
  frozen: CatalogMetadata | null;
}

/** A display group of the catalog (as it is today: groups are documentation, not content). */
export interface ParameterSetValueGroup {
  name: string;
  values: ParameterSetValue[];
}

/** What a prismaField hands down: the relations and columns the operation selects. */
type Selection = { include?: object; select?: object };

/** `environment` filters on where a set was first frozen (provenance). */
export interface ParameterSetFilter {
  environment?: string | null;
}

const where = (viewer: Viewer | null, { environment }: ParameterSetFilter): Prisma.ParameterSetWhereInput => ({
  ...(environment ? { environment: { name: environment } } : {}),
  ...visibleSets(viewer),
});

/**
 * Parameter sets as a caller reads them: operators every set; a service
 * token the sets its environment froze (environment-scope.ts). A set another
 * environment froze reads as absent to it (null, NOT_FOUND), as if it did not
 * exist.
 */
export function createParameterSetReads({ prisma, catalogCache }: { prisma: PrismaClient; catalogCache: CatalogCache }) {
  async function find(viewer: Viewer | null, hash: string): Promise<ParameterSet> {
    const set = isParameterSetHash(hash) ? await prisma.parameterSet.findFirst({ where: { hash, ...visibleSets(viewer) } }) : null;
    if (!set) throw notFound('Parameter set', hash);
    return set;
  }

  return {
    /** Newest first; `query` carries the connection's page (take, skip, cursor) and selection. */
    list(query: Selection, viewer: Viewer | null, filter: ParameterSetFilter): Promise<ParameterSet[]> {
      return prisma.parameterSet.findMany({ ...(query as Prisma.ParameterSetFindManyArgs), where: where(viewer, filter), orderBy: [{ createdAt: 'desc' }, { hash: 'asc' }] });
    },

    count: (viewer: Viewer | null, filter: ParameterSetFilter): Promise<number> => prisma.parameterSet.count({ where: where(viewer, filter) }),

    /** The set of that hash if the viewer may read it, else null. */
    byHash(query: Selection, viewer: Viewer | null, hash: string): Promise<ParameterSet | null> {
      if (!isParameterSetHash(hash)) return Promise.resolve(null);
      return prisma.parameterSet.findFirst({ ...(query as Prisma.ParameterSetFindFirstArgs), where: { hash, ...visibleSets(viewer) } });
    },

    /**
     * The set's parameters (values and factors) by the catalog's display
     * groups, groups and names sorted. The catalog comes from the cache: one
     * statement whatever the number of sets or parameters.
     */
    async valueGroups(set: Pick<ParameterSet, 'values' | 'factors' | 'catalogSnapshot'>): Promise<ParameterSetValueGroup[]> {
      const catalog = await catalogCache.load(prisma);
      const values = set.values as Record<string, string>;
      const factors = readFactors(set.factors);
      const frozen = set.catalogSnapshot as Record<string, CatalogMetadata>;
      const groups = new Map<string, ParameterSetValue[]>();
      for (const name of [...new Set([...Object.keys(values), ...Object.keys(factors)])].sort()) {
        const group = catalog.entries.get(name)?.groupName ?? 'Other';
        const value = values[name] ?? null;
        const variant = factors[name] ?? null;
        const rows = groups.get(group) ?? [];
        rows.push({ name, value, variant, effective: variant ?? value, frozen: frozen[name] ?? null });
        groups.set(group, rows);
      }
      return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, rows]) => ({ name, values: rows }));
    },

    /** A set known to exist and to be readable (a mutation's or a comparison's answer), with the operation's selection. */
    existing(query: Selection, hash: string): Promise<ParameterSet> {
      return prisma.parameterSet.findUniqueOrThrow({ ...(query as Prisma.ParameterSetFindUniqueOrThrowArgs), where: { hash } });
    },

    /** The sets of these hashes the viewer may read, in one statement (a gateway's references; absent as in byHash). */
    visibleByHashes: (query: Selection, viewer: Viewer | null, hashes: readonly string[]): Promise<ParameterSet[]> =>
      prisma.parameterSet.findMany({ ...(withKeyColumns(query, ['hash']) as Prisma.ParameterSetFindManyArgs), where: { hash: { in: hashes.filter(isParameterSetHash) }, ...visibleSets(viewer) } }),

    /** The node lookup's key (schema/parameter-sets.ts): a set the viewer may not read is not found. */
    nodeWhere: (hash: string, viewer: Viewer | null): Prisma.ParameterSetWhereUniqueInput => ({ hash, ...visibleSets(viewer) }),

    /** What changed from set `hashA` to set `hashB` (NOT_FOUND for an unknown or unreadable hash). */
    async compare(viewer: Viewer | null, hashA: string, hashB: string): Promise<ParameterSetComparison> {
      const [from, to] = await Promise.all([find(viewer, hashA), find(viewer, hashB)]);
      return compareParameterSets(from, to);
    },
  };
}

export type ParameterSetReads = ReturnType<typeof createParameterSetReads>;
