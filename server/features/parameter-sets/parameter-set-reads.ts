import type { ParameterSet, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';
import { notFound } from '../../errors/app-error.ts';
import { visibleSets } from './environment-scope.ts';
import { isParameterSetHash } from './parameter-set-content.ts';
import { compareParameterSets, type ParameterSetComparison } from './parameter-set-diff.ts';

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
export function createParameterSetReads({ prisma }: { prisma: PrismaClient }) {
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

    /** A set known to exist and to be readable (a mutation's or a comparison's answer), with the operation's selection. */
    existing(query: Selection, hash: string): Promise<ParameterSet> {
      return prisma.parameterSet.findUniqueOrThrow({ ...(query as Prisma.ParameterSetFindUniqueOrThrowArgs), where: { hash } });
    },

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
