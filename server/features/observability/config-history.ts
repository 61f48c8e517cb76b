import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { ScopedEnvironment } from './readable-scope.ts';
import { andAll, andAllOfSet, type ObservabilityFilter } from './series-filter.ts';

/** A closed time range and how many rows at most (newest first). */
export interface RowWindow {
  from: Date;
  to: Date;
  limit: number;
}

/** One parameter changed by one committed version: who, what, why, which version. */
export interface ConfigChangeRow {
  /** Commit time (Unix ms). */
  time: number;
  environment: string;
  version: number;
  kind: string;
  parameter: string;
  category: string;
  before: string | null;
  after: string | null;
  author: string;
  approver: string | null;
  reason: string;
}

/** Every parameter change committed in the window, newest first. */
export function configChangeRows(
  prisma: PrismaClient,
  { environments, window, filter }: { environments: readonly ScopedEnvironment[]; window: RowWindow; filter: ObservabilityFilter },
): Promise<ConfigChangeRow[]> {
  if (environments.length === 0) return Promise.resolve([]);
  return prisma.$queryRaw<ConfigChangeRow[]>`
    SELECT (extract(epoch FROM v.created_at) * 1000)::float8 AS time, e.name AS environment, v.version, v.kind::text AS kind,
           x.parameter_name AS parameter, c.category::text AS category, x.before, x.after,
           author.username AS author, approver.username AS approver, v.reason
    FROM config_changes x
    JOIN config_versions v ON v.id = x.version_id
    JOIN environments e ON e.id = v.environment_id
    JOIN variable_catalog c ON c.name = x.parameter_name
    JOIN users author ON author.id = v.author_id
    LEFT JOIN users approver ON approver.id = v.approver_id
    WHERE v.created_at >= ${window.from} AND v.created_at <= ${window.to} AND v.environment_id = ANY(${environments.map((env) => env.id)}::uuid[])
      ${andAll(Prisma.sql`x.parameter_name`, filter.parameter)}
      ${andAll(Prisma.sql`c.category::text`, filter.category)}
    ORDER BY v.created_at DESC, e.name, x.parameter_name
    LIMIT ${window.limit}`;
}

/** One committed version, as an annotation: when, who, why, and what it changed. */
export interface VersionRow {
  time: number;
  environment: string;
  version: number;
  kind: string;
  author: string;
  approver: string | null;
  reason: string;
  /** `name: before → after` per changed parameter, by name. */
  changes: { parameter: string; before: string | null; after: string | null }[];
}

/** Every version committed in the window that touches a parameter the filters keep, newest first. */
export function versionRows(
  prisma: PrismaClient,
  { environments, window, filter }: { environments: readonly ScopedEnvironment[]; window: RowWindow; filter: ObservabilityFilter },
): Promise<VersionRow[]> {
  if (environments.length === 0) return Promise.resolve([]);
  const changes = Prisma.sql`SELECT 1 FROM config_changes x WHERE x.version_id = v.id`;
  const categories = Prisma.sql`SELECT 1 FROM config_changes x JOIN variable_catalog c ON c.name = x.parameter_name WHERE x.version_id = v.id`;
  return prisma.$queryRaw<VersionRow[]>`
    SELECT (extract(epoch FROM v.created_at) * 1000)::float8 AS time, e.name AS environment, v.version, v.kind::text AS kind,
           author.username AS author, approver.username AS approver, v.reason,
           COALESCE((SELECT json_agg(json_build_object('parameter', x.parameter_name, 'before', x.before, 'after', x.after) ORDER BY x.parameter_name)
                     FROM config_changes x WHERE x.version_id = v.id), '[]'::json) AS changes
    FROM config_versions v
    JOIN environments e ON e.id = v.environment_id
    JOIN users author ON author.id = v.author_id
    LEFT JOIN users approver ON approver.id = v.approver_id
    WHERE v.created_at >= ${window.from} AND v.created_at <= ${window.to} AND v.environment_id = ANY(${environments.map((env) => env.id)}::uuid[])
      ${andAllOfSet(changes, Prisma.sql`x.parameter_name`, filter.parameter)}
      ${andAllOfSet(categories, Prisma.sql`c.category::text`, filter.category)}
    ORDER BY v.created_at DESC, e.name
    LIMIT ${window.limit}`;
}
