import type { Db } from '../../db/transaction.ts';
import { notFound } from '../../errors/app-error.ts';

/** An environment row as the write path and its checks see it: which version is active. */
export interface EnvironmentState {
  id: string;
  name: string;
  activeVersion: number;
}

/**
 * Finds an environment by name without locking it (NOT_FOUND when there is
 * none). Takes a transaction when the caller reads inside one.
 */
export async function findEnvironment(db: Db, name: string): Promise<EnvironmentState> {
  const row = await db.environment.findUnique({ where: { name }, select: { id: true, name: true, activeVersion: true } });
  if (!row) throw notFound('Environment', name);
  return row;
}
