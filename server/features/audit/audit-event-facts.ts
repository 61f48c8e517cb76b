import { auditSubjectKindOf, type AuditSubjectKind } from '../../../contract/index.ts';

/** The part of a stored event the facts are read from. */
interface StoredEvent {
  action: string;
  reason: string | null;
  details: unknown;
}

/** What the console and analysts read from an event without knowing each action's details layout. */
export interface AuditEventFacts {
  /** What `subject` names (null for an action this server does not know). */
  subjectKind: AuditSubjectKind | null;
  /** The approver of an approved change (the event's actor too, since the approval applies it). */
  approvedBy: string | null;
  /**
   * The reviewer's comment: the approval comment of an approved change, the
   * rejection's comment of a rejected one. An approved version's `reason` is
   * still the author's.
   */
  reviewComment: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

export function auditEventFacts(event: StoredEvent): AuditEventFacts {
  const details = (event.details ?? {}) as Record<string, unknown>;
  const approved = event.action === 'config_change_approved';
  return {
    subjectKind: auditSubjectKindOf(event.action),
    approvedBy: approved ? text(details.approvedBy) : null,
    reviewComment: approved ? text(details.comment) : event.action === 'config_change_rejected' ? text(event.reason) : null,
  };
}
