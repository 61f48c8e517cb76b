import type { Db } from '../../db/transaction.ts';
import { notFound } from '../../errors/app-error.ts';

export interface LockedEnvironment {
  id: string;
  name: string;
  activeVersion: number;
}

/**
 * Reads an environment row, by default with FOR UPDATE: every writer of one
 * environment queues here, so two saves can never both build on version N.
 */
export async function lockEnvironment(db: Db, name: string, { forUpdate = true } = {}): Promise<LockedEnvironment> {
  const rows = forUpdate
    ? await db.$queryRaw<{ id: string; name: string; active_version: number }[]>`SELECT id::text, name, active_version FROM environments WHERE name = ${name} FOR UPDATE`
    : await db.$queryRaw<{ id: string; name: string; active_version: number }[]>`SELECT id::text, name, active_version FROM environments WHERE name = ${name}`;
  const row = rows[0];
  if (!row) throw notFound('Environment', name);
  return { id: row.id, name: row.name, activeVersion: row.active_version };
}
