import pg from 'pg';

/** The server tests run against: DATABASE_URL, or the local one CI starts. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrlFor(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The login role the server runs as in the tests: a member of ucp_app (the
 * migrations' application role), owning nothing. Its password matters only
 * on a server that asks for one.
 */
export const testApplicationRole = { user: 'ucp_app_test', password: 'ucp_app_test' } as const;

/** A database as the application role: what the server connects with (DATABASE_URL). */
export function applicationDatabaseUrlFor(name: string): string {
  const url = new URL(databaseUrlFor(name));
  url.username = testApplicationRole.user;
  url.password = testApplicationRole.password;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
