import { sqlInTransaction, type SqlClient } from '../../db/sql-client.ts';
import type { Db, Tx } from '../../db/transaction.ts';
import type { VersionKind } from '../../generated/prisma/enums.ts';
import type { ConfigChangedEvent } from '../../realtime/pubsub.ts';

/**
 * Reads committed versions of one environment in (after, upTo], in order, in
 * one statement: the LISTEN bridge runs it before every publication (so it
 * is on the save-to-apply path), and a resumed subscription reads its
 * backlog with it.
 */
export async function readVersionEvents(db: Db | SqlClient, environment: string, after: number, upTo = 2_147_483_647): Promise<ConfigChangedEvent[]> {
  // Plain values every driver returns alike: the bridge's read goes through
  // the plain SQL client (no model layer, ~a third of its cost per version).
  const sql: SqlClient = 'query' in db ? db : sqlInTransaction(db as Tx);
  const rows = await sql.query<{ version: number; kind: VersionKind; created_ms: number; author: string; changes: string }>(
    `SELECT v.version, v.kind::text AS kind, (extract(epoch FROM v.created_at) * 1000)::float8 AS created_ms, u.username AS author,
            COALESCE((SELECT json_agg(json_build_object('name', c.parameter_name, 'before', c.before, 'after', c.after) ORDER BY c.parameter_name)
                      FROM config_changes c WHERE c.version_id = v.id), '[]'::json)::text AS changes
     FROM config_versions v
     JOIN environments e ON e.id = v.environment_id
     JOIN users u ON u.id = v.author_id
     WHERE e.name = $1 AND v.version > $2 AND v.version <= $3
     ORDER BY v.version`,
    [environment, after, upTo],
  );
  return rows.map((row) => {
    const changes = JSON.parse(row.changes) as { name: string; before: string | null; after: string | null }[];
    return {
      environment,
      version: row.version,
      kind: row.kind,
      changedKeys: changes.map((c) => c.name),
      changes,
      author: row.author,
      createdAt: new Date(Number(row.created_ms)),
    };
  });
}
