import { DiffList } from '../../components/value-diff.tsx';
import { CriticalItems } from './critical-items.tsx';
import type { PendingRequest, PendingWorker } from './pending-request.ts';
import { ReviewForm } from './review-form.tsx';
import { WithdrawRequest } from './withdraw-request.tsx';

/** One pending request: its diff (critical items marked), checks, affected workers, and what the reader may do with it. */
export function RequestCard({ request, workers, canReview, isAuthor, onReviewed }: { request: PendingRequest; workers: readonly PendingWorker[]; canReview: boolean; isAuthor: boolean; onReviewed: (m: string) => void }) {
  const names = new Set(request.items.map((i) => i.name));
  const affected = workers.filter((w) => w.environment.name === request.environment.name && w.consumes.some((n) => names.has(n)));
  const titleId = `cr-${request.id}`;
  const critical = new Set(request.items.filter((i) => i.parameter?.critical).map((i) => i.name));
  return (
    <li className="card" aria-labelledby={titleId} data-testid="change-request">
      <div className="card-head">
        <h2 id={titleId}>{request.environment.name}: {request.kind.toLowerCase()} by {request.author.displayName}</h2>
        <time dateTime={request.createdAt}>{new Date(request.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time>
      </div>
      <p>{request.reason}</p>
      <CriticalItems request={request} />
      <h3>Diff against the active values</h3>
      <DiffList rows={request.diff} label="Requested changes" critical={critical} />
      <h3>Checks</h3>
      {request.violations.length === 0 ? (
        <p className="rule-ok">Every value and cross-parameter rule holds against {request.environment.name} as it is now.</p>
      ) : (
        <ul>{request.violations.map((v, i) => <li key={i} className="field-error">{v.message}</li>)}</ul>
      )}
      <h3>Workers affected</h3>
      {affected.length === 0 ? <p className="muted">No registered worker reads these parameters.</p> : (
        <ul>{affected.map((w) => <li key={w.id}>{w.name} ({w.mode.toLowerCase()}, {w.status.toLowerCase()})</li>)}</ul>
      )}
      {isAuthor ? (
        <div className="notice">
          <p>You wrote this request: another approver must review it. Until then you can withdraw it.</p>
          <WithdrawRequest request={request} onWithdrawn={onReviewed} />
        </div>
      ) : canReview ? (
        <ReviewForm request={request} onReviewed={onReviewed} />
      ) : (
        <p className="muted">Only an approver can review change requests.</p>
      )}
    </li>
  );
}
