import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { ScopedEnvironment } from './readable-scope.ts';
import { andAllOfSet, type ObservabilityFilter } from './series-filter.ts';
import { strideSql, type TimeBuckets } from './time-buckets.ts';

/** What happened to the configuration of the platform, per interval. */
export const activityKinds = ['saves', 'approvals', 'rejections', 'rollbacks'] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** The counts of one environment in one bucket (buckets with nothing have no row). */
export interface ActivityBucket extends Record<ActivityKind, number> {
  environment: string;
  /** The bucket's start (Unix ms). */
  bucket: number;
}

/**
 * Per environment and bucket:
 * - saves: committed versions other than the seed (edits, restores, promotions, approved requests);
 * - approvals: versions committed by approving a change request;
 * - rejections: change requests rejected (at their review time);
 * - rollbacks: restores of an earlier version (ucp_rollbacks_total counts the same).
 * The parameter and category filters keep versions and requests that touch a matching parameter.
 */
export async function activityCounts(
  prisma: PrismaClient,
  { environments, buckets, filter }: { environments: readonly ScopedEnvironment[]; buckets: TimeBuckets; filter: ObservabilityFilter },
): Promise<ActivityBucket[]> {
  if (environments.length === 0) return [];
  const ids = environments.map((env) => env.id);
  const stride = strideSql(buckets);
  const versionChanges = Prisma.sql`SELECT 1 FROM config_changes x WHERE x.version_id = v.id`;
  const versionCategories = Prisma.sql`SELECT 1 FROM config_changes x JOIN variable_catalog c ON c.name = x.parameter_name WHERE x.version_id = v.id`;
  const requestItems = Prisma.sql`SELECT 1 FROM change_request_items x WHERE x.change_request_id = r.id`;
  const requestCategories = Prisma.sql`SELECT 1 FROM change_request_items x JOIN variable_catalog c ON c.name = x.parameter_name WHERE x.change_request_id = r.id`;
  const [versions, rejected] = await Promise.all([
    prisma.$queryRaw<{ environment: string; bucket: number; saves: number; approvals: number; rollbacks: number }[]>`
      SELECT e.name AS environment,
             (extract(epoch FROM date_bin(${stride}::interval, v.created_at, ${buckets.from})) * 1000)::float8 AS bucket,
             count(*) FILTER (WHERE v.kind <> 'SEED')::int AS saves,
             count(*) FILTER (WHERE v.change_request_id IS NOT NULL)::int AS approvals,
             count(*) FILTER (WHERE v.kind = 'RESTORE')::int AS rollbacks
      FROM config_versions v JOIN environments e ON e.id = v.environment_id
      WHERE v.created_at >= ${buckets.from} AND v.created_at < ${buckets.to} AND v.environment_id = ANY(${ids}::uuid[])
        ${andAllOfSet(versionChanges, Prisma.sql`x.parameter_name`, filter.parameter)}
        ${andAllOfSet(versionCategories, Prisma.sql`c.category::text`, filter.category)}
      GROUP BY 1, 2`,
    prisma.$queryRaw<{ environment: string; bucket: number; rejections: number }[]>`
      SELECT e.name AS environment,
             (extract(epoch FROM date_bin(${stride}::interval, r.reviewed_at, ${buckets.from})) * 1000)::float8 AS bucket,
             count(*)::int AS rejections
      FROM change_requests r JOIN environments e ON e.id = r.environment_id
      WHERE r.status = 'REJECTED' AND r.reviewed_at >= ${buckets.from} AND r.reviewed_at < ${buckets.to} AND r.environment_id = ANY(${ids}::uuid[])
        ${andAllOfSet(requestItems, Prisma.sql`x.parameter_name`, filter.parameter)}
        ${andAllOfSet(requestCategories, Prisma.sql`c.category::text`, filter.category)}
      GROUP BY 1, 2`,
  ]);
  const merged = new Map<string, ActivityBucket>();
  const entry = (environment: string, bucket: number) => {
    const key = `${environment}\u0000${bucket}`;
    let found = merged.get(key);
    if (!found) merged.set(key, (found = { environment, bucket, saves: 0, approvals: 0, rejections: 0, rollbacks: 0 }));
    return found;
  };
  for (const row of versions) Object.assign(entry(row.environment, row.bucket), { saves: row.saves, approvals: row.approvals, rollbacks: row.rollbacks });
  for (const row of rejected) entry(row.environment, row.bucket).rejections = row.rejections;
  return [...merged.values()];
}
