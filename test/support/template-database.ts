import { createPasswordHasher } from '../../server/auth/password-hasher.ts';
import { connectPostgres } from '../../server/db/connect-postgres.ts';
import { createLogger } from '../../server/logging/create-logger.ts';
import { seedDatabase } from '../../server/seed/seed-database.ts';
import { applicationDatabaseUrlFor, databaseUrlFor, testApplicationRole, withAdminClient } from './postgres-admin.ts';
import { testHasherOptions, testPasswords } from './test-passwords.ts';

/**
 * The recipe both suites (vitest and Playwright) share: one migrated, seeded
 * template per run, cloned per test file or test with CREATE DATABASE …
 * TEMPLATE (a fraction of a second, fully isolated).
 */
export async function createSeededTemplate(template: string): Promise<void> {
  await withAdminClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  const database = await connectPostgres({ connectionString: databaseUrlFor(template), logger: createLogger({ level: 'silent' }) });
  try {
    await seedDatabase(database.prisma, { hasher: createPasswordHasher(testHasherOptions), passwords: testPasswords });
  } finally {
    await database.close();
  }
  await ensureTestApplicationRole();
}

/**
 * The template is migrated and seeded as the owner (the admin URL); the
 * server under test connects as a login role granted ucp_app, which the
 * migrations create. Roles are server-wide: create it once, tolerating a
 * concurrent run (the other suite) creating it at the same moment.
 */
async function ensureTestApplicationRole(): Promise<void> {
  const { user, password } = testApplicationRole;
  await withAdminClient((client) => client.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN
        CREATE ROLE ${user} LOGIN PASSWORD '${password}' IN ROLE ucp_app;
      ELSIF NOT pg_has_role('${user}', 'ucp_app', 'USAGE') THEN
        GRANT ucp_app TO ${user};
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    $$`));
}

/** Drops the template and every clone (by name prefix) a crashed test left behind. */
export async function dropTemplateAndClones(template: string, clonePrefix: string): Promise<void> {
  await withAdminClient(async (client) => {
    const clones = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${clonePrefix}%`]);
    for (const { datname } of clones.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  });
}

export interface ClonedDatabase {
  name: string;
  /** As the tables' owner: raw-SQL setup and checks, migrations (MIGRATION_DATABASE_URL). */
  url: string;
  /** As the application role (ucp_app): what the server under test connects with (DATABASE_URL). */
  appUrl: string;
  drop(): Promise<void>;
}

export async function cloneDatabase(template: string, name: string): Promise<ClonedDatabase> {
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrlFor(name),
    appUrl: applicationDatabaseUrlFor(name),
    drop: () => withAdminClient(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}
