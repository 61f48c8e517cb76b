import type { ChangeRequest, PrismaClient } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { hasRole, type Operator, type Viewer } from '../../auth/index.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError, forbidden, notFound, revisionConflict } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { Metrics } from '../../metrics/create-metrics.ts';
import { assertIndependentAccounts } from '../access/index.ts';
import { appendAudit } from '../audit/index.ts';
import { assertReason } from '../audit/index.ts';
import { findEnvironment, violationsError, type ConfigWriter, type ValueMap, type WriteOutcome } from '../configuration/index.ts';

function requireOperator(viewer: Viewer): Operator {
  if (viewer.kind !== 'user') throw forbidden('Service tokens cannot take part in approvals.');
  return viewer;
}

/** Locks the request row: approve, reject, edit and withdraw of one request serialise. */
async function lockRequest(tx: Tx, id: string): Promise<ChangeRequest & { environmentName: string }> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM change_requests WHERE id = ${id}::uuid FOR UPDATE`;
  if (!rows[0]) throw notFound('Change request', id);
  const request = await tx.changeRequest.findUniqueOrThrow({ where: { id }, include: { environment: { select: { name: true } } } });
  return { ...request, environmentName: request.environment.name };
}

function assertPending(request: ChangeRequest): void {
  if (request.status !== 'PENDING') {
    throw new AppError('CONFLICT', `This change request is already ${request.status.toLowerCase()}.`, { status: request.status });
  }
}

function assertRevision(request: ChangeRequest, revision: number): void {
  // An approval is for what the approver read: an edit after that voids it.
  if (request.revision !== revision) {
    throw revisionConflict(
      { subject: 'ChangeRequest', id: request.id, currentRevision: request.revision, expectedRevision: revision },
      `The change request was edited (revision ${request.revision}) after you read revision ${revision}. Review it again.`,
    );
  }
}


/**
 * The second-person rule for critical parameters. Approval applies the
 * request through the same ConfigWriter as any save (validation, rules,
 * freeze windows run again at approval time) and fails with VERSION_CONFLICT
 * when the environment moved on since the request was written.
 */
export function createChangeRequestService({ prisma, writer, logger, metrics }: {
  prisma: PrismaClient;
  writer: ConfigWriter;
  logger: Logger;
  metrics: Metrics;
}) {
  async function load(tx: Tx, id: string) {
    if (!isUuid(id)) throw notFound('Change request', id);
    return lockRequest(tx, id);
  }

  async function itemsOf(tx: Tx, id: string): Promise<ValueMap> {
    const items = await tx.changeRequestItem.findMany({ where: { changeRequestId: id } });
    return Object.fromEntries(items.map((item) => [item.parameterName, item.value]));
  }

  return {
    async approve(viewer: Viewer, input: { id: string; revision: number; comment: string }): Promise<WriteOutcome & { status: 'APPLIED' }> {
      const approver = requireOperator(viewer);
      if (!hasRole(approver, 'APPROVER')) throw forbidden('Only an approver can approve a change request.');
      const outcome = await inTransaction(prisma, async (tx) => {
        const request = await load(tx, input.id);
        assertPending(request);
        if (request.authorId === approver.userId) throw forbidden('You cannot approve your own change request: a second person must.');
        // A second account is not a second person: refused when one person could act as both (README, Access).
        const accounts = await tx.user.findMany({ where: { id: { in: [request.authorId, approver.userId] } }, select: { id: true, username: true, credentialHolders: true } });
        assertIndependentAccounts(accounts.find((a) => a.id === request.authorId)!, accounts.find((a) => a.id === approver.userId)!);
        assertRevision(request, input.revision);
        const result = await writer.write(tx, {
          environment: request.environmentName,
          expectedVersion: request.baseVersion,
          changes: await itemsOf(tx, request.id),
          reason: request.reason,
          kind: request.kind,
          authorId: request.authorId,
          actor: approver.username,
          restoredFrom: request.restoredFrom ?? undefined,
          promotedFrom: request.promotedFrom ?? undefined,
          onCritical: 'fail',
          approval: { approverId: approver.userId, approverName: approver.username, changeRequestId: request.id, comment: input.comment },
        });
        if (result.status !== 'APPLIED') throw new Error('an approved write cannot become a change request');
        await tx.changeRequest.update({
          where: { id: request.id },
          data: { status: 'APPLIED', reviewerId: approver.userId, reviewComment: input.comment, reviewedAt: new Date(), updatedAt: new Date() },
        });
        return result;
      });
      metrics.configWrites.inc({ environment: outcome.environment.name, kind: outcome.version.kind, outcome: 'APPLIED' });
      logger.info({
        event: 'config_change_approved',
        env: outcome.environment.name,
        config_version: outcome.version.version,
        change_request: input.id,
        approved_by: approver.username,
        parameters: outcome.changedKeys,
      }, 'change request approved and applied');
      return outcome;
    },

    async reject(viewer: Viewer, input: { id: string; revision: number; comment: string }): Promise<ChangeRequest> {
      const reviewer = requireOperator(viewer);
      if (!hasRole(reviewer, 'APPROVER')) throw forbidden('Only an approver can reject a change request.');
      assertReason(input.comment);
      const rejected = await inTransaction(prisma, async (tx) => {
        const request = await load(tx, input.id);
        assertPending(request);
        if (request.authorId === reviewer.userId) throw forbidden('Withdraw your own change request instead of rejecting it.');
        assertRevision(request, input.revision);
        const updated = await tx.changeRequest.update({
          where: { id: request.id },
          data: { status: 'REJECTED', reviewerId: reviewer.userId, reviewComment: input.comment, reviewedAt: new Date(), updatedAt: new Date() },
        });
        await appendAudit(tx, [{ action: 'config_change_rejected', actor: reviewer.username, environmentId: request.environmentId, subjectId: request.id, reason: input.comment }]);
        return updated;
      });
      logger.info({ event: 'config_change_rejected', change_request: input.id, rejected_by: reviewer.username }, 'change request rejected');
      return rejected;
    },

    /**
     * The author rewrites the request against the environment's current
     * version: the revision moves, so any approval given to the old text is void.
     */
    async update(viewer: Viewer, input: { id: string; revision: number; changes: { name: string; value: string }[]; reason?: string | null }): Promise<ChangeRequest> {
      const author = requireOperator(viewer);
      if (input.reason != null) assertReason(input.reason);
      return inTransaction(prisma, async (tx) => {
        const request = await load(tx, input.id);
        assertPending(request);
        if (request.authorId !== author.userId) throw forbidden('Only the author can edit a change request.');
        assertRevision(request, input.revision);
        const changes: ValueMap = Object.fromEntries(input.changes.map(({ name, value }) => [name, value]));
        if (Object.keys(changes).length === 0) throw new AppError('VALIDATION_FAILED', 'A change request needs at least one change.', { violations: [] });
        const violations = await writer.check(tx, request.environmentName, changes);
        if (violations.length) throw violationsError(violations);
        const environment = await findEnvironment(tx, request.environmentName);
        await tx.changeRequestItem.deleteMany({ where: { changeRequestId: request.id } });
        await tx.changeRequestItem.createMany({ data: Object.entries(changes).map(([name, value]) => ({ changeRequestId: request.id, parameterName: name, value })) });
        const updated = await tx.changeRequest.update({
          where: { id: request.id },
          data: { revision: request.revision + 1, baseVersion: environment.activeVersion, reason: input.reason?.trim() ?? request.reason, updatedAt: new Date() },
        });
        await appendAudit(tx, [{
          action: 'change_request_updated', actor: author.username, environmentId: request.environmentId, subjectId: request.id,
          reason: updated.reason, details: { revision: updated.revision, baseVersion: updated.baseVersion, parameters: Object.keys(changes) },
        }]);
        return updated;
      });
    },

    async withdraw(viewer: Viewer, input: { id: string }): Promise<ChangeRequest> {
      const author = requireOperator(viewer);
      return inTransaction(prisma, async (tx) => {
        const request = await load(tx, input.id);
        assertPending(request);
        if (request.authorId !== author.userId && !hasRole(author, 'ADMIN')) throw forbidden('Only the author or an admin can withdraw a change request.');
        const updated = await tx.changeRequest.update({ where: { id: request.id }, data: { status: 'WITHDRAWN', updatedAt: new Date() } });
        await appendAudit(tx, [{ action: 'change_request_withdrawn', actor: author.username, environmentId: request.environmentId, subjectId: request.id }]);
        return updated;
      });
    },

    /** Live rule and value checks of a pending request against the environment as it is now. */
    async check(id: string) {
      return inTransaction(prisma, async (tx) => {
        const request = await tx.changeRequest.findUnique({ where: { id }, include: { environment: true } });
        if (!request) throw notFound('Change request', id);
        return writer.check(tx, request.environment.name, await itemsOf(tx, id));
      });
    },
  };
}

export type ChangeRequestService = ReturnType<typeof createChangeRequestService>;
