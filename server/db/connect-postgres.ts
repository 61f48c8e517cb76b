import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Database, PrismaQueryEvent } from './database.ts';
import { migratePostgres } from './migrate-postgres.ts';
import { createPgNotificationSource } from './pg-notification-source.ts';
import type { SqlClient } from './sql-client.ts';

export interface ConnectPostgresOptions {
  connectionString: string;
  logger: Logger;
  poolSize?: number;
  migrate?: boolean;
  /** Called for every SQL statement sent, by Prisma or as plain SQL (tests pin query counts with it). */
  onQuery?: (event: PrismaQueryEvent) => void;
  listenRetryBaseMs?: number;
}

export async function connectPostgres({
  connectionString,
  logger,
  poolSize = 20,
  migrate = true,
  onQuery,
  listenRetryBaseMs,
}: ConnectPostgresOptions): Promise<Database> {
  if (migrate) {
    const applied = await migratePostgres(connectionString);
    if (applied.length) logger.info({ event: 'migrations_applied', migrations: applied }, 'migrations applied');
  }
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'ucp' });
  // An idle client dropped by the server must not crash the process.
  pool.on('error', (error) => logger.warn({ event: 'pg_pool_error', err: error.message }, 'idle database connection lost'));
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (onQuery) prisma.$on('query' as never, (event: PrismaQueryEvent) => onQuery(event));
  // The same pool as Prisma's adapter: one set of connections, one limit.
  const sql: SqlClient = {
    async query<Row extends Record<string, unknown>>(text: string, values: readonly unknown[] = []) {
      const started = performance.now();
      const result = await pool.query<Row>(text, values as unknown[]);
      onQuery?.({ query: text, duration: performance.now() - started });
      return result.rows;
    },
  };
  return {
    kind: 'postgres',
    prisma,
    sql,
    createNotificationSource: () =>
      createPgNotificationSource({ connectionString, logger, retryBaseMs: listenRetryBaseMs }),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
