/**
 * The database the tooling scripts (migrate, migration:diff) act on: they
 * need the tables' owner, MIGRATION_DATABASE_URL, else DATABASE_URL (a
 * single-user setup), else the local server.
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.MIGRATION_DATABASE_URL || env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}
