import type { Db } from '../../db/transaction.ts';
import type { VersionKind } from '../../generated/prisma/enums.ts';
import type { ConfigChangedEvent } from '../../realtime/pubsub.ts';

/**
 * Reads committed versions of one environment in (after, upTo], in order, in
 * one statement: the LISTEN bridge runs it before every publication (so it
 * is on the save-to-apply path), and a resumed subscription reads its
 * backlog with it.
 */
export async function readVersionEvents(db: Db, environment: string, after: number, upTo = 2_147_483_647): Promise<ConfigChangedEvent[]> {
  const rows = await db.$queryRaw<{ version: number; kind: VersionKind; createdAt: Date; author: string; changes: { name: string; before: string | null; after: string | null }[] }[]>`
    SELECT v.version, v.kind::text AS kind, v.created_at AS "createdAt", u.username AS author,
           COALESCE((SELECT json_agg(json_build_object('name', c.parameter_name, 'before', c.before, 'after', c.after) ORDER BY c.parameter_name)
                     FROM config_changes c WHERE c.version_id = v.id), '[]'::json) AS changes
    FROM config_versions v
    JOIN environments e ON e.id = v.environment_id
    JOIN users u ON u.id = v.author_id
    WHERE e.name = ${environment} AND v.version > ${after} AND v.version <= ${upTo}
    ORDER BY v.version`;
  return rows.map((row) => ({
    environment,
    version: row.version,
    kind: row.kind,
    changedKeys: row.changes.map((c) => c.name),
    changes: row.changes,
    author: row.author,
    createdAt: row.createdAt,
  }));
}
