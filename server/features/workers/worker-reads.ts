import type { Prisma, PrismaClient, Worker, WorkerApply } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { assertEnvironmentReadable, canReadEnvironment, type Viewer } from '../../auth/index.ts';
import { withKeyColumns } from '../../db/with-key-columns.ts';
import { filterEvents } from '../../realtime/filter-events.ts';
import type { AppPubSub, WorkerStatusChangedEvent } from '../../realtime/pubsub.ts';
import { findEnvironment } from '../configuration/index.ts';

/** What a prismaField hands down: the relations and columns the operation selects. */
type Selection = { include?: object; select?: object };

/** One (environment, version) pair whose save time the lag rule needs. */
export interface VersionKey {
  environmentId: string;
  version: number;
}

/** How many apply reports a caller may ask for: per worker, and per environment (the latency chart). */
const appliesCap = { perWorker: { default: 20, max: 500 }, perEnvironment: { default: 200, max: 2000 } } as const;
const clamp = (last: number | null | undefined, { default: fallback, max }: { default: number; max: number }) => Math.min(Math.max(last ?? fallback, 1), max);

/**
 * What the schema reads about workers: the registry (scoped to what the
 * viewer may read), their apply reports, and their status changes. A service
 * token sees its own environment's workers; an operator every environment's.
 */
export function createWorkerReads({ prisma, pubsub }: { prisma: PrismaClient; pubsub: AppPubSub }) {
  /** The environment a query or subscription is limited to: the named one (FORBIDDEN unless readable), or a token's own. */
  async function scope(viewer: Viewer | null, environment: string | null | undefined): Promise<string | undefined> {
    if (environment) {
      const env = await findEnvironment(prisma, environment);
      assertEnvironmentReadable(viewer, env.id, environment);
      return env.id;
    }
    return viewer?.kind === 'service' ? viewer.environmentId : undefined;
  }

  return {
    /** By environment (oldest first), then name. */
    async list(query: Selection, viewer: Viewer | null, { environment }: { environment?: string | null }): Promise<Worker[]> {
      const environmentId = await scope(viewer, environment);
      return prisma.worker.findMany({
        ...(query as Prisma.WorkerFindManyArgs),
        where: environmentId ? { environmentId } : {},
        orderBy: [{ environment: { createdAt: 'asc' } }, { name: 'asc' }],
      });
    },

    /**
     * The workers of these ids the viewer may read, in one statement (a
     * gateway's references): another environment's worker is absent to a
     * token, as it is from list().
     */
    visibleByIds: (query: Selection, viewer: Viewer | null, ids: readonly string[]): Promise<Worker[]> =>
      prisma.worker.findMany({ ...(withKeyColumns(query, ['id']) as Prisma.WorkerFindManyArgs), where: { id: { in: ids.filter(isUuid) }, ...(viewer?.kind === 'service' ? { environmentId: viewer.environmentId } : {}) } }),

    /** One worker with the operation's selection (a mutation's answer). */
    byId(query: Selection, id: string): Promise<Worker> {
      return prisma.worker.findUniqueOrThrow({ ...(query as Prisma.WorkerFindUniqueOrThrowArgs), where: { id } });
    },

    /** A worker's latest apply reports, newest first (the relation's ordering and cap). */
    appliesOfWorker(last: number | null | undefined) {
      return { orderBy: { appliedAt: 'desc' as const }, take: clamp(last, appliesCap.perWorker) };
    },

    /** An environment's latest apply reports, newest first; none for an unknown or unreadable environment. */
    async recentApplies(query: Selection, viewer: Viewer | null, { environment, last }: { environment: string; last?: number | null }): Promise<WorkerApply[]> {
      const env = await prisma.environment.findUnique({ where: { name: environment }, select: { id: true } });
      if (!env || !canReadEnvironment(viewer, env.id)) return [];
      return prisma.workerApply.findMany({
        ...(query as Prisma.WorkerApplyFindManyArgs),
        where: { worker: { environmentId: env.id } },
        orderBy: { appliedAt: 'desc' },
        take: clamp(last, appliesCap.perEnvironment),
      });
    },

    /** When each version was saved (null for one that does not exist), in the keys' order: one query for a batch. */
    async versionsSavedAt(keys: readonly VersionKey[]): Promise<(Date | null)[]> {
      const rows = await prisma.configVersion.findMany({
        where: { OR: keys.map(({ environmentId, version }) => ({ environmentId, version })) },
        select: { environmentId: true, version: true, createdAt: true },
      });
      const found = new Map(rows.map((row) => [`${row.environmentId}:${row.version}`, row.createdAt]));
      return keys.map(({ environmentId, version }) => found.get(`${environmentId}:${version}`) ?? null);
    },

    /**
     * Status changes of the workers the viewer may read (of one environment
     * when named). The event carries the worker's environment, so the filter
     * costs no query; the caller reads the worker back with its selection.
     */
    async statusChanges(viewer: Viewer | null, { environment }: { environment?: string | null }): Promise<AsyncIterableIterator<WorkerStatusChangedEvent>> {
      const environmentId = await scope(viewer, environment);
      return filterEvents(
        pubsub.subscribe('workerStatusChanged'),
        (event) => (!environmentId || event.environmentId === environmentId) && canReadEnvironment(viewer, event.environmentId),
      );
    },
  };
}

export type WorkerReads = ReturnType<typeof createWorkerReads>;
