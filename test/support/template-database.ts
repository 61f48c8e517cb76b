import { createPasswordHasher } from '../../server/auth/password-hasher.ts';
import { connectPostgres } from '../../server/db/connect-postgres.ts';
import { createLogger } from '../../server/logging/create-logger.ts';
import { seedDatabase } from '../../server/seed/seed-database.ts';
import { databaseUrlFor, withAdminClient } from './postgres-admin.ts';
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
  url: string;
  drop(): Promise<void>;
}

export async function cloneDatabase(template: string, name: string): Promise<ClonedDatabase> {
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => withAdminClient(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}
