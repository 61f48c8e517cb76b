import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { canReadEnvironment, type Viewer } from '../../auth/index.ts';
import { andAll, andAllOfSet, assertPatternsCompile, type ObservabilityFilter } from './series-filter.ts';

/** An environment a figure may cover. */
export interface ScopedEnvironment {
  id: string;
  name: string;
}

/**
 * The environments a caller may read that the filter keeps, oldest first
 * (BAD_REQUEST when a filter's pattern does not compile).
 * An operator or a read-only monitor token reads every environment, a
 * service token its own: the policy is server/auth's canReadEnvironment, not
 * restated here.
 */
export async function readableEnvironments(prisma: PrismaClient, viewer: Viewer | null, filter: ObservabilityFilter): Promise<ScopedEnvironment[]> {
  await assertPatternsCompile(prisma, filter);
  const rows = await prisma.$queryRaw<ScopedEnvironment[]>`
    SELECT id::text AS id, name FROM environments e
    WHERE TRUE ${andAll(Prisma.sql`e.name`, filter.environment)}
    ORDER BY created_at, name`;
  return rows.filter((env) => canReadEnvironment(viewer, env.id));
}

/**
 * The ids of the workers of these environments that the worker filter keeps
 * and that consume a parameter the parameter and category filters keep
 * (when there are such filters).
 */
export async function matchingWorkerIds(prisma: PrismaClient, environments: readonly ScopedEnvironment[], filter: ObservabilityFilter): Promise<string[]> {
  if (environments.length === 0) return [];
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT w.id::text AS id FROM workers w
    WHERE w.environment_id = ANY(${environments.map((e) => e.id)}::uuid[])
      ${andAll(Prisma.sql`w.name`, filter.worker)}
      ${andAllOfSet(Prisma.sql`SELECT 1 FROM unnest(w.consumes) AS k(name) WHERE TRUE`, Prisma.sql`k.name`, filter.parameter)}
      ${andAllOfSet(Prisma.sql`SELECT 1 FROM unnest(w.consumes) AS k(name) JOIN variable_catalog c ON c.name = k.name WHERE TRUE`, Prisma.sql`c.category::text`, filter.category)}`;
  return rows.map((row) => row.id);
}
