import pg from 'pg';
import { createPasswordHasher } from '../server/auth/password-hasher.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import type { Database } from '../server/db/database.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { seedDatabase } from '../server/seed/seed-database.ts';

export const benchPasswords = { admin: 'bench-admin-pw', approver: 'bench-approver-pw', editor: 'bench-editor-pw', viewer: 'bench-viewer-pw' };

/**
 * A throwaway, migrated and seeded database on the PostgreSQL server at
 * DATABASE_URL (default: the local one), dropped by `drop()`.
 */
export async function createBenchDatabase(): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `ucp_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const logger = createLogger({ level: 'warn' });
  const database = await connectPostgres({ connectionString: url.toString(), logger });
  await seedDatabase(database.prisma, { hasher: createPasswordHasher(), passwords: benchPasswords });
  return {
    database,
    url: url.toString(),
    async drop() {
      // The caller may have closed it already (to hand the database to a spawned server).
      await database.close().catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
