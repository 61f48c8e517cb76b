import type { ParameterSet, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { notFound } from '../../errors/app-error.ts';
import type { CatalogCache } from '../catalog/index.ts';
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

const where = ({ environment }: ParameterSetFilter): Prisma.ParameterSetWhereInput => (environment ? { environment: { name: environment } } : {});

/**
 * Parameter sets as any signed-in caller reads them: a set is content, not
 * an environment's state, so no environment scoping applies (see
 * schema/parameter-sets.ts).
 */
export function createParameterSetReads({ prisma, catalogCache }: { prisma: PrismaClient; catalogCache: CatalogCache }) {
  async function find(hash: string): Promise<ParameterSet> {
    const set = isParameterSetHash(hash) ? await prisma.parameterSet.findUnique({ where: { hash } }) : null;
    if (!set) throw notFound('Parameter set', hash);
    return set;
  }

  return {
    /** Newest first; `query` carries the connection's page (take, skip, cursor) and selection. */
    list(query: Selection, filter: ParameterSetFilter): Promise<ParameterSet[]> {
      return prisma.parameterSet.findMany({ ...(query as Prisma.ParameterSetFindManyArgs), where: where(filter), orderBy: [{ createdAt: 'desc' }, { hash: 'asc' }] });
    },

    count: (filter: ParameterSetFilter): Promise<number> => prisma.parameterSet.count({ where: where(filter) }),

    /** The set of that hash, or null. */
    byHash(query: Selection, hash: string): Promise<ParameterSet | null> {
      return prisma.parameterSet.findUnique({ ...(query as Prisma.ParameterSetFindUniqueArgs), where: { hash } });
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

    /** What changed from set `hashA` to set `hashB` (NOT_FOUND for an unknown hash). */
    async compare(hashA: string, hashB: string): Promise<ParameterSetComparison> {
      const [from, to] = await Promise.all([find(hashA), find(hashB)]);
      return compareParameterSets(from, to);
    },
  };
}

export type ParameterSetReads = ReturnType<typeof createParameterSetReads>;
