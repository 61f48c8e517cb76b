import { decodeValue, type CatalogEntryShape } from '../../contract/validation/index.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { WorkerStatus } from '../generated/prisma/enums.ts';
import { toCatalogEntryShape } from '../features/catalog/index.ts';
import { workerLag } from '../features/workers/index.ts';
import type { Metrics } from './create-metrics.ts';

const gauges = [
  'workerStatus', 'workerAppliedVersion', 'workerLagVersions', 'workerLagSeconds',
  'workerLastHeartbeat', 'workerCoverage', 'workerUncoveredParameters', 'workerSeriesDropped',
] as const;
type SharedStateMetrics = Pick<Metrics, (typeof gauges)[number]>;

export interface SharedStateGaugeOptions {
  /** A worker not heard from for longer (or STOPPED) is gone: its status, version and lag series stop. */
  liveWindowSeconds?: number;
  /**
   * A consumer registered or heard from within this window keeps its coverage
   * series: a nightly training run is a consumer between its runs too, and
   * its next run fails fast on what is missing now.
   */
  consumerWindowSeconds?: number;
  /** At most this many workers (the most recently heard from) get series; the rest are counted in ucp_worker_series_dropped. */
  maxWorkers?: number;
}

/** Thirty missed heartbeats at the agent's default 10 s interval: a restart or a short partition is not a disappearance. */
const defaultLiveWindowSeconds = 300;
const defaultConsumerWindowSeconds = 7 * 24 * 3600;
const defaultMaxWorkers = 500;
const liveStatuses = Object.values(WorkerStatus).filter((status) => status !== WorkerStatus.STOPPED);

interface WorkerRow {
  environment: string;
  worker: string;
  status: WorkerStatus;
  activeVersion: number;
  appliedVersion: number | null;
  nextVersionSavedAt: Date | null;
  lastHeartbeatAt: Date | null;
  live: boolean;
  consumed: number;
  covered: number;
  total: number;
}

/**
 * The names of each environment whose active value is valid, in the agent's
 * sense (runtime-agent findProblems): in the catalog, not deprecated, present,
 * and accepted by its type, bounds and allowed values. Shaped
 * `{ env: { name: 1 } }` so the worker query looks a name up by key.
 */
async function validNamesByEnvironment(prisma: PrismaClient): Promise<Record<string, Record<string, 1>>> {
  const [catalog, active] = await Promise.all([
    prisma.catalogEntry.findMany({
      select: { name: true, type: true, allowedValues: true, minValue: true, maxValue: true, required: true, deprecated: true, replacementName: true, deprecatedValues: true, validator: true },
    }),
    prisma.$queryRaw<{ environment: string; values: Record<string, string> }[]>`
      SELECT e.name AS environment, v.values
      FROM environments e
      JOIN config_versions v ON v.environment_id = e.id AND v.version = e.active_version`,
  ]);
  const shapes: CatalogEntryShape[] = catalog.map(toCatalogEntryShape);
  const valid: Record<string, Record<string, 1>> = {};
  for (const { environment, values } of active) {
    const names: Record<string, 1> = {};
    for (const shape of shapes) {
      const raw = Object.hasOwn(values, shape.name) ? values[shape.name] : undefined;
      if (!shape.deprecated && typeof raw === 'string' && decodeValue(shape, raw).ok) names[shape.name] = 1;
    }
    valid[environment] = names;
  }
  return valid;
}

function resetAll(metrics: SharedStateMetrics): void {
  for (const gauge of gauges) metrics[gauge].reset();
}

/**
 * Sets the per-worker gauges from the database at scrape time, so both API
 * replicas report the same values for shared state. Series stay bounded: a
 * worker gone for longer than the live window stops being reported, at most
 * `maxWorkers` workers are, `environment` comes from the environments table
 * and `worker` is the name the server validated at registration; nothing a
 * request carries becomes a label. On a database error the series are
 * dropped (no stale values served as current) and the error rethrown.
 */
export async function refreshSharedStateGauges(
  { prisma, metrics }: { prisma: PrismaClient; metrics: SharedStateMetrics },
  { liveWindowSeconds = defaultLiveWindowSeconds, consumerWindowSeconds = defaultConsumerWindowSeconds, maxWorkers = defaultMaxWorkers }: SharedStateGaugeOptions = {},
): Promise<void> {
  let rows: WorkerRow[];
  try {
    const valid = await validNamesByEnvironment(prisma);
    rows = await prisma.$queryRaw<WorkerRow[]>`
      SELECT e.name AS environment, w.name AS worker, w.status::text AS status,
             e.active_version AS "activeVersion", w.applied_version AS "appliedVersion",
             next.created_at AS "nextVersionSavedAt", w.last_heartbeat_at AS "lastHeartbeatAt",
             (w.status <> 'STOPPED' AND w.last_heartbeat_at >= now() - make_interval(secs => ${liveWindowSeconds})) AS live,
             cardinality(w.consumes) AS consumed,
             (SELECT count(*)::int FROM unnest(w.consumes) AS c(name)
               WHERE (${JSON.stringify(valid)}::jsonb -> e.name -> c.name) IS NOT NULL) AS covered,
             (count(*) OVER ())::int AS total
      FROM workers w
      JOIN environments e ON e.id = w.environment_id
      LEFT JOIN config_versions next ON next.environment_id = w.environment_id AND next.version = w.applied_version + 1
      WHERE COALESCE(w.last_heartbeat_at, w.registered_at) >= now() - make_interval(secs => ${consumerWindowSeconds})
      ORDER BY w.last_heartbeat_at DESC NULLS LAST, e.name, w.name
      LIMIT ${maxWorkers}`;
  } catch (error) {
    resetAll(metrics);
    throw error;
  }

  // From here on synchronous: a concurrent scrape never sees half a refresh.
  resetAll(metrics);
  const now = new Date();
  for (const row of rows) {
    const labels = { environment: row.environment, worker: row.worker };
    const uncovered = row.consumed - row.covered;
    metrics.workerCoverage.set(labels, row.consumed === 0 ? 1 : row.covered / row.consumed);
    metrics.workerUncoveredParameters.set(labels, uncovered);
    if (!row.live) continue;
    for (const status of liveStatuses) metrics.workerStatus.set({ ...labels, status }, status === row.status ? 1 : 0);
    if (row.lastHeartbeatAt) metrics.workerLastHeartbeat.set(labels, row.lastHeartbeatAt.getTime() / 1000);
    const lag = workerLag(row, now);
    if (row.appliedVersion !== null) metrics.workerAppliedVersion.set(labels, row.appliedVersion);
    if (lag.versions !== null) metrics.workerLagVersions.set(labels, lag.versions);
    if (lag.seconds !== null) metrics.workerLagSeconds.set(labels, lag.seconds);
  }
  metrics.workerSeriesDropped.set(Math.max(0, (rows[0]?.total ?? 0) - rows.length));
}
