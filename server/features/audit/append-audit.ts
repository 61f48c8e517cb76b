import type { Prisma } from '../../generated/prisma/client.ts';
import type { Tx } from '../../db/transaction.ts';
import type { AuditAction } from '../../../contract/index.ts';

/** Audit event names follow the architecture document (§11); the list is the contract's. */
export type { AuditAction } from '../../../contract/index.ts';

export interface AuditRow {
  action: AuditAction;
  /** When it happened; now by default (an imported legacy row keeps its own time). */
  at?: Date;
  actor: string;
  environmentId?: string | null;
  parameterName?: string | null;
  configVersion?: number | null;
  subjectId?: string | null;
  reason?: string | null;
  details?: Prisma.InputJsonValue;
}

/** Appends audit rows inside the caller's transaction: the audit commits with the change or not at all. */
export async function appendAudit(tx: Tx, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.auditEvent.createMany({
    data: rows.map((row) => ({ ...row, details: row.details ?? {} })),
  });
}
