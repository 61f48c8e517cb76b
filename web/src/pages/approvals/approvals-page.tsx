import { useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { ChangeRequestUpdatedDocument, PendingChangeRequestsDocument } from '../../gql/graphql.ts';
import { RequestCard } from './request-card.tsx';

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
