import type pg from 'pg';

export type DatabaseSnapshot = Record<string, { rows: number; checksum: string }>;

/**
 * Every table's row count and a checksum of its rows (read with raw SQL,
 * outside the app): two equal snapshots mean nothing was inserted, updated or
 * deleted in between. Sequences are left out: a refused insert may use a value.
 */
export async function databaseSnapshot(sql: pg.Client): Promise<DatabaseSnapshot> {
  const { rows: tables } = await sql.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1",
  );
  const snapshot: DatabaseSnapshot = {};
  for (const { name } of tables) {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const { rows } = await sql.query<{ rows: number; checksum: string }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS checksum FROM ${quoted} t`,
    );
    snapshot[name] = rows[0]!;
  }
  return snapshot;
}
