// `npm run migrate`: applies prisma/migrations as the tables' owner,
// MIGRATION_DATABASE_URL (else DATABASE_URL), offline (see
// server/db/schema-engine.ts for why this is not `prisma migrate deploy`),
// then seeds the database if it is empty, also as the owner, so a server
// that connects as the application role never needs the owner's URL. It
// seeds only with every UCP_<USER>_PASSWORD set: a migration job has nowhere
// to leave random first passwords. `--no-seed` only migrates.
import path from 'node:path';
import { createPasswordHasher } from '../server/auth/password-hasher.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { databaseUrlFromEnv } from '../server/db/database-url.ts';
import { migratePostgres } from '../server/db/migrate-postgres.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { seedUsers } from '../server/seed/seed-database.ts';
import { seedIfEmpty } from '../server/seed/seed-if-empty.ts';

const url = databaseUrlFromEnv();
const applied = await migratePostgres(url);
console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database already up to date');

if (!process.argv.includes('--no-seed')) {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const database = await connectPostgres({ connectionString: url, logger, migrate: false, poolSize: 2 });
  try {
    const missing = seedUsers.map((u) => `UCP_${u.username.toUpperCase()}_PASSWORD`).filter((name) => !process.env[name]);
    if ((await database.prisma.environment.count()) > 0) console.log('database already seeded');
    else if (missing.length > 0) console.log(`database is empty and not seeded: set ${missing.join(', ')} to seed it here, or let npm start seed it (as MIGRATION_DATABASE_URL)`);
    else {
      await seedIfEmpty(database.prisma, { dataDir: path.resolve(process.env.DATA_DIR || 'data'), hasher: createPasswordHasher(), logger });
      console.log('seeded with the UCP_<USER>_PASSWORD passwords');
    }
  } finally {
    await database.close();
  }
}
