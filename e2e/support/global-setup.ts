import { createPasswordHasher } from '../../server/auth/password-hasher.ts';
import { connectPostgres } from '../../server/db/connect-postgres.ts';
import { createLogger } from '../../server/logging/create-logger.ts';
import { seedDatabase } from '../../server/seed/seed-database.ts';
import { databaseUrlFor, withAdminClient } from '../../test/support/postgres-admin.ts';
import { testHasherOptions, testPasswords } from '../../test/support/test-passwords.ts';
import { e2eClonePrefix, templateEnv } from './e2e-database.ts';

/**
 * One migrated, seeded template database per run (the API tests' recipe);
 * every test clones it. Workers inherit the template's name through the
 * environment. Returns the teardown that drops the template and any clone a
 * crashed test left behind.
 */
export default async function globalSetup() {
  const template = `ucp_e2e_tpl_${process.pid}`;
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
  process.env[templateEnv] = template;
  return async () => {
    await withAdminClient(async (client) => {
      const clones = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${e2eClonePrefix(template)}%`]);
      for (const { datname } of clones.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    });
  };
}
