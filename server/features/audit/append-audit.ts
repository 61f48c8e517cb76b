import type { Prisma } from '../../generated/prisma/client.ts';
import type { Tx } from '../../db/transaction.ts';

/** Audit event names follow the architecture document (§11). */
export type AuditAction =
  | 'config_change_saved'
  | 'config_change_approved'
  | 'config_change_rejected'
  | 'change_request_submitted'
  | 'change_request_updated'
  | 'change_request_withdrawn'
  | 'catalog_entry_created'
  | 'catalog_entry_updated'
  | 'catalog_entry_deprecated'
  | 'rule_created'
  | 'rule_updated'
  | 'freeze_window_created'
  | 'freeze_window_cancelled'
  | 'parameter_set_frozen'
  | 'run_registered'
  | 'run_status_changed'
  | 'run_epoch_recorded'
  | 'user_created'
  | 'user_updated'
  | 'user_confirmed'
  | 'sign_in_throttled'
  | 'service_token_created'
  | 'service_token_revoked'
  | 'worker_registered'
  // The legacy import (server/features/legacy-import): each legacy row at its own time and author, then the import itself.
  | 'config_version_imported'
  | 'legacy_run_imported'
  | 'legacy_import_completed';

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
