import path from 'node:path';
import type { PasswordHasher } from '../server/auth/password-hasher.ts';
import { assertApplicationRole, inspectDatabaseRole } from '../server/db/check-application-role.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { migrateInChildProcess } from './migrate-in-child-process.ts';
import type { Database } from '../server/db/database.ts';
import type { Logger } from '../server/logging/create-logger.ts';
import { seedIfEmpty, type SeedOutcome } from '../server/seed/seed-if-empty.ts';
import type { Settings } from '../server/settings.ts';

export interface OpenedDatabase extends SeedOutcome {
  database: Database;
}

/** The database's own words out of a Prisma or schema-engine message (which wrap them in source excerpts). */
function reason(error: unknown): string {
  const lines = String((error as Error)?.message ?? error).split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /permission denied|does not exist|violat|^ERROR/i.test(line)) ?? lines[0] ?? 'unknown error';
}

/**
 * The database `npm start` serves from. On PostgreSQL, two roles: the
 * tables' owner (MIGRATION_DATABASE_URL) migrates and seeds, then the server
 * connects as the application role (DATABASE_URL), which owns nothing and so
 * cannot switch the invariant triggers off (checked: fatal in production).
 * Without MIGRATION_DATABASE_URL one role does both, as on a developer's
 * trust-auth server. Without DATABASE_URL: embedded PGlite, a single user.
 */
export async function openDatabase({ settings, logger, hasher }: {
  settings: Settings & { dataDir: string };
  logger: Logger;
  hasher: PasswordHasher;
}): Promise<OpenedDatabase> {
  const seed = (database: Database) => seedIfEmpty(database.prisma, { dataDir: settings.dataDir, hasher, logger });
  // In a process of its own, which takes the schema engine's memory with it when it ends.
  const migrate = async (connectionString: string) => {
    const applied = await migrateInChildProcess(connectionString);
    if (applied.length) logger.info({ event: 'migrations_applied', migrations: applied }, 'migrations applied');
  };

  if (!settings.DATABASE_URL) {
    // Loaded only here: a server on PostgreSQL never holds PGlite's modules.
    const { connectEmbedded } = await import('../server/db/connect-embedded.ts');
    const database = await connectEmbedded({ dataDir: path.join(settings.dataDir, 'pglite'), logger });
    return { database, ...(await seed(database)) };
  }

  let database: Database;
  let seeded: SeedOutcome;
  if (settings.MIGRATION_DATABASE_URL) {
    await migrate(settings.MIGRATION_DATABASE_URL);
    const owner = await connectPostgres({ connectionString: settings.MIGRATION_DATABASE_URL, logger, poolSize: 2, migrate: false });
    try {
      seeded = await seed(owner);
    } finally {
      await owner.close();
    }
    database = await connectPostgres({ connectionString: settings.DATABASE_URL, logger, migrate: false });
  } else {
    logger.info({ event: 'migration_database_url_defaulted' },
      'MIGRATION_DATABASE_URL is not set: migrations and seeding run as DATABASE_URL (a single-user setup; with an application role, run `npm run migrate` as the owner first)');
    const url = settings.DATABASE_URL;
    database = await migrate(url).then(() => connectPostgres({ connectionString: url, logger, migrate: false })).catch((error: Error) => {
      throw new Error(`Applying the migrations as DATABASE_URL failed (${reason(error)}). If DATABASE_URL is the application role, migrate as the owner first (npm run migrate with MIGRATION_DATABASE_URL) or set MIGRATION_DATABASE_URL.`, { cause: error });
    });
    try {
      seeded = await seed(database);
    } catch (error) {
      await database.close();
      throw new Error(`Seeding the empty database as DATABASE_URL failed (${reason(error)}). If DATABASE_URL is the application role, seed as the owner first (npm run migrate with MIGRATION_DATABASE_URL and UCP_<USER>_PASSWORD) or set MIGRATION_DATABASE_URL.`, { cause: error });
    }
  }
  try {
    assertApplicationRole(await inspectDatabaseRole(database.prisma), { production: settings.NODE_ENV === 'production', logger });
  } catch (error) {
    await database.close();
    throw error;
  }
  return { database, ...seeded };
}
