import type { ChangeRequest, ChangeRequestStatus, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { canReadEnvironment, type Viewer } from '../../auth/index.ts';
import { filterEvents } from '../../realtime/filter-events.ts';
import type { AppPubSub, ChangeRequestUpdatedEvent } from '../../realtime/pubsub.ts';
import { readSnapshot, type ValueDiff } from '../configuration/index.ts';

/** What plugin-prisma selects for a change-request field; for a connection, the page too. */
type ChangeRequestQuery = Pick<Prisma.ChangeRequestFindManyArgs, 'include' | 'select'>;
type ChangeRequestPageQuery = ChangeRequestQuery & Pick<Prisma.ChangeRequestFindManyArgs, 'cursor' | 'take' | 'skip'>;

export interface ChangeRequestFilter {
  environment?: string | null;
  status?: ChangeRequestStatus | null;
}

/** The read side of approvals: the queue of change requests, their diffs, and their live updates. */
export function createChangeRequestReads({ prisma, pubsub }: { prisma: PrismaClient; pubsub: AppPubSub }) {
  return {
    /** Newest first; a service token sees only its own environment's requests. */
    list: (query: ChangeRequestPageQuery, viewer: Viewer | null, { environment, status }: ChangeRequestFilter): Promise<ChangeRequest[]> =>
      prisma.changeRequest.findMany({
        ...query,
        where: {
          ...(environment ? { environment: { name: environment } } : {}),
          ...(status ? { status } : {}),
          ...(viewer?.kind === 'service' ? { environmentId: viewer.environmentId } : {}),
        },
        orderBy: { createdAt: 'desc' },
      }),

    /** One request that is known to exist (an update event names it). */
    byId: (query: ChangeRequestQuery, id: string): Promise<ChangeRequest> =>
      prisma.changeRequest.findUniqueOrThrow({ ...query, where: { id } }),

    /** The requested values against the environment's active values now, by name. */
    async diff(request: { environment: { id: string; activeVersion: number }; items: { parameterName: string; value: string }[] }): Promise<ValueDiff[]> {
      const current = await readSnapshot(prisma, request.environment);
      return request.items
        .map((item) => ({ name: item.parameterName, before: current[item.parameterName] ?? null, after: item.value }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    /**
     * Updates of the requests the viewer may read (of one environment, if
     * named). The event carries its environment, so the filter reads nothing.
     */
    subscribeUpdates: (viewer: Viewer | null, environment?: string | null): AsyncIterableIterator<ChangeRequestUpdatedEvent> =>
      filterEvents(
        pubsub.subscribe('changeRequestUpdated'),
        (event) => (!environment || event.environment === environment) && canReadEnvironment(viewer, event.environmentId),
      ),
  };
}

export type ChangeRequestReads = ReturnType<typeof createChangeRequestReads>;
