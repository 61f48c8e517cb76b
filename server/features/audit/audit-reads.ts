import type { AuditEvent, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';
import { auditActionsAbout, type AuditSubjectKind } from '../../../contract/index.ts';

/** What a prismaField hands down: the page (take, skip, cursor) and the selection. */
type Selection = { include?: object; select?: object };

/** The audit trail's filters (analysts, the console's history pages). */
export interface AuditFilter {
  /** By name; events without an environment (catalog, rules, users, tokens) never match one. */
  environment?: string | null;
  parameter?: string | null;
  /** A user name, or token:<name>. */
  actor?: string | null;
  /** Any of these actions (config_change_saved, config_change_rejected, catalog_entry_updated, …). */
  actions?: readonly string[] | null;
  /** Events about any of these kinds of subject (catalog entries, rules, runs, …): their actions. */
  about?: readonly AuditSubjectKind[] | null;
  /** The id of what the event is about: a run, a set's hash, a change request, a rule, a catalog entry's name. */
  subject?: string | null;
  since?: Date | null;
  until?: Date | null;
}

function auditWhere(viewer: Viewer | null, f: AuditFilter): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  // A service token reads its own environment's trail only; the rest
  // (users, tokens, catalog administration) is operators' business.
  if (viewer === null) and.push({ id: { in: [] } });
  else if (viewer.kind === 'service') and.push({ environmentId: viewer.environmentId });
  if (f.environment) and.push({ environment: { name: f.environment } });
  if (f.parameter) and.push({ parameterName: f.parameter });
  if (f.actor) and.push({ actor: f.actor });
  if (f.actions?.length) and.push({ action: { in: [...f.actions] } });
  if (f.about?.length) and.push({ action: { in: f.about.flatMap(auditActionsAbout) } });
  if (f.subject) and.push({ subjectId: f.subject });
  if (f.since || f.until) and.push({ at: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } });
  return { AND: and };
}

/** The append-only audit trail, newest first. */
export function createAuditReads({ prisma }: { prisma: PrismaClient }) {
  return {
    list: (query: Selection, viewer: Viewer | null, filter: AuditFilter): Promise<AuditEvent[]> =>
      prisma.auditEvent.findMany({ ...(query as Prisma.AuditEventFindManyArgs), where: auditWhere(viewer, filter), orderBy: { id: 'desc' } }),

    count: (viewer: Viewer | null, filter: AuditFilter): Promise<number> => prisma.auditEvent.count({ where: auditWhere(viewer, filter) }),
  };
}

export type AuditReads = ReturnType<typeof createAuditReads>;
