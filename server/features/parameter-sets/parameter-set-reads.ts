import type { ParameterSet, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { notFound } from '../../errors/app-error.ts';
import { isParameterSetHash } from './parameter-set-content.ts';
import { compareParameterSets, type ParameterSetComparison } from './parameter-set-diff.ts';

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
export function createParameterSetReads({ prisma }: { prisma: PrismaClient }) {
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

    /** What changed from set `hashA` to set `hashB` (NOT_FOUND for an unknown hash). */
    async compare(hashA: string, hashB: string): Promise<ParameterSetComparison> {
      const [from, to] = await Promise.all([find(hashA), find(hashB)]);
      return compareParameterSets(from, to);
    },
  };
}

export type ParameterSetReads = ReturnType<typeof createParameterSetReads>;
