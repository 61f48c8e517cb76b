import { useQuery } from 'urql';
import { useLocation, useSearch } from 'wouter';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { AuditEventsDocument } from '../../gql/graphql.ts';
import { AuditEventItem } from './audit-event-item.tsx';
import { AuditFilters } from './audit-filters.tsx';
import { AuditPager } from './audit-pager.tsx';
import { auditSearchString, auditVariables, hasFilters, readAuditSearch, type AuditSearch } from './audit-search.ts';

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** Every audit event (config, requests, catalog, rules, freezes, tokens, users, runs), filtered and paged on the server. */
export default function AuditEventsPage() {
  const searchText = useSearch();
  const [, navigate] = useLocation();
  const search = readAuditSearch(new URLSearchParams(searchText));
  const go = (next: AuditSearch) => navigate(`/audit${auditSearchString(next)}`);
  const [{ data, fetching, error }, refetch] = useQuery({ query: AuditEventsDocument, variables: auditVariables(search), requestPolicy: 'cache-and-network' });
  const page = data?.auditEvents;
  const events = page?.edges.map((e) => e.node) ?? [];
  const filtered = hasFilters(search);
  const { after: _after, before: _before, ...filters } = search;

  return (
    <main id="main" className="page audit-events-page">
      <div className="page-head">
        <h1>Audit trail</h1>
        <span className="muted">Every change, review, administration step and run, newest first.</span>
      </div>
      <AuditFilters search={filters} onApply={go} />
      {search.subject && (
        <p className="notice" role="status" data-testid="subject-filter">
          Showing the history of <code>{search.subject}</code>. <button type="button" className="link-button" onClick={() => go({ ...filters, subject: undefined })}>Show all subjects</button>
        </p>
      )}
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading the audit trail…" />}
      {page && (
        <>
          <p className="muted" role="status" data-testid="event-count">
            {plural(page.totalCount, 'event', 'events')}{filtered ? (page.totalCount === 1 ? ' matches the filters' : ' match the filters') : ''}
          </p>
          {events.length === 0 ? (
            <EmptyState>No event matches these filters. Clear them to see the whole trail.</EmptyState>
          ) : (
            <ol className="card-list" aria-label="Audit events, newest first">
              {events.map((event) => <AuditEventItem key={event.id} event={event} />)}
            </ol>
          )}
          <AuditPager
            newer={page.pageInfo.hasPreviousPage}
            older={page.pageInfo.hasNextPage}
            onNewer={() => go({ ...filters, before: page.pageInfo.startCursor ?? undefined })}
            onOlder={() => go({ ...filters, after: page.pageInfo.endCursor ?? undefined })}
          />
        </>
      )}
    </main>
  );
}
