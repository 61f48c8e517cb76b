import type { Db } from '../../db/transaction.ts';
import type { ValueMap } from './value-map.ts';

/** The full values of an environment at a version (its active one by default); {} before the first version. */
export async function readSnapshot(db: Db, environment: { id: string; activeVersion: number }, version = environment.activeVersion): Promise<ValueMap> {
  if (version === 0) return {};
  const row = await db.configVersion.findUnique({
    where: { environmentId_version: { environmentId: environment.id, version } },
    select: { values: true },
  });
  return (row?.values ?? {}) as ValueMap;
}
