import type { PrismaClient } from './generated/prisma/client.ts';

export interface ReadDeps {
  prisma: PrismaClient;
}

/**
 * The composition root of the read side: every read model the GraphQL schema
 * and the plain-HTTP APIs share. Each slice's read model comes from its face
 * (server/features/<slice>/index.ts); resolvers call these, never the database.
 */
export function createReads({ prisma }: ReadDeps) {
  return {
    /**
     * The client plugin-prisma resolves relations and connections with. Only
     * schema/builder.ts hands it to the plugin; no resolver calls it directly.
     */
    graph: prisma,
  };
}

export type Reads = ReturnType<typeof createReads>;
