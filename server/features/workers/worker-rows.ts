import type { Worker } from '../../generated/prisma/client.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import type { RunKind, WorkerStatus } from '../../generated/prisma/enums.ts';

/**
 * A worker row of `alias` as one JSON object: the hot statements return their
 * rows as one json text that JSON.parse reads at once, instead of the
 * driver parsing every column of a thousand rows (timestamps, arrays) one
 * by one.
 */
export function workerJson(alias: string): string {
  return `json_build_object('id', ${alias}.id, 'name', ${alias}.name, 'mode', ${alias}.mode, 'environmentId', ${alias}.environment_id,
    'tokenId', ${alias}.token_id, 'status', ${alias}.status, 'receivedVersion', ${alias}.received_version, 'appliedVersion', ${alias}.applied_version,
    'lastAppliedAt', ${alias}.last_applied_at, 'lastHeartbeatAt', ${alias}.last_heartbeat_at, 'pendingRestart', ${alias}.pending_restart,
    'consumes', ${alias}.consumes, 'registeredAt', ${alias}.registered_at)`;
}

/** A worker as `workerJson` wrote it, as Prisma's model would return it. */
export function workerFromJson(row: Record<string, unknown>): Worker {
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));
  return {
    id: row.id as string,
    name: row.name as string,
    mode: row.mode as RunKind,
    environmentId: row.environmentId as string,
    tokenId: (row.tokenId as string | null) ?? null,
    status: row.status as WorkerStatus,
    receivedVersion: (row.receivedVersion as number | null) ?? null,
    appliedVersion: (row.appliedVersion as number | null) ?? null,
    lastAppliedAt: date(row.lastAppliedAt),
    lastHeartbeatAt: date(row.lastHeartbeatAt),
    pendingRestart: row.pendingRestart as string[],
    consumes: row.consumes as string[],
    registeredAt: date(row.registeredAt)!,
  } satisfies Worker;
}

/** A statement's one json text value (column `json` of its one row), parsed; null when SQL's is. */
export async function jsonOf<T>(sql: SqlClient, text: string, values: readonly unknown[]): Promise<T | null> {
  const [row] = await sql.query<{ json: string | null }>(text, values);
  return row?.json ? (JSON.parse(row.json) as T) : null;
}

/**
 * The workers with these ids (lower-case uuids), in one statement of one
 * shape whatever their number, through the plain driver: a model query's
 * `in` list changes shape with its length (compiled again for every batch of
 * apply reports), and Prisma's raw layer costs more per row than the
 * statement itself.
 */
export async function readWorkers(sql: SqlClient, ids: readonly string[]): Promise<Map<string, Worker>> {
  if (ids.length === 0) return new Map();
  const rows = (await jsonOf<Record<string, unknown>[]>(sql, `SELECT json_agg(${workerJson('w')})::text AS json FROM workers w WHERE w.id = ANY($1::uuid[])`, [[...ids]])) ?? [];
  return new Map(rows.map((row) => {
    const worker = workerFromJson(row);
    return [worker.id, worker];
  }));
}
