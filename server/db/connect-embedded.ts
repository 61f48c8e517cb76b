import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logging/create-logger.ts';
import { applyMigrations } from './apply-migrations.ts';
import type { Database } from './database.ts';
import { wholeScriptAdapterFactory } from './migration-adapter-factory.ts';
import { notificationChannels, type NotificationChannel, type NotificationSource } from './notification-source.ts';

/**
 * PostgreSQL in-process (PGlite, PostgreSQL 18 compiled to WebAssembly) for a
 * zero-setup start. One connection only: LISTEN works in-process, which is all
 * a single server needs. Data persists under `dataDir`.
 */
export async function connectEmbedded({ dataDir, logger }: { dataDir: string; logger: Logger }): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const applied = await applyMigrations(wholeScriptAdapterFactory(new PrismaPGlite(db), (script) => db.exec(script)));
  if (applied.length) logger.info({ event: 'migrations_applied', migrations: applied }, 'migrations applied');
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });

  const createNotificationSource = (): NotificationSource => {
    const unlisten: (() => Promise<void>)[] = [];
    return {
      async start(handlers) {
        for (const channel of notificationChannels) {
          unlisten.push(await db.listen(channel, (payload) => handlers.onNotification(channel as NotificationChannel, payload)));
        }
        handlers.onConnected(false);
      },
      isConnected: () => !db.closed,
      async close() {
        await Promise.all(unlisten.splice(0).map((fn) => fn()));
      },
    };
  };

  return {
    kind: 'embedded',
    prisma,
    // Through Prisma: PGlite is one connection, and Prisma's adapter is what
    // keeps a statement from landing inside another caller's open transaction.
    sql: { query: (text, values = []) => prisma.$queryRawUnsafe(text, ...values) },
    createNotificationSource,
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
