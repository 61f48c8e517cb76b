import type { TestProject } from 'vitest/node';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { createPasswordHasher } from '../server/auth/password-hasher.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { seedDatabase } from '../server/seed/seed-database.ts';
import { databaseUrlFor, withAdminClient } from './support/postgres-admin.ts';
import { testHasherOptions, testPasswords } from './support/test-passwords.ts';

/**
 * Builds one migrated and seeded template database per run; each test file
 * clones it (CREATE DATABASE … TEMPLATE), which takes a fraction of a second
 * and isolates files from each other.
 */
export default async function setup(project: TestProject) {
  const template = `ucp_tpl_${process.pid}`;
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
  project.provide('templateDatabase', template);
  return async () => {
    await withAdminClient(async (client) => {
      const clones = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`ucp_t_${process.pid}_%`]);
      for (const { datname } of clones.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
