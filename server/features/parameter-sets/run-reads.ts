import type { Prisma, PrismaClient, Run, RunKind, RunStatus } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';
import { uuidOrNil } from './uuid-or-nil.ts';
import { visibleRuns } from './environment-scope.ts';

/** What a prismaField hands down: the relations and columns the operation selects. */
type Selection = { include?: object; select?: object };

export interface RunFilter {
  kind?: RunKind | null;
  status?: RunStatus | null;
  /** Every run sharing one parameter set. */
  parameterSetHash?: string | null;
}

function where(viewer: Viewer | null, { kind, status, parameterSetHash }: RunFilter): Prisma.RunWhereInput {
  return {
    ...(kind ? { kind } : {}),
    ...(status ? { status } : {}),
    ...(parameterSetHash ? { parameterSetHash } : {}),
    ...visibleRuns(viewer),
  };
}

const newestFirst: Prisma.RunOrderByWithRelationInput[] = [{ startedAt: 'desc' }, { id: 'asc' }];

/** Runs as a caller reads them: operators every run, a service token its environment's (environment-scope.ts). */
export function createRunReads({ prisma }: { prisma: PrismaClient }) {
  return {
    /** Newest first; `query` carries the connection's page and selection. */
    list(query: Selection, viewer: Viewer | null, filter: RunFilter): Promise<Run[]> {
      return prisma.run.findMany({ ...(query as Prisma.RunFindManyArgs), where: where(viewer, filter), orderBy: newestFirst });
    },

    count: (viewer: Viewer | null, filter: RunFilter): Promise<number> => prisma.run.count({ where: where(viewer, filter) }),

    /** The filter and order of a set's runs connection: the runs the viewer may read, newest first. */
    ofSetQuery: (viewer: Viewer | null) => ({ where: visibleRuns(viewer), orderBy: newestFirst }),

    /** The node lookup's key (schema/runs.ts): a run the viewer may not read is not found. */
    nodeWhere: (id: string, viewer: Viewer | null): Prisma.RunWhereUniqueInput => ({ id: uuidOrNil(id), ...visibleRuns(viewer) }),
  };
}

export type RunReads = ReturnType<typeof createRunReads>;
