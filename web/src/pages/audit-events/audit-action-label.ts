import type { AuditAction, AuditSubjectKind } from '../../../../contract/audit-actions.ts';

/** What each action says in a sentence ("editor saved a change"); type-checked against the contract's list. */
export const auditActionLabel: Record<AuditAction, string> = {
  config_change_saved: 'saved a change',
  config_change_approved: 'approved and applied a change',
  config_change_rejected: 'rejected a change request',
  change_request_submitted: 'submitted a change for approval',
  change_request_updated: 'edited a change request',
  change_request_withdrawn: 'withdrew a change request',
  catalog_entry_created: 'added a catalog entry',
  catalog_entry_updated: 'edited a catalog entry',
  catalog_entry_deprecated: 'deprecated a catalog entry',
  rule_created: 'added a rule',
  rule_updated: 'edited a rule',
  freeze_window_created: 'planned a freeze window',
  freeze_window_cancelled: 'cancelled a freeze window',
  parameter_set_frozen: 'froze a parameter set',
  run_registered: 'started a run',
  run_status_changed: 'changed a run\'s status',
  run_epoch_recorded: 'recorded a session epoch',
  user_created: 'created a user',
  user_updated: 'changed a user',
  user_confirmed: 'confirmed a user\'s account holders',
  sign_in_throttled: 'blocked sign-ins',
  service_token_created: 'created a service token',
  service_token_revoked: 'revoked a service token',
  worker_registered: 'registered a worker',
  config_version_imported: 'imported a legacy version',
  legacy_run_imported: 'imported a legacy run',
  legacy_import_completed: 'completed a legacy import',
};

/** The "What" filter's choices, in the order an operator looks for them. */
export const subjectKindLabel: Record<AuditSubjectKind, string> = {
  CONFIG_VERSION: 'Config versions',
  CHANGE_REQUEST: 'Change requests',
  CATALOG_ENTRY: 'Catalog entries',
  RULE: 'Rules',
  FREEZE_WINDOW: 'Freeze windows',
  PARAMETER_SET: 'Parameter sets',
  RUN: 'Runs',
  USER: 'Users',
  SERVICE_TOKEN: 'Service tokens',
  WORKER: 'Workers',
  SIGN_IN: 'Sign-in throttling',
};

export const labelOfAction = (action: string): string => auditActionLabel[action as AuditAction] ?? action.replaceAll('_', ' ');
