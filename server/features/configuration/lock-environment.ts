import type { Tx } from '../../db/transaction.ts';
import { notFound } from '../../errors/app-error.ts';
import type { EnvironmentState } from './find-environment.ts';

/** An environment whose row this transaction holds FOR UPDATE. */
export type LockedEnvironment = EnvironmentState;

/**
 * Reads an environment row FOR UPDATE: every writer of one environment
 * queues here, so two saves can never both build on version N. Only for
 * writes (a read that merely needs the row calls findEnvironment).
 */
export async function lockEnvironment(tx: Tx, name: string): Promise<LockedEnvironment> {
  const rows = await tx.$queryRaw<{ id: string; name: string; active_version: number }[]>`SELECT id::text, name, active_version FROM environments WHERE name = ${name} FOR UPDATE`;
  const row = rows[0];
  if (!row) throw notFound('Environment', name);
  return { id: row.id, name: row.name, activeVersion: row.active_version };
}
