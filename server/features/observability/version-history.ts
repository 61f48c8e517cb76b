import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { ScopedEnvironment } from './readable-scope.ts';
import { bucketIndex, strideSql, type TimeBuckets } from './time-buckets.ts';

/** A value per bucket, as of the bucket's end (null: none yet). */
export type Steps = (number | null)[];

/** Fills each bucket with the latest value set by its end, carrying the previous one over empty buckets. */
function carryForward(buckets: TimeBuckets, initial: number | null, changes: { bucket: number; value: number }[]): Steps {
  const steps: Steps = new Array<number | null>(buckets.count).fill(null);
  const byBucket = new Map<number, number>();
  for (const { bucket, value } of changes) {
    const i = bucketIndex(buckets, bucket);
    byBucket.set(i, Math.max(value, byBucket.get(i) ?? value));
  }
  let current = initial;
  for (let i = 0; i < buckets.count; i += 1) {
    const changed = byBucket.get(i);
    if (changed !== undefined) current = current === null ? changed : Math.max(current, changed);
    steps[i] = current;
  }
  return steps;
}

/**
 * Each environment's active version at the end of every bucket: the highest
 * version committed by then (versions are gap-free and only ever move up,
 * a restore being a new version).
 */
export async function activeVersionSteps(
  prisma: PrismaClient,
  { environments, buckets }: { environments: readonly ScopedEnvironment[]; buckets: TimeBuckets },
): Promise<{ environment: string; steps: Steps }[]> {
  if (environments.length === 0) return [];
  const rows = await prisma.$queryRaw<{ environment: string; bucket: number | null; version: number | null }[]>`
    SELECT e.name AS environment, NULL::float8 AS bucket,
           (SELECT max(v.version) FROM config_versions v WHERE v.environment_id = e.id AND v.created_at < ${buckets.from}) AS version
    FROM environments e WHERE e.id = ANY(${environments.map((env) => env.id)}::uuid[])
    UNION ALL
    SELECT e.name, (extract(epoch FROM date_bin(${strideSql(buckets)}::interval, v.created_at, ${buckets.from})) * 1000)::float8, max(v.version)
    FROM config_versions v JOIN environments e ON e.id = v.environment_id
    WHERE v.environment_id = ANY(${environments.map((env) => env.id)}::uuid[]) AND v.created_at >= ${buckets.from} AND v.created_at < ${buckets.to}
    GROUP BY 1, 2`;
  return environments.map(({ name }) => {
    const own = rows.filter((row) => row.environment === name);
    const initial = own.find((row) => row.bucket === null)?.version ?? null;
    const changes = own.flatMap((row) => (row.bucket === null || row.version === null ? [] : [{ bucket: row.bucket, value: row.version }]));
    return { environment: name, steps: carryForward(buckets, initial, changes) };
  });
}

/** One worker's applied version at the end of every bucket, from its apply reports. */
export interface AppliedSteps {
  environment: string;
  worker: string;
  steps: Steps;
}

/**
 * What each worker had applied by the end of every bucket, from the apply
 * history (worker_applies: one row per version a worker swapped in). A worker
 * with no apply report by then has null (starting, not lagging).
 */
export async function appliedVersionSteps(
  prisma: PrismaClient,
  { workerIds, buckets }: { workerIds: readonly string[]; buckets: TimeBuckets },
): Promise<AppliedSteps[]> {
  if (workerIds.length === 0) return [];
  const rows = await prisma.$queryRaw<{ id: string; environment: string; worker: string; bucket: number | null; version: number | null }[]>`
    SELECT w.id::text AS id, e.name AS environment, w.name AS worker, NULL::float8 AS bucket,
           (SELECT max(a.version) FROM worker_applies a WHERE a.worker_id = w.id AND a.applied_at < ${buckets.from}) AS version
    FROM workers w JOIN environments e ON e.id = w.environment_id
    WHERE w.id = ANY(${[...workerIds]}::uuid[])
    UNION ALL
    SELECT w.id::text, e.name, w.name, (extract(epoch FROM date_bin(${strideSql(buckets)}::interval, a.applied_at, ${buckets.from})) * 1000)::float8, max(a.version)
    FROM worker_applies a JOIN workers w ON w.id = a.worker_id JOIN environments e ON e.id = w.environment_id
    WHERE a.worker_id = ANY(${[...workerIds]}::uuid[]) AND a.applied_at >= ${buckets.from} AND a.applied_at < ${buckets.to}
    GROUP BY 1, 2, 3, 4`;
  const byWorker = new Map<string, { environment: string; worker: string; initial: number | null; changes: { bucket: number; value: number }[] }>();
  for (const row of rows) {
    let entry = byWorker.get(row.id);
    if (!entry) byWorker.set(row.id, (entry = { environment: row.environment, worker: row.worker, initial: null, changes: [] }));
    if (row.bucket === null) entry.initial = row.version;
    else if (row.version !== null) entry.changes.push({ bucket: row.bucket, value: row.version });
  }
  return [...byWorker.values()]
    .sort((a, b) => a.environment.localeCompare(b.environment) || a.worker.localeCompare(b.worker))
    .map(({ environment, worker, initial, changes }) => ({ environment, worker, steps: carryForward(buckets, initial, changes) }));
}
