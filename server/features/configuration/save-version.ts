import type { ConfigVersion, VersionKind } from '../../generated/prisma/client.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import type { ValueMap } from './value-map.ts';

/** One version as ucp_save_config_version writes it (prisma/migrations/20261216000000_save_in_one_statement). */
export interface VersionPlan {
  environment: { id: string; name: string };
  /** The version the save was validated against; the new one is expectedVersion + 1. */
  expectedVersion: number;
  /** What the validation read: the statement refuses (STALE) when either has moved since. */
  catalogRevision: bigint;
  rulesKey: string;
  kind: VersionKind;
  reason: string;
  authorId: string;
  approverId?: string;
  changeRequestId?: string;
  restoredFrom?: number;
  promotedFrom?: string;
  /** The new version's values as the server computed them; the statement lays `changes` over the stored expected version, which yields the same. */
  values: ValueMap;
  changes: { name: string; before: string | null; after: string }[];
  audit: { action: string; actor: string; parameterName: string; subjectId: string | null; reason: string; details: Prisma.InputJsonValue }[];
}

export type SaveAnswer =
  | { status: 'APPLIED'; version: ConfigVersion }
  | { status: 'NOT_FOUND' }
  | { status: 'STALE' }
  | { status: 'VERSION_CONFLICT'; currentVersion: number }
  | { status: 'FROZEN'; id: string; endsAt: Date; reason: string };

type Answer =
  | { status: 'APPLIED'; id: string; createdAt: string }
  | { status: 'NOT_FOUND' | 'STALE' }
  | { status: 'VERSION_CONFLICT'; currentVersion: number }
  | { status: 'FROZEN'; id: string; endsAt: string; reason: string };

/**
 * Writes a planned version in one statement: the checks under the lock, the
 * version (its values built in the database from the expected version's and
 * the changes: the call carries a few hundred bytes, not the whole snapshot),
 * its changes and its audit rows. Outside a transaction it is the
 * whole durable transaction in one round trip; inside one it commits with it.
 * A refusal writes nothing.
 */
export async function saveVersion(sql: SqlClient, plan: VersionPlan): Promise<SaveAnswer> {
  const version = {
    kind: plan.kind, reason: plan.reason, authorId: plan.authorId,
    approverId: plan.approverId ?? null, changeRequestId: plan.changeRequestId ?? null,
    restoredFrom: plan.restoredFrom ?? null, promotedFrom: plan.promotedFrom ?? null,
  };
  const [row] = await sql.query<{ answer: string }>(
    `SELECT ucp_save_config_version($1, $2::uuid, $3::integer, $4::bigint, $5, $6::jsonb, $7::jsonb, $8::jsonb) AS answer`,
    [plan.environment.name, plan.environment.id, plan.expectedVersion, plan.catalogRevision.toString(), plan.rulesKey,
      JSON.stringify(version), JSON.stringify(plan.changes), JSON.stringify(plan.audit)],
  );
  const answer = JSON.parse(row!.answer) as Answer;
  switch (answer.status) {
    case 'APPLIED':
      return {
        status: 'APPLIED',
        version: {
          id: BigInt(answer.id), environmentId: plan.environment.id, version: plan.expectedVersion + 1, values: plan.values, createdAt: new Date(answer.createdAt),
          ...version,
        },
      };
    case 'FROZEN':
      return { ...answer, endsAt: new Date(answer.endsAt) };
    default:
      return answer;
  }
}
