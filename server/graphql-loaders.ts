import DataLoader from 'dataloader';
import type { PrismaClient } from './generated/prisma/client.ts';

/**
 * Request-scoped batch loaders for what plugin-prisma cannot fold into its own
 * queries (computed fields that read other rows). Created per operation so a
 * cache never outlives the request that filled it.
 */
export function createLoaders(prisma: PrismaClient) {
  return {
    /** When version N of an environment was saved; key `${environmentId}:${version}`. */
    versionCreatedAt: new DataLoader<string, Date | null>(async (keys) => {
      const pairs = keys.map((key) => {
        const [environmentId, version] = key.split(':');
        return { environmentId: environmentId!, version: Number(version) };
      });
      const rows = await prisma.configVersion.findMany({ where: { OR: pairs }, select: { environmentId: true, version: true, createdAt: true } });
      const found = new Map(rows.map((row) => [`${row.environmentId}:${row.version}`, row.createdAt]));
      return keys.map((key) => found.get(key) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
