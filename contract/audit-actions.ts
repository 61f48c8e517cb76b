// Every action the audit trail records (architecture §11), with the kind of
// thing each is about. The server types its rows by it; the console builds its
// action filter and its links from it, so a new action shows up in both.

/** What an audit event's `subject` names. */
export type AuditSubjectKind =
  | 'CONFIG_VERSION'
  | 'CHANGE_REQUEST'
  | 'CATALOG_ENTRY'
  | 'RULE'
  | 'FREEZE_WINDOW'
  | 'PARAMETER_SET'
  | 'RUN'
  | 'USER'
  | 'SERVICE_TOKEN'
  | 'WORKER'
  | 'SIGN_IN';

export const auditSubjectKinds = [
  'CONFIG_VERSION', 'CHANGE_REQUEST', 'CATALOG_ENTRY', 'RULE', 'FREEZE_WINDOW', 'PARAMETER_SET', 'RUN', 'USER', 'SERVICE_TOKEN', 'WORKER', 'SIGN_IN',
] as const satisfies readonly AuditSubjectKind[];

/** Action → what its subject is. A config version's event is about `environment` + `configVersion` (its subject is the approved request, if any). */
export const auditActionSubjects = {
  config_change_saved: 'CONFIG_VERSION',
  config_change_approved: 'CONFIG_VERSION',
  config_change_rejected: 'CHANGE_REQUEST',
  change_request_submitted: 'CHANGE_REQUEST',
  change_request_updated: 'CHANGE_REQUEST',
  change_request_withdrawn: 'CHANGE_REQUEST',
  catalog_entry_created: 'CATALOG_ENTRY',
  catalog_entry_updated: 'CATALOG_ENTRY',
  catalog_entry_deprecated: 'CATALOG_ENTRY',
  rule_created: 'RULE',
  rule_updated: 'RULE',
  freeze_window_created: 'FREEZE_WINDOW',
  freeze_window_cancelled: 'FREEZE_WINDOW',
  parameter_set_frozen: 'PARAMETER_SET',
  run_registered: 'RUN',
  run_status_changed: 'RUN',
  run_epoch_recorded: 'RUN',
  user_created: 'USER',
  user_updated: 'USER',
  user_confirmed: 'USER',
  sign_in_throttled: 'SIGN_IN',
  service_token_created: 'SERVICE_TOKEN',
  service_token_revoked: 'SERVICE_TOKEN',
  worker_registered: 'WORKER',
  // The legacy import: each legacy row at its own time and author, then the import itself (about the active version it leaves).
  config_version_imported: 'CONFIG_VERSION',
  legacy_run_imported: 'RUN',
  legacy_import_completed: 'CONFIG_VERSION',
} as const satisfies Record<string, AuditSubjectKind>;

export type AuditAction = keyof typeof auditActionSubjects;

export const auditActions = Object.keys(auditActionSubjects) as AuditAction[];

/** The actions about one kind of subject (the console's "what" filter). */
export function auditActionsAbout(kind: AuditSubjectKind): AuditAction[] {
  return auditActions.filter((action) => auditActionSubjects[action] === kind);
}

/** The kind of an action's subject; null for an action this contract does not know (an older or newer server). */
export function auditSubjectKindOf(action: string): AuditSubjectKind | null {
  return Object.hasOwn(auditActionSubjects, action) ? auditActionSubjects[action as AuditAction] : null;
}
