import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { ScopedEnvironment } from './readable-scope.ts';
import { andAll, andAllOfSet, type ObservabilityFilter } from './series-filter.ts';
import { strideSql, type TimeBuckets } from './time-buckets.ts';

/** The save-to-apply latency of one environment in one bucket. */
export interface LatencyBucket {
  environment: string;
  /** The bucket's start (Unix ms). */
  bucket: number;
  /** Seconds, one per requested quantile, in the requested order. */
  seconds: number[];
  applies: number;
}

/**
 * Save committed → applied, per environment and bucket, as continuous
 * percentiles over every apply report in the bucket (worker_applies.latency_ms,
 * which the server computes from the version's commit time). Buckets without
 * an apply have no row: a percentile of nothing is not zero.
 */
export async function latencyPercentiles(
  prisma: PrismaClient,
  { environments, buckets, filter, quantiles }: { environments: readonly ScopedEnvironment[]; buckets: TimeBuckets; filter: ObservabilityFilter; quantiles: readonly number[] },
): Promise<LatencyBucket[]> {
  if (environments.length === 0 || quantiles.length === 0) return [];
  const rows = await prisma.$queryRaw<{ environment: string; bucket: number; ms: number[]; applies: number }[]>`
    SELECT e.name AS environment,
           (extract(epoch FROM date_bin(${strideSql(buckets)}::interval, a.applied_at, ${buckets.from})) * 1000)::float8 AS bucket,
           percentile_cont(${[...quantiles]}::float8[]) WITHIN GROUP (ORDER BY a.latency_ms) AS ms,
           count(*)::int AS applies
    FROM worker_applies a
    JOIN workers w ON w.id = a.worker_id
    JOIN environments e ON e.id = w.environment_id
    WHERE a.applied_at >= ${buckets.from} AND a.applied_at < ${buckets.to} AND a.latency_ms IS NOT NULL
      AND w.environment_id = ANY(${environments.map((env) => env.id)}::uuid[])
      ${andAll(Prisma.sql`w.name`, filter.worker)}
      ${andAllOfSet(Prisma.sql`SELECT 1 FROM unnest(a.keys) AS k(name) WHERE TRUE`, Prisma.sql`k.name`, filter.parameter)}
      ${andAllOfSet(Prisma.sql`SELECT 1 FROM unnest(a.keys) AS k(name) JOIN variable_catalog c ON c.name = k.name WHERE TRUE`, Prisma.sql`c.category::text`, filter.category)}
    GROUP BY 1, 2
    ORDER BY 1, 2`;
  return rows.map(({ environment, bucket, ms, applies }) => ({ environment, bucket, applies, seconds: ms.map((value) => value / 1000) }));
}
