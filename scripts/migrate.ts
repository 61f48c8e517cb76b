// `npm run migrate`: applies prisma/migrations to DATABASE_URL (offline; see
// server/db/schema-engine.ts for why this is not `prisma migrate deploy`).
import { migratePostgres } from '../server/db/migrate-postgres.ts';
import { databaseUrlFromEnv } from '../server/db/database-url.ts';

const applied = await migratePostgres(databaseUrlFromEnv());
console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database already up to date');
