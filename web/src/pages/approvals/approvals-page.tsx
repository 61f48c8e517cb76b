import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useMutation, useQuery, useSubscription } from 'urql';
import { z } from 'zod';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { DiffList } from '../../components/value-diff.tsx';
import { ApproveChangeRequestDocument, ChangeRequestUpdatedDocument, PendingChangeRequestsDocument, RejectChangeRequestDocument, type PendingChangeRequestsQuery } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';

type Request = PendingChangeRequestsQuery['changeRequests']['edges'][number]['node'];
type Worker = PendingChangeRequestsQuery['workers'][number];

const reviewSchema = z.object({ comment: z.string().trim().min(3, 'Write a comment for the author (at least 3 characters).') });
type ReviewForm = z.infer<typeof reviewSchema>;

function ReviewForm({ request, onReviewed }: { request: Request; onReviewed: (message: string) => void }) {
  const [approveState, approve] = useMutation(ApproveChangeRequestDocument);
  const [rejectState, reject] = useMutation(RejectChangeRequestDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const { register, handleSubmit, formState: { errors } } = useForm<ReviewForm>({ resolver: zodResolver(reviewSchema), defaultValues: { comment: '' } });
  const busy = approveState.fetching || rejectState.fetching;
  const id = `comment-${request.id}`;

  const run = (decision: 'approve' | 'reject') => handleSubmit(async ({ comment }) => {
    setError(null);
    const input = { id: request.id, revision: request.revision, comment: comment.trim() };
    if (decision === 'approve') {
      const result = await approve({ input });
      if (result.error) return setError(describeApiError(result.error));
      onReviewed(`Approved: ${request.environment.name} is now at version ${result.data?.approveChangeRequest.version}.`);
    } else {
      const result = await reject({ input });
      if (result.error) return setError(describeApiError(result.error));
      onReviewed(`Rejected the request of ${request.author.displayName}.`);
    }
  });

  return (
    <form className="form-grid" noValidate onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={id}>Comment (required)</label>
      <textarea id={id} rows={2} {...register('comment')} aria-invalid={errors.comment ? true : undefined} aria-describedby={errors.comment ? `${id}-error` : undefined} />
      {errors.comment && <p id={`${id}-error`} className="field-error">{errors.comment.message}</p>}
      {error && <p className="field-error" role="alert">{error.summary}</p>}
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void run('approve')()}>Approve</button>
        <button type="button" className="danger" disabled={busy} onClick={() => void run('reject')()}>Reject</button>
      </div>
    </form>
  );
}

function RequestCard({ request, workers, canReview, isAuthor, onReviewed }: { request: Request; workers: readonly Worker[]; canReview: boolean; isAuthor: boolean; onReviewed: (m: string) => void }) {
  const names = new Set(request.items.map((i) => i.name));
  const affected = workers.filter((w) => w.environment.name === request.environment.name && w.consumes.some((n) => names.has(n)));
  const titleId = `cr-${request.id}`;
  return (
    <li className="card" aria-labelledby={titleId} data-testid="change-request">
      <div className="card-head">
        <h2 id={titleId}>{request.environment.name}: {request.kind.toLowerCase()} by {request.author.displayName}</h2>
        <time dateTime={request.createdAt}>{new Date(request.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time>
      </div>
      <p>{request.reason}</p>
      <h3>Diff against the active values</h3>
      <DiffList rows={request.diff} label="Requested changes" />
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
        <p className="notice">You wrote this request: another approver must review it.</p>
      ) : canReview ? (
        <ReviewForm request={request} onReviewed={onReviewed} />
      ) : (
        <p className="muted">Only an approver can review change requests.</p>
      )}
    </li>
  );
}

export default function ApprovalsPage() {
  const { user } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: PendingChangeRequestsDocument, requestPolicy: 'cache-and-network' });
  // Live: another approver's decision or a new request refreshes the queue.
  useSubscription({ query: ChangeRequestUpdatedDocument }, (_, event) => {
    refetch({ requestPolicy: 'network-only' });
    return event;
  });
  const requests = data?.changeRequests.edges.map((e) => e.node) ?? [];

  return (
    <main id="main" className="page">
      <div className="page-head"><h1>Approvals</h1><span className="muted">Pending change requests for critical parameters</span></div>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading change requests…" />}
      {data && requests.length === 0 && <EmptyState>No change request is waiting. Critical changes submitted for approval appear here.</EmptyState>}
      {requests.length > 0 && (
        <ul className="card-list" aria-label="Pending change requests">
          {requests.map((request) => (
            <RequestCard
              key={request.id}
              request={request}
              workers={data?.workers ?? []}
              canReview={hasRole(user, 'APPROVER')}
              isAuthor={request.author.username === user.username}
              onReviewed={(message) => { setNotice(message); refetch({ requestPolicy: 'network-only' }); }}
            />
          ))}
        </ul>
      )}
    </main>
  );
}
