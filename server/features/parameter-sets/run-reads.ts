import type { Prisma, PrismaClient, Run, RunKind, RunStatus } from '../../generated/prisma/client.ts';

/** What a prismaField hands down: the relations and columns the operation selects. */
type Selection = { include?: object; select?: object };

export interface RunFilter {
  kind?: RunKind | null;
  status?: RunStatus | null;
  /** Every run sharing one parameter set. */
  parameterSetHash?: string | null;
}

function where({ kind, status, parameterSetHash }: RunFilter): Prisma.RunWhereInput {
  return {
    ...(kind ? { kind } : {}),
    ...(status ? { status } : {}),
    ...(parameterSetHash ? { parameterSetHash } : {}),
  };
}

/** Runs as any signed-in caller reads them (like parameter sets). */
export function createRunReads({ prisma }: { prisma: PrismaClient }) {
  return {
    /** Newest first; `query` carries the connection's page and selection. */
    list(query: Selection, filter: RunFilter): Promise<Run[]> {
      return prisma.run.findMany({ ...(query as Prisma.RunFindManyArgs), where: where(filter), orderBy: [{ startedAt: 'desc' }, { id: 'asc' }] });
    },

    count: (filter: RunFilter): Promise<number> => prisma.run.count({ where: where(filter) }),
  };
}

export type RunReads = ReturnType<typeof createRunReads>;
