import type { Prisma, PrismaClient, Run, RunEpoch } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { canReadEnvironment, type Viewer } from '../../auth/index.ts';
import { badRequest, notFound } from '../../errors/app-error.ts';
import { withKeyColumns } from '../../db/with-key-columns.ts';
import { uuidOrNil } from './uuid-or-nil.ts';
import { compareParameterSets, type ParameterSetComparison } from './parameter-set-diff.ts';
import { compareRunComparability, type Comparability, type ComparabilityReason } from './run-comparability.ts';
import { runOrderBy, runWhere, visibleRuns, type RunFilter, type RunOrder } from './run-filter.ts';

/** What a prismaField hands down: the relations and columns the operation selects. */
type Selection = { include?: object; select?: object };

export interface RunComparison {
  a: Run;
  b: Run;
  verdict: Comparability;
  reasons: ComparabilityReason[];
  parameterSets: ParameterSetComparison;
}

/** Operators (and a monitor token) read every run; a service token only those of its own environment (a legacy run has none). */
export function canReadRun(viewer: Viewer | null, run: { environmentId: string | null }): boolean {
  if (viewer && viewer.kind !== 'service') return true;
  return run.environmentId !== null && canReadEnvironment(viewer, run.environmentId);
}

/**
 * Runs as the schema reads them, scoped to what the viewer may see:
 * operators every run, a service token its own environment's. Another
 * environment's run is absent to a token (null, left out of lists, NOT_FOUND
 * when compared), as if it did not exist.
 */
export function createRunReads({ prisma }: { prisma: PrismaClient }) {
  async function readable(viewer: Viewer | null, id: string) {
    const run = isUuid(id) ? await prisma.run.findUnique({ where: { id }, include: { parameterSet: true } }) : null;
    if (!run || !canReadRun(viewer, run)) throw notFound('Run', id);
    return run;
  }

  return {
    canRead: canReadRun,

    /** `query` carries the connection's page (take, skip, cursor) and selection. */
    list(query: Selection, viewer: Viewer | null, filter: RunFilter, order?: RunOrder | null): Promise<Run[]> {
      return prisma.run.findMany({ ...(query as Prisma.RunFindManyArgs), where: runWhere(viewer, filter, order), orderBy: runOrderBy(order) });
    },

    count: (viewer: Viewer | null, filter: RunFilter, order?: RunOrder | null): Promise<number> =>
      prisma.run.count({ where: runWhere(viewer, filter, order) }),

    /** The filter and order of a relation list of runs (a set's runs), for plugin-prisma to fold into its query. */
    relatedQuery: (viewer: Viewer | null) => ({ where: visibleRuns(viewer), orderBy: runOrderBy('STARTED_AT_DESC') }),

    /**
     * One run by id, or the most recently started one of that name (names
     * need not be unique: an orchestrator may reuse one per sweep). Null
     * when there is none the viewer may read (another environment's run is
     * absent to a token).
     */
    async find(query: Selection, viewer: Viewer | null, { id, name }: { id?: string | null; name?: string | null }): Promise<Run | null> {
      if ((id == null) === (name == null)) throw badRequest('Give the run\'s id or its name (one of them).', { field: id == null ? 'id' : 'name' });
      if (id != null) {
        const run = isUuid(id) ? await prisma.run.findUnique({ ...(query as Prisma.RunFindUniqueArgs), where: { id } }) : null;
        return run && canReadRun(viewer, run) ? run : null;
      }
      return prisma.run.findFirst({ ...(query as Prisma.RunFindFirstArgs), where: { AND: [visibleRuns(viewer), { name: name! }] }, orderBy: runOrderBy('STARTED_AT_DESC') });
    },

    /**
     * Backtests the product runs itself (app/backtest-executor.ts): the
     * re-runs of a backtest (rerunRun) still PENDING, oldest first.
     */
    async queuedBacktests(limit: number): Promise<{ id: string; environment: string }[]> {
      const runs = await prisma.run.findMany({
        where: { kind: 'BACKTEST', status: 'PENDING', rerunOfId: { not: null }, legacy: false },
        orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
        take: limit,
        select: { id: true, environment: { select: { name: true } } },
      });
      return runs.flatMap((run) => (run.environment ? [{ id: run.id, environment: run.environment.name }] : []));
    },

    /**
     * Queued backtests claimed (moved to RUNNING) before `claimedBefore` and
     * still running: left behind by a process that died mid-run, since every
     * executor gives up on a run after its maximum run time.
     */
    async abandonedBacktests(claimedBefore: Date, limit: number): Promise<{ id: string; environment: string }[]> {
      return prisma.$queryRaw<{ id: string; environment: string }[]>`
        SELECT r.id::text AS id, e.name AS environment
        FROM runs r JOIN environments e ON e.id = r.environment_id
        WHERE r.kind = 'BACKTEST' AND r.status = 'RUNNING' AND r.rerun_of_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM audit_events a
                      WHERE a.action = 'run_status_changed' AND a.subject_id = r.id::text AND a.details->>'to' = 'RUNNING' AND a.at < ${claimedBefore})
        ORDER BY r.started_at
        LIMIT ${limit}`;
    },

    /** One session epoch with the operation's selection (a startSession answer reads its epoch back). */
    epoch(query: Selection, id: bigint): Promise<RunEpoch> {
      return prisma.runEpoch.findUniqueOrThrow({ ...(query as Prisma.RunEpochFindUniqueArgs), where: { id } });
    },

    /**
     * Two runs side by side: the comparability verdict with its reasons
     * (run-comparability.ts) and what differs between their sets. Two
     * statements whatever the runs (each with its set).
     */
    async compare(viewer: Viewer | null, idA: string, idB: string): Promise<RunComparison> {
      const [a, b] = await Promise.all([readable(viewer, idA), readable(viewer, idB)]);
      const { verdict, reasons } = compareRunComparability(a, b);
      return { a, b, verdict, reasons, parameterSets: compareParameterSets(a.parameterSet, b.parameterSet) };
    },

    /**
     * The runs of these ids (uuids) the viewer may read, in one statement
     * whatever their number: a federated gateway's references (schema/entities.ts).
     * Another environment's run is absent to a token, as in find().
     */
    visibleByIds: (query: Selection, viewer: Viewer | null, ids: readonly string[]): Promise<Run[]> =>
      prisma.run.findMany({ ...(withKeyColumns(query, ['id']) as Prisma.RunFindManyArgs), where: { id: { in: ids.filter(isUuid) }, AND: [visibleRuns(viewer)] } }),

    /**
     * One run with its whole lineage for a report (server/http/run-report):
     * its set, environment, the version it ran under with who changed what
     * and why, and the run it re-runs. NOT_FOUND when the viewer may not
     * read it, as compareRuns answers. One statement.
     */
    async lineage(viewer: Viewer | null, id: string) {
      const run = isUuid(id)
        ? await prisma.run.findUnique({
          where: { id },
          include: {
            parameterSet: true,
            environment: { select: { name: true } },
            rerunOf: { select: { id: true, name: true } },
            version: {
              include: {
                author: { select: { username: true, displayName: true } },
                approver: { select: { username: true, displayName: true } },
                changeRequest: { select: { reviewComment: true } },
                changes: { orderBy: { parameterName: 'asc' }, select: { parameterName: true, before: true, after: true } },
              },
            },
          },
        })
        : null;
      if (!run || !canReadRun(viewer, run)) throw notFound('Run', id);
      return run;
    },

    /** The node lookup's key (schema/runs.ts): a run the viewer may not read is not found. */
    nodeWhere: (id: string, viewer: Viewer | null): Prisma.RunWhereUniqueInput => ({ id: uuidOrNil(id), AND: [visibleRuns(viewer)] }),
  };
}

export type RunReads = ReturnType<typeof createRunReads>;
/** A run with its lineage, as RunReads.lineage reads it. */
export type RunLineage = Awaited<ReturnType<RunReads['lineage']>>;
