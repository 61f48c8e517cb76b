import type { FreezeWindow, Prisma } from '../../generated/prisma/client.ts';

// When a freeze window binds, said once for rows in memory and once for queries.

/** Open at `now`: not cancelled, started, not yet ended (the test assertNotFrozen applies to saves). */
export function isFreezeWindowActive(window: Pick<FreezeWindow, 'startsAt' | 'endsAt' | 'cancelledAt'>, now = new Date()): boolean {
  return window.cancelledAt === null && window.startsAt <= now && window.endsAt > now;
}

/** The windows open at `now`, as a query filter. */
export function activeFreezeWindowWhere(now = new Date()): Prisma.FreezeWindowWhereInput {
  return { cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now } };
}

/** Windows that still matter: not cancelled and not over, the open one and those to come. */
export function pendingFreezeWindowsWhere(now = new Date()): Prisma.FreezeWindowWhereInput {
  return { cancelledAt: null, endsAt: { gt: now } };
}
