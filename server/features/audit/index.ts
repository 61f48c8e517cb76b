// The audit slice's face: the append-only trail every write adds to inside its own transaction.
export { appendAudit, type AuditAction, type AuditRow } from './append-audit.ts';
export { assertReason } from './assert-reason.ts';
export { createAuditReads, type AuditFilter, type AuditReads } from './audit-reads.ts';
export { auditEventFacts, type AuditEventFacts } from './audit-event-facts.ts';
