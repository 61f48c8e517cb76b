import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';
import { PARAMETER_CATEGORIES } from '../../../contract/catalog.ts';
import { readWorkerStates, versionsBehind, workerLag, type WorkerLag, type WorkerState } from '../workers/index.ts';
import { activityCounts } from './activity-counts.ts';
import { configChangeRows, versionRows, type RowWindow } from './config-history.ts';
import { latencyPercentiles } from './latency-percentiles.ts';
import { matchingWorkerIds, readableEnvironments, type ScopedEnvironment } from './readable-scope.ts';
import { noFilter, type ObservabilityFilter } from './series-filter.ts';
import type { TimeBuckets } from './time-buckets.ts';
import { activeVersionSteps, appliedVersionSteps, type Steps } from './version-history.ts';

/** A time series question: the buckets and the filters. */
export interface SeriesQuery {
  buckets: TimeBuckets;
  filter: ObservabilityFilter;
}

/** A worker as the tables show it: its state and what the lag rule says of it now. */
export type WorkerRow = WorkerState & { lag: WorkerLag };

/** At most this many workers get a series of their own (the rest: narrow the filter). */
const maxWorkerSeries = 200;
/** Enough to count every worker of a platform in one query. */
const countAllWorkers = 1_000_000;

/** A stopped worker alerts nobody (ucp_workers_lagging counts the others). */
const runningAndLagging = (row: WorkerRow) => row.status !== 'STOPPED' && row.lag.lagging;

const hasWorkerFilter = (filter: ObservabilityFilter) => filter.worker.length + filter.parameter.length + filter.category.length > 0;

/**
 * What the dashboards read (Grafana's JSON datasource, and any other HTTP or
 * GraphQL reader later): time series and tables over the shared database, so
 * every replica answers the same. Every method scopes to the environments
 * the viewer may read and the filter keeps; none writes.
 */
export function createObservabilityReads({ prisma }: { prisma: PrismaClient }) {
  const scope = (viewer: Viewer | null, filter: ObservabilityFilter): Promise<ScopedEnvironment[]> => readableEnvironments(prisma, viewer, filter);

  /** The worker ids a filter narrows to; undefined when it does not narrow (every worker of the environments). */
  const workerIds = async (environments: ScopedEnvironment[], filter: ObservabilityFilter) =>
    hasWorkerFilter(filter) ? matchingWorkerIds(prisma, environments, filter) : undefined;

  async function workerStates(viewer: Viewer | null, filter: ObservabilityFilter, options: { consumerWindowSeconds?: number | null; maxWorkers?: number }): Promise<WorkerState[]> {
    const environments = await scope(viewer, filter);
    if (environments.length === 0) return [];
    const ids = await workerIds(environments, filter);
    if (ids?.length === 0) return [];
    return readWorkerStates(prisma, { ...options, environmentIds: environments.map((env) => env.id), workerIds: ids });
  }

  return {
    /** The names of the environments the viewer may read (and the filter keeps), oldest first. */
    async environmentNames(viewer: Viewer | null, filter: ObservabilityFilter = noFilter()): Promise<string[]> {
      return (await scope(viewer, filter)).map((env) => env.name);
    },

    /** The distinct names of the workers of those environments, sorted. */
    async workerNames(viewer: Viewer | null, filter: ObservabilityFilter = noFilter()): Promise<string[]> {
      const environments = await scope(viewer, filter);
      if (environments.length === 0) return [];
      const ids = await matchingWorkerIds(prisma, environments, filter);
      const rows = ids.length === 0 ? [] : await prisma.worker.findMany({ where: { id: { in: ids } }, select: { name: true }, distinct: ['name'], orderBy: { name: 'asc' } });
      return rows.map((row) => row.name);
    },

    /** Every catalog entry's name, deprecated ones too (history names them). */
    async parameterNames(): Promise<string[]> {
      return (await prisma.catalogEntry.findMany({ select: { name: true }, orderBy: { name: 'asc' } })).map((row) => row.name);
    },

    categories: (): string[] => [...PARAMETER_CATEGORIES],

    /** Save-to-apply latency percentiles (seconds) per environment and bucket. */
    async latency(viewer: Viewer | null, { buckets, filter, quantiles }: SeriesQuery & { quantiles: readonly number[] }) {
      return latencyPercentiles(prisma, { environments: await scope(viewer, filter), buckets, filter, quantiles });
    },

    /** Saves, approvals, rejections and rollbacks per environment and bucket. */
    async activity(viewer: Viewer | null, { buckets, filter }: SeriesQuery) {
      return activityCounts(prisma, { environments: await scope(viewer, filter), buckets, filter });
    },

    /** Each environment's active version at the end of every bucket. */
    async activeVersions(viewer: Viewer | null, { buckets, filter }: SeriesQuery): Promise<{ environment: string; steps: Steps }[]> {
      return activeVersionSteps(prisma, { environments: await scope(viewer, filter), buckets });
    },

    /** Per worker, at the end of every bucket: the version it had applied and how many versions it was behind. */
    async workerVersions(viewer: Viewer | null, { buckets, filter }: SeriesQuery): Promise<{ environment: string; worker: string; applied: Steps; behind: Steps }[]> {
      const environments = await scope(viewer, filter);
      if (environments.length === 0) return [];
      const ids = (await matchingWorkerIds(prisma, environments, filter)).slice(0, maxWorkerSeries);
      const [active, applied] = await Promise.all([activeVersionSteps(prisma, { environments, buckets }), appliedVersionSteps(prisma, { workerIds: ids, buckets })]);
      const activeOf = new Map(active.map((row) => [row.environment, row.steps]));
      return applied.map(({ environment, worker, steps }) => ({
        environment,
        worker,
        applied: steps,
        behind: steps.map((version, i) => {
          const current = activeOf.get(environment)?.[i] ?? null;
          return current === null ? null : versionsBehind(current, version);
        }),
      }));
    },

    /**
     * Every worker of the readable environments (STOPPED ones too), with its
     * lag now; `laggingOnly`: the running ones that lag (what ucp_workers_lagging counts).
     */
    async workers(viewer: Viewer | null, filter: ObservabilityFilter, { laggingOnly = false }: { laggingOnly?: boolean } = {}): Promise<WorkerRow[]> {
      const now = new Date();
      const states = await workerStates(viewer, filter, { consumerWindowSeconds: null });
      const rows = states.map((state) => ({ ...state, lag: workerLag(state, now) }));
      return laggingOnly ? rows.filter(runningAndLagging) : rows;
    },

    /**
     * Per readable environment: running (not STOPPED) workers and how many of
     * them lag now, the ucp_workers_lagging definition.
     */
    async laggingWorkers(viewer: Viewer | null, filter: ObservabilityFilter): Promise<{ environment: string; running: number; lagging: number }[]> {
      const now = new Date();
      const counts = new Map((await scope(viewer, filter)).map((env) => [env.name, { environment: env.name, running: 0, lagging: 0 }]));
      for (const state of await workerStates(viewer, filter, { consumerWindowSeconds: null, maxWorkers: countAllWorkers })) {
        const count = counts.get(state.environment);
        if (!count || state.status === 'STOPPED') continue;
        count.running += 1;
        if (runningAndLagging({ ...state, lag: workerLag(state, now) })) count.lagging += 1;
      }
      return [...counts.values()];
    },

    /**
     * The consumers of the coverage gauge (ucp_worker_parameter_coverage_ratio):
     * registered or heard from in the last 7 days, same rows, same definition.
     */
    async coverage(viewer: Viewer | null, filter: ObservabilityFilter): Promise<WorkerState[]> {
      return workerStates(viewer, filter, {});
    },

    /** Every parameter change committed in the window, newest first. */
    async configChanges(viewer: Viewer | null, { window, filter }: { window: RowWindow; filter: ObservabilityFilter }) {
      return configChangeRows(prisma, { environments: await scope(viewer, filter), window, filter });
    },

    /** Every version committed in the window (annotations), newest first. */
    async versions(viewer: Viewer | null, { window, filter }: { window: RowWindow; filter: ObservabilityFilter }) {
      return versionRows(prisma, { environments: await scope(viewer, filter), window, filter });
    },
  };
}

export type ObservabilityReads = ReturnType<typeof createObservabilityReads>;
