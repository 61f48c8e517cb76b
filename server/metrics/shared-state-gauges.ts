import type { PrismaClient } from '../generated/prisma/client.ts';
import { WorkerStatus } from '../generated/prisma/enums.ts';
import { coverageRatio, readWorkerStates, workerLag, workerStateDefaults, type WorkerState } from '../features/workers/index.ts';
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

const liveStatuses = Object.values(WorkerStatus).filter((status) => status !== WorkerStatus.STOPPED);

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
  { liveWindowSeconds = workerStateDefaults.liveWindowSeconds, consumerWindowSeconds = workerStateDefaults.consumerWindowSeconds, maxWorkers = workerStateDefaults.maxWorkers }: SharedStateGaugeOptions = {},
): Promise<void> {
  let rows: WorkerState[];
  try {
    // The same rows (and coverage definition) Grafana's worker tables read.
    rows = await readWorkerStates(prisma, { liveWindowSeconds, consumerWindowSeconds, maxWorkers });
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
    metrics.workerCoverage.set(labels, coverageRatio(row));
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
