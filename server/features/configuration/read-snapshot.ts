import type { Db } from '../../db/transaction.ts';
import type { ValueMap } from './value-map.ts';

/**
 * The full values of an environment at a version (its active one by default); {} before the first version.
 * Read as text and parsed once: ~25 KB of JSON through the ORM's model layer
 * costs several times the statement itself.
 */
export async function readSnapshot(db: Db, environment: { id: string; activeVersion: number }, version = environment.activeVersion): Promise<ValueMap> {
  if (version === 0) return {};
  const rows = await db.$queryRaw<{ values: string }[]>`
    SELECT "values"::text AS values FROM config_versions WHERE environment_id = ${environment.id}::uuid AND version = ${version}`;
  return rows[0] ? (JSON.parse(rows[0].values) as ValueMap) : {};
}
