/** The database the tooling scripts act on: DATABASE_URL, or the local server. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}
