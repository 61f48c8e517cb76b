import type { FreezeWindow, PrismaClient } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError, notFound } from '../../errors/index.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { requireRole, type Viewer } from '../../auth/index.ts';
import { appendAudit } from '../audit/index.ts';
import { assertReason } from '../audit/index.ts';
import { lockEnvironment } from '../configuration/index.ts';
import { isFreezeWindowActive } from './active-freeze-window.ts';

export interface CreateFreezeWindowInput {
  environment: string;
  startsAt: Date;
  endsAt: Date;
  reason: string;
}

export interface CancelFreezeWindowInput {
  id: string;
  reason: string;
}

export interface FreezeWindowServiceDeps {
  prisma: PrismaClient;
  logger: Logger;
}

function invalidTimes(field: 'startsAt' | 'endsAt', message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { violations: [{ code: 'OUT_OF_RANGE', field, message }] });
}

/**
 * Freeze windows (architecture §12): intervals in which an environment refuses
 * every save. The write path enforces them (assertNotFrozen, under the
 * environment lock); this service only plans and cancels them. A cancelled
 * window is kept, with its cancellation time, for the record.
 */
export function createFreezeWindowService({ prisma, logger }: FreezeWindowServiceDeps) {
  async function lockWindow(tx: Tx, id: string): Promise<FreezeWindow> {
    const rows = isUuid(id) ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM freeze_windows WHERE id = ${id}::uuid FOR UPDATE` : [];
    if (!rows[0]) throw notFound('Freeze window', id);
    return tx.freezeWindow.findUniqueOrThrow({ where: { id } });
  }

  return {
    async create(viewer: Viewer, input: CreateFreezeWindowInput): Promise<FreezeWindow> {
      const admin = requireRole(viewer, 'ADMIN', 'plan freeze windows');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const now = new Date();
      if (Number.isNaN(input.startsAt.getTime()) || Number.isNaN(input.endsAt.getTime())) {
        throw invalidTimes('startsAt', 'Give the start and the end of the freeze as dates and times.');
      }
      if (input.endsAt <= input.startsAt) {
        throw invalidTimes('endsAt', `A freeze window ends after it starts; this one starts at ${input.startsAt.toISOString()} and ends at ${input.endsAt.toISOString()}.`);
      }
      if (input.endsAt <= now) {
        throw invalidTimes('endsAt', `This freeze window would already be over (it ends at ${input.endsAt.toISOString()}); choose an end in the future.`);
      }
      const window = await inTransaction(prisma, async (tx) => {
        // FOR UPDATE like a save: a save already holding the lock commits first,
        // and once this commits no save can miss the window.
        const environment = await lockEnvironment(tx, input.environment);
        const created = await tx.freezeWindow.create({
          data: { environmentId: environment.id, startsAt: input.startsAt, endsAt: input.endsAt, reason, createdById: admin.userId },
        });
        await appendAudit(tx, [{
          action: 'freeze_window_created', actor: admin.username, environmentId: environment.id, subjectId: created.id, reason,
          details: { startsAt: created.startsAt.toISOString(), endsAt: created.endsAt.toISOString() },
        }]);
        return created;
      });
      logger.info({
        event: 'freeze_window_created', env: input.environment, freeze_window: window.id,
        starts_at: window.startsAt.toISOString(), ends_at: window.endsAt.toISOString(), changed_by: admin.username, change_reason: reason,
      }, 'freeze window created');
      return window;
    },

    async cancel(viewer: Viewer, input: CancelFreezeWindowInput): Promise<FreezeWindow> {
      const admin = requireRole(viewer, 'ADMIN', 'cancel freeze windows');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const { window, environment } = await inTransaction(prisma, async (tx) => {
        const current = await lockWindow(tx, input.id);
        if (current.cancelledAt !== null) {
          throw new AppError('CONFLICT', `This freeze window was already cancelled at ${current.cancelledAt.toISOString()}.`, { cancelledAt: current.cancelledAt.toISOString() });
        }
        const now = new Date();
        // An ended window is history: cancelling it would claim the freeze never happened.
        if (current.endsAt <= now) {
          throw new AppError('CONFLICT', `This freeze window already ended at ${current.endsAt.toISOString()}.`, { endsAt: current.endsAt.toISOString() });
        }
        const cancelled = await tx.freezeWindow.update({ where: { id: current.id }, data: { cancelledAt: now }, include: { environment: { select: { name: true } } } });
        await appendAudit(tx, [{
          action: 'freeze_window_cancelled', actor: admin.username, environmentId: current.environmentId, subjectId: current.id, reason,
          details: { startsAt: current.startsAt.toISOString(), endsAt: current.endsAt.toISOString(), wasActive: isFreezeWindowActive(current, now) },
        }]);
        const { environment, ...window } = cancelled;
        return { window, environment: environment.name };
      });
      logger.info({ event: 'freeze_window_cancelled', env: environment, freeze_window: window.id, changed_by: admin.username, change_reason: reason }, 'freeze window cancelled');
      return window;
    },
  };
}

export type FreezeWindowService = ReturnType<typeof createFreezeWindowService>;
