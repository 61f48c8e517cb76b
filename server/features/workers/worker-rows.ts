import type { Worker } from '../../generated/prisma/client.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import type { RunKind, WorkerStatus } from '../../generated/prisma/enums.ts';

/** A worker row as the fixed-shape statements select it. */
interface WorkerRow {
  id: string;
  name: string;
  mode: RunKind;
  environment_id: string;
  token_id: string | null;
  status: WorkerStatus;
  received_version: number | null;
  applied_version: number | null;
  last_applied_at: Date | null;
  last_heartbeat_at: Date | null;
  pending_restart: string[];
  consumes: string[];
  registered_at: Date;
}

/**
 * The workers with these ids (lower-case uuids), as Prisma's model would
 * return them, in one statement of one shape whatever their number, through
 * the plain driver: a model query's `in` list changes shape with its length
 * (compiled again for every batch of apply reports), and Prisma's raw layer
 * costs more per row than the statement itself.
 */
export async function readWorkers(sql: SqlClient, ids: readonly string[]): Promise<Map<string, Worker>> {
  if (ids.length === 0) return new Map();
  const rows = await sql.query<WorkerRow & Record<string, unknown>>(`
    SELECT id::text, name, mode::text AS mode, environment_id::text, token_id::text, status::text AS status,
           received_version, applied_version, last_applied_at, last_heartbeat_at, pending_restart, consumes, registered_at
    FROM workers WHERE id = ANY($1::uuid[])`, [[...ids]]);
  return new Map(rows.map((row) => [row.id, {
    id: row.id,
    name: row.name,
    mode: row.mode,
    environmentId: row.environment_id,
    tokenId: row.token_id,
    status: row.status,
    receivedVersion: row.received_version,
    appliedVersion: row.applied_version,
    lastAppliedAt: row.last_applied_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    pendingRestart: row.pending_restart,
    consumes: row.consumes,
    registeredAt: row.registered_at,
  } satisfies Worker]));
}

/** A text[] as a PostgreSQL array literal, so ragged lists travel in one text[] parameter (one literal per row). */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
