import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { useLocation, useSearch } from 'wouter';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EnvironmentPicker } from '../../components/environment-picker.tsx';
import { FreezeBanner, useActiveFreeze } from '../../components/freeze-banner.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { AuditTrailDocument } from '../../gql/graphql.ts';
import { FocusedVersion } from './focused-version.tsx';
import { RestoreDialog } from './restore-dialog.tsx';
import { VersionCard } from './version-card.tsx';

interface Filters {
  parameter?: string;
  author?: string;
  since?: string;
  until?: string;
}

/** The version history of one environment (the rollback view): filters, diffs, restore. */
export default function AuditPage({ environment }: { environment: string }) {
  const { user } = useSession();
  const [, navigate] = useLocation();
  const focused = Number(new URLSearchParams(useSearch()).get('version'));
  const [filters, setFilters] = useState<Filters>({});
  const [restoring, setRestoring] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AuditTrailDocument,
    variables: { environment, first: 50, ...filters },
    requestPolicy: 'cache-and-network',
  });

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim() || undefined;
    const since = text('since');
    const until = text('until');
    setFilters({
      parameter: text('parameter'),
      author: text('author'),
      since: since ? new Date(`${since}T00:00:00`).toISOString() : undefined,
      until: until ? new Date(`${until}T23:59:59.999`).toISOString() : undefined,
    });
  };

  const env = data?.environment;
  const freeze = useActiveFreeze(env?.activeFreezeWindow);
  const versions = env?.versions.edges.map((e) => e.node) ?? [];
  const filtered = Object.values(filters).some(Boolean);

  return (
    <main id="main" className="page audit-page">
      <div className="page-head">
        <h1>Version history · {environment}</h1>
        <EnvironmentPicker id="audit-env" label="Environment" value={environment} onChange={(name) => navigate(`/history/${name}`)} />
      </div>
      <form className="filters" onSubmit={applyFilters} aria-label="Filter versions">
        <span className="inline-field"><label htmlFor="f-parameter">Parameter</label><input id="f-parameter" name="parameter" placeholder="CVN_…" /></span>
        <span className="inline-field"><label htmlFor="f-author">Author</label><input id="f-author" name="author" placeholder="user name" /></span>
        <span className="inline-field"><label htmlFor="f-since">From</label><input id="f-since" name="since" type="date" /></span>
        <span className="inline-field"><label htmlFor="f-until">To</label><input id="f-until" name="until" type="date" /></span>
        <span className="actions">
          <button type="submit">Apply filters</button>
          <button type="reset" onClick={() => setFilters({})}>Clear</button>
        </span>
      </form>
      {freeze && <FreezeBanner environment={environment} window={freeze} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading versions…" />}
      {env && Number.isInteger(focused) && focused > 0 && (
        <FocusedVersion environment={environment} version={focused} activeVersion={env.activeVersion} canRestore={hasRole(user, 'EDITOR')} onRestore={setRestoring} />
      )}
      {env && (
        <>
          <p className="muted" role="status" data-testid="version-count">{env.versions.totalCount} {env.versions.totalCount === 1 ? 'version' : 'versions'}{filtered ? (env.versions.totalCount === 1 ? ' matches the filters' : ' match the filters') : ''}</p>
          {versions.length === 0 ? (
            <EmptyState>No version matches these filters. Clear them to see the whole history.</EmptyState>
          ) : (
            <ol className="card-list" aria-label="Versions, newest first">
              {versions.map((node) => (
                <VersionCard key={node.id} node={node} environment={environment} activeVersion={env.activeVersion} canRestore={hasRole(user, 'EDITOR')} onRestore={setRestoring} />
              ))}
            </ol>
          )}
        </>
      )}
      {restoring !== null && env && (
        <RestoreDialog
          environment={environment}
          version={restoring}
          activeVersion={env.activeVersion}
          freeze={freeze}
          open
          onOpenChange={(open) => { if (!open) setRestoring(null); }}
          onDone={(message) => { setRestoring(null); setNotice(message); refetch({ requestPolicy: 'network-only' }); }}
        />
      )}
    </main>
  );
}
