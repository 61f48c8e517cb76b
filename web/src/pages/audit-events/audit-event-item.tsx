import { Link } from 'wouter';
import type { AuditEventFieldsFragment } from '../../gql/graphql.ts';
import { ValueDiff } from '../../components/value-diff.tsx';
import { labelOfAction } from './audit-action-label.ts';
import { auditEventLinks } from './audit-event-links.ts';

const formatTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** One audit event: who did what, where, why, the reviewer's comment, and links to what it touched. */
export function AuditEventItem({ event }: { event: AuditEventFieldsFragment }) {
  const details = (event.details ?? {}) as Record<string, unknown>;
  const hasValues = event.subjectKind === 'CONFIG_VERSION' && ('before' in details || 'after' in details);
  const links = auditEventLinks(event);
  return (
    <li className="card audit-event" data-testid={`audit-event-${event.id}`} data-action={event.action}>
      <div className="card-head">
        <strong>{event.actor}</strong>
        <span>{labelOfAction(event.action)}</span>
        {event.environment && <span className="badge">{event.environment.name}</span>}
        {event.configVersion != null && <span className="muted">version {event.configVersion}</span>}
        <time dateTime={event.at}>{formatTime(event.at)}</time>
      </div>
      {event.parameter && <p className="param-name audit-parameter">{event.parameter}</p>}
      {hasValues && <p><ValueDiff before={details.before as string | null} after={details.after as string | null} /></p>}
      {event.reason && <p className="audit-reason"><span className="muted">Reason: </span>{event.reason}</p>}
      {event.reviewComment && (
        <p className="audit-review" data-testid="review-comment">
          <span className="muted">{event.approvedBy ? `Approved by ${event.approvedBy}: ` : 'Reviewer\'s comment: '}</span>{event.reviewComment}
        </p>
      )}
      {links.length > 0 && (
        <ul className="audit-links" aria-label="What this event touched">
          {links.map((link) => <li key={link.href + link.label}><Link href={link.href}>{link.label}</Link></li>)}
        </ul>
      )}
    </li>
  );
}
