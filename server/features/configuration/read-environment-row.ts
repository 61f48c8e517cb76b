import type { SqlClient } from '../../db/sql-client.ts';
import type { Environment } from '../../generated/prisma/client.ts';

/**
 * An environment's row by name (null: none), in one plain statement: every
 * runtime agent's load starts with it, a fleet of a thousand at once, and
 * the model layer costs more CPU than the statement itself. The model's
 * scalars only: a selection with relations goes through Prisma.
 */
export async function readEnvironmentRow(sql: SqlClient, name: string): Promise<Environment | null> {
  // Plain values every driver returns alike (the time as epoch milliseconds).
  const [row] = await sql.query<{ id: string; name: string; description: string; active_version: number; created_ms: number }>(
    `SELECT id::text, name, description, active_version, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
     FROM environments WHERE name = $1`,
    [name],
  );
  return row ? { id: row.id, name: row.name, description: row.description, activeVersion: row.active_version, createdAt: new Date(Number(row.created_ms)) } : null;
}
