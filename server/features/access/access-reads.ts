import type { Prisma, PrismaClient, ServiceToken, User } from '../../generated/prisma/client.ts';
import { requireRole, type Viewer } from '../../auth/index.ts';

/** What a prismaField hands down: the relations and columns the operation selects. */
type Selection = { include?: object; select?: object };

export interface ServiceTokenFilter {
  environment?: string | null;
  includeRevoked?: boolean | null;
}

/** Users and service tokens as admins list them (no row here ever carries a hash). */
export function createAccessReads({ prisma }: { prisma: PrismaClient }) {
  return {
    users(query: Selection, viewer: Viewer | null): Promise<User[]> {
      requireRole(viewer, 'ADMIN', 'list users');
      return prisma.user.findMany({ ...(query as Prisma.UserFindManyArgs), orderBy: { username: 'asc' } });
    },

    /** Newest first; revoked tokens only when asked for. */
    serviceTokens(query: Selection, viewer: Viewer | null, filter: ServiceTokenFilter = {}): Promise<ServiceToken[]> {
      requireRole(viewer, 'ADMIN', 'list service tokens');
      return prisma.serviceToken.findMany({
        ...(query as Prisma.ServiceTokenFindManyArgs),
        where: {
          ...(filter.environment ? { environment: { name: filter.environment } } : {}),
          ...(filter.includeRevoked ? {} : { revokedAt: null }),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      });
    },
  };
}

export type AccessReads = ReturnType<typeof createAccessReads>;
