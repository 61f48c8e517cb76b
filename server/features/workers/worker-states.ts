import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { RunKind, WorkerStatus } from '../../generated/prisma/enums.ts';
import { decodeValue, type CatalogEntryShape } from '../../../contract/validation/index.ts';
import { toCatalogEntryShape } from '../catalog/index.ts';

/**
 * One worker as the per-worker gauges (server/metrics/shared-state-gauges.ts)
 * and Grafana's worker tables read it: its registry row, the inputs of the
 * lag rule (lag-rule.ts) and its parameter coverage. Read from the database,
 * so every replica answers the same.
 */
export interface WorkerState {
  id: string;
  environment: string;
  environmentId: string;
  worker: string;
  mode: RunKind;
  status: WorkerStatus;
  activeVersion: number;
  receivedVersion: number | null;
  appliedVersion: number | null;
  /** When the first version it has not applied (appliedVersion + 1) was saved; null when there is none. */
  nextVersionSavedAt: Date | null;
  lastAppliedAt: Date | null;
  lastHeartbeatAt: Date | null;
  registeredAt: Date;
  /** Names whose new value waits for a restart. */
  pendingRestart: string[];
  /** Heard from within the live window and not STOPPED. */
  live: boolean;
  /** Parameters it declared it consumes, and how many of them have a valid value (S17 coverage). */
  consumed: number;
  covered: number;
  /** Workers that matched before the cap: `total - rows` were left out. */
  total: number;
}

export interface WorkerStateOptions {
  /** A worker not heard from for longer (or STOPPED) is gone: `live` is false. */
  liveWindowSeconds?: number;
  /**
   * Only workers registered or heard from within this window; null: every
   * worker. A nightly training run is a consumer between its runs too, and
   * its next run fails fast on what is missing now.
   */
  consumerWindowSeconds?: number | null;
  /** At most this many workers, the most recently heard from first. */
  maxWorkers?: number;
  /** Only the workers of these environments (a caller's readable ones); omitted: every environment. */
  environmentIds?: readonly string[];
  /** Only these workers (those a filter kept); omitted: every worker. */
  workerIds?: readonly string[];
}

/** Thirty missed heartbeats at the agent's default 10 s interval: a restart or a short partition is not a disappearance. */
export const workerStateDefaults = { liveWindowSeconds: 300, consumerWindowSeconds: 7 * 24 * 3600, maxWorkers: 500 } as const;

/**
 * The names of each environment whose active value is valid, in the agent's
 * sense (runtime-agent findProblems): in the catalog, not deprecated, present,
 * and accepted by its type, bounds and allowed values. Shaped
 * `{ env: { name: 1 } }` so the worker query looks a name up by key.
 */
async function validNamesByEnvironment(prisma: PrismaClient): Promise<Record<string, Record<string, 1>>> {
  const [catalog, active] = await Promise.all([
    prisma.catalogEntry.findMany({
      select: { name: true, type: true, allowedValues: true, minValue: true, maxValue: true, required: true, deprecated: true, replacementName: true, deprecatedValues: true, validator: true, maxLength: true },
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

/** The workers the options select, the most recently heard from first (then environment, name). */
export async function readWorkerStates(
  prisma: PrismaClient,
  {
    liveWindowSeconds = workerStateDefaults.liveWindowSeconds,
    consumerWindowSeconds = workerStateDefaults.consumerWindowSeconds,
    maxWorkers = workerStateDefaults.maxWorkers,
    environmentIds,
    workerIds,
  }: WorkerStateOptions = {},
): Promise<WorkerState[]> {
  const valid = await validNamesByEnvironment(prisma);
  const recent = consumerWindowSeconds === null
    ? Prisma.empty
    : Prisma.sql`AND COALESCE(w.last_heartbeat_at, w.registered_at) >= now() - make_interval(secs => ${consumerWindowSeconds})`;
  const scoped = environmentIds === undefined ? Prisma.empty : Prisma.sql`AND w.environment_id = ANY(${[...environmentIds]}::uuid[])`;
  const chosen = workerIds === undefined ? Prisma.empty : Prisma.sql`AND w.id = ANY(${[...workerIds]}::uuid[])`;
  return prisma.$queryRaw<WorkerState[]>`
    SELECT w.id::text AS id, e.name AS environment, e.id::text AS "environmentId", w.name AS worker,
           w.mode::text AS mode, w.status::text AS status,
           e.active_version AS "activeVersion", w.received_version AS "receivedVersion", w.applied_version AS "appliedVersion",
           next.created_at AS "nextVersionSavedAt", w.last_applied_at AS "lastAppliedAt",
           w.last_heartbeat_at AS "lastHeartbeatAt", w.registered_at AS "registeredAt", w.pending_restart AS "pendingRestart",
           (w.status <> 'STOPPED' AND w.last_heartbeat_at >= now() - make_interval(secs => ${liveWindowSeconds})) IS TRUE AS live,
           cardinality(w.consumes) AS consumed,
           (SELECT count(*)::int FROM unnest(w.consumes) AS c(name)
             WHERE (${JSON.stringify(valid)}::jsonb -> e.name -> c.name) IS NOT NULL) AS covered,
           (count(*) OVER ())::int AS total
    FROM workers w
    JOIN environments e ON e.id = w.environment_id
    LEFT JOIN config_versions next ON next.environment_id = w.environment_id AND next.version = w.applied_version + 1
    WHERE TRUE ${recent} ${scoped} ${chosen}
    ORDER BY w.last_heartbeat_at DESC NULLS LAST, e.name, w.name
    LIMIT ${maxWorkers}`;
}

/** The share of a consumer's declared parameters that have a valid value (1 for one that declares none). */
export function coverageRatio({ consumed, covered }: Pick<WorkerState, 'consumed' | 'covered'>): number {
  return consumed === 0 ? 1 : covered / consumed;
}
