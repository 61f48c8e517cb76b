import { randomUUID } from 'node:crypto';
import type { Worker, RunKind, WorkerStatus } from '../../generated/prisma/client.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import { jsonOf, workerFromJson, workerJson } from './worker-rows.ts';

/**
 * A registration in one plain statement (two when it must be judged)
 * instead of an interactive transaction of seven: a fleet starting together registers a thousand
 * workers at once, and each model query of a transaction is a round trip
 * and a compiled query of its own (most of a worker's share of start → READY).
 *
 * - `readRegistration` reads, without locking, what the checks need: the
 *   environment's active version and the worker of that name with its owner.
 * - `writeRegistration` is one statement, so one transaction: the upsert and
 *   its audit row commit together or not at all. It only updates the row
 *   whose owner is the one the caller checked (`checkedOwner`), only inserts
 *   where no row existed when it read, and only with reported versions the
 *   environment has: a registration that raced it (another token, the same
 *   name) leaves it without a row, and the caller reads and checks again.
 *
 * A worker re-registering with its own token, or a new name, is always
 * allowed (worker-owner.ts), so the caller first writes with itself as the
 * checked owner: one statement for the whole registration. Only when that
 * lands nothing (another owner, a version the environment lacks) does it
 * read, judge and answer as the checks say.
 */
export interface RegistrationState {
  activeVersion: number;
  existing: { id: string; owner: { tokenId: string | null; token: { name: string; environmentId: string | null } | null } } | null;
}

export async function readRegistration(sql: SqlClient, environmentId: string, name: string): Promise<RegistrationState | null> {
  const [row] = await sql.query<{ active_version: number; id: string | null; token_id: string | null; token_name: string | null; token_environment_id: string | null }>(
    `SELECT e.active_version, w.id::text, w.token_id::text, t.name AS token_name, t.environment_id::text AS token_environment_id
     FROM environments e
     LEFT JOIN workers w ON w.environment_id = e.id AND w.name = $2
     LEFT JOIN service_tokens t ON t.id = w.token_id
     WHERE e.id = $1::uuid`,
    [environmentId, name],
  );
  if (!row) return null;
  return {
    activeVersion: row.active_version,
    existing: row.id === null ? null : {
      id: row.id,
      owner: { tokenId: row.token_id, token: row.token_name === null ? null : { name: row.token_name, environmentId: row.token_environment_id } },
    },
  };
}

export interface RegistrationWrite {
  name: string;
  mode: RunKind;
  environmentId: string;
  tokenId: string;
  consumes: readonly string[];
  /** The first status report, when the registration carries one (null fields keep the stored value). */
  status: { status: WorkerStatus; receivedVersion: number | null; appliedVersion: number | null; pendingRestart: readonly string[] | null } | null;
  /** The owner checked on the row read (undefined: no row existed then). */
  checkedOwner: { tokenId: string | null } | undefined;
  actor: string;
  at: Date;
}

/** The worker as registered and whether it was created, or null when the row changed since it was read. */
export async function writeRegistration(sql: SqlClient, write: RegistrationWrite): Promise<{ worker: Worker; created: boolean } | null> {
  const status = write.status;
  const row = await jsonOf<{ worker: Record<string, unknown>; created: boolean }>(sql,
    `WITH up AS (
       INSERT INTO workers AS w (id, name, mode, environment_id, token_id, consumes, pending_restart, status, received_version, applied_version, last_applied_at, last_heartbeat_at)
       SELECT $1::uuid, $2, $3::"RunKind", e.id, $5::uuid, $6::text[], COALESCE($7::text[], '{}'), COALESCE($8::"WorkerStatus", 'NOT_READY'),
              $9::int, $10::int, CASE WHEN $10::int IS NOT NULL THEN $11::timestamptz END, $11::timestamptz
       FROM environments e
       -- Reported versions exist (the caller checked they are positive integers).
       WHERE e.id = $4::uuid AND ($9::int IS NULL OR $9::int <= e.active_version) AND ($10::int IS NULL OR $10::int <= e.active_version)
       ON CONFLICT (environment_id, name) DO UPDATE SET
         mode = EXCLUDED.mode, token_id = EXCLUDED.token_id, consumes = EXCLUDED.consumes, last_heartbeat_at = EXCLUDED.last_heartbeat_at,
         status = COALESCE($8::"WorkerStatus", w.status),
         received_version = COALESCE($9::int, w.received_version),
         applied_version = COALESCE($10::int, w.applied_version),
         last_applied_at = CASE WHEN $10::int IS NOT NULL AND $10::int IS DISTINCT FROM w.applied_version THEN $11::timestamptz ELSE w.last_applied_at END,
         pending_restart = COALESCE($7::text[], w.pending_restart)
       WHERE $12::boolean AND w.token_id IS NOT DISTINCT FROM $13::uuid
       RETURNING w.*, (xmax = 0) AS created
     ), audit AS (
       INSERT INTO audit_events (action, actor, environment_id, subject_id, details)
       SELECT 'worker_registered', $14, up.environment_id, up.id::text,
              jsonb_build_object('name', up.name, 'mode', up.mode, 'consumes', cardinality(up.consumes), 'reRegistered', NOT up.created)
       FROM up
     )
     SELECT json_build_object('worker', ${workerJson('up')}, 'created', up.created)::text AS json FROM up`,
    [
      randomUUID(), write.name, write.mode, write.environmentId, write.tokenId, [...write.consumes],
      status?.pendingRestart ? [...status.pendingRestart] : null, status?.status ?? null,
      status?.receivedVersion ?? null, status?.appliedVersion ?? null, write.at,
      write.checkedOwner !== undefined, write.checkedOwner?.tokenId ?? null, write.actor,
    ]);
  return row ? { worker: workerFromJson(row.worker), created: row.created } : null;
}
