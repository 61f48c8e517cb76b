import type { Prisma, RunKind, RunStatus } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import type { Viewer } from '../../auth/index.ts';

/** What the runs list filters on (the console's runs page, analysts' queries). */
export interface RunFilter {
  kind?: RunKind | null;
  status?: RunStatus | null;
  /** Every run sharing one parameter set. */
  parameterSetHash?: string | null;
  /** The run's own environment (not where its set was first frozen). */
  environment?: string | null;
  configVersion?: number | null;
  /** A user name, or token:<name>. */
  startedBy?: string | null;
  /** Part of the name (any case), or the beginning of the set's hash, or the run's id. */
  search?: string | null;
  /** The terminal status. */
  outcome?: RunStatus | null;
  finished?: boolean | null;
  legacy?: boolean | null;
  startedAfter?: Date | null;
  startedBefore?: Date | null;
  endedAfter?: Date | null;
  endedBefore?: Date | null;
  /** The re-runs of one run. */
  rerunOf?: string | null;
}

/** Every column of the console's runs list sorts both ways (the id breaks ties). */
export const runOrders = [
  'STARTED_AT_DESC', 'STARTED_AT_ASC', 'ENDED_AT_DESC', 'ENDED_AT_ASC', 'NAME_ASC', 'NAME_DESC',
  'KIND_ASC', 'KIND_DESC', 'STATUS_ASC', 'STATUS_DESC', 'ENVIRONMENT_ASC', 'ENVIRONMENT_DESC',
  'CONFIG_VERSION_ASC', 'CONFIG_VERSION_DESC', 'PARAMETER_SET_ASC', 'PARAMETER_SET_DESC', 'STARTED_BY_ASC', 'STARTED_BY_DESC',
] as const;
export type RunOrder = (typeof runOrders)[number];

const finished: RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Operators see every run; a service token only the runs of its own environment (legacy runs have none). */
export function visibleRuns(viewer: Viewer | null): Prisma.RunWhereInput {
  if (viewer === null) return { id: { in: [] } };
  return viewer.kind === 'service' ? { environmentId: viewer.environmentId } : {};
}

function range(after?: Date | null, before?: Date | null): Prisma.DateTimeNullableFilter | undefined {
  if (!after && !before) return undefined;
  return { ...(after ? { gte: after } : {}), ...(before ? { lt: before } : {}) };
}

/** The runs `f` selects that `viewer` may read; ordered by end time, only the finished ones (an open run has no end to sort by). */
export function runWhere(viewer: Viewer | null, f: RunFilter, order?: RunOrder | null): Prisma.RunWhereInput {
  const and: Prisma.RunWhereInput[] = [visibleRuns(viewer)];
  if (order === 'ENDED_AT_ASC' || order === 'ENDED_AT_DESC') and.push({ endedAt: { not: null } });
  if (f.kind) and.push({ kind: f.kind });
  if (f.status) and.push({ status: f.status });
  if (f.outcome) and.push({ status: finished.includes(f.outcome) ? f.outcome : { in: [] } });
  if (f.finished != null) and.push({ status: f.finished ? { in: finished } : { notIn: finished } });
  if (f.parameterSetHash) and.push({ parameterSetHash: f.parameterSetHash });
  if (f.environment) and.push({ environment: { name: f.environment } });
  if (f.configVersion != null) and.push({ configVersion: f.configVersion });
  if (f.startedBy) and.push({ startedBy: f.startedBy });
  if (f.legacy != null) and.push({ legacy: f.legacy });
  if (f.rerunOf) and.push({ rerunOfId: isUuid(f.rerunOf) ? f.rerunOf : null, NOT: { rerunOfId: null } });
  const started = range(f.startedAfter, f.startedBefore);
  if (started) and.push({ startedAt: started as Prisma.DateTimeFilter });
  const ended = range(f.endedAfter, f.endedBefore);
  if (ended) and.push({ endedAt: ended });
  const search = f.search?.trim();
  if (search) {
    and.push({
      OR: [
        { name: { contains: search, mode: 'insensitive' } },
        ...(/^[0-9a-f]{4,64}$/i.test(search) ? [{ parameterSetHash: { startsWith: search.toLowerCase() } }] : []),
        ...(isUuid(search) ? [{ id: search }] : []),
      ],
    });
  }
  return { AND: and };
}

/** Sort orders; the id breaks ties so cursor pages never skip or repeat a run. */
export function runOrderBy(order: RunOrder | null | undefined): Prisma.RunOrderByWithRelationInput[] {
  const key = order ?? 'STARTED_AT_DESC';
  const direction = key.endsWith('_ASC') ? 'asc' : 'desc';
  const first = ((): Prisma.RunOrderByWithRelationInput => {
    switch (key.slice(0, key.lastIndexOf('_'))) {
      case 'ENDED_AT': return { endedAt: direction };
      case 'NAME': return { name: direction };
      case 'KIND': return { kind: direction };
      case 'STATUS': return { status: direction };
      // A legacy run has no environment or version: PostgreSQL sorts it last ascending, first descending.
      case 'ENVIRONMENT': return { environment: { name: direction } };
      case 'CONFIG_VERSION': return { configVersion: direction };
      case 'PARAMETER_SET': return { parameterSetHash: direction };
      case 'STARTED_BY': return { startedBy: direction };
      default: return { startedAt: direction };
    }
  })();
  return [first, { id: 'asc' }];
}
