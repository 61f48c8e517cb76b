import type { FreezeWindow, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { activeFreezeWindowWhere, pendingFreezeWindowsWhere } from './active-freeze-window.ts';

/** What plugin-prisma selects for the windows a field returns (its `query` argument). */
type FreezeWindowQuery = { include?: Prisma.FreezeWindowInclude; select?: Prisma.FreezeWindowSelect };

/** The read side of freeze windows: the one binding an environment now, and those still to come. */
export function createFreezeWindowReads({ prisma }: { prisma: PrismaClient }) {
  return {
    /** The window refusing saves to the environment right now, if any (the one ending last when several overlap). */
    active: (query: FreezeWindowQuery, environmentId: string): Promise<FreezeWindow | null> =>
      prisma.freezeWindow.findFirst({ ...query, where: { environmentId, ...activeFreezeWindowWhere() }, orderBy: { endsAt: 'desc' } }),

    /**
     * The filter and order of an environment's pending windows (the open one
     * and those to come, by start), for the relation plugin-prisma folds in.
     * Built per call, so "now" is the request's, not the schema's.
     */
    pendingQuery: () => ({
      where: pendingFreezeWindowsWhere(),
      orderBy: [{ startsAt: 'asc' as const }, { endsAt: 'asc' as const }],
    }),

    /** A window known to exist, e.g. the one a write just returned. */
    existing: (query: FreezeWindowQuery, id: string): Promise<FreezeWindow> =>
      prisma.freezeWindow.findUniqueOrThrow({ ...query, where: { id } }),
  };
}

export type FreezeWindowReads = ReturnType<typeof createFreezeWindowReads>;
