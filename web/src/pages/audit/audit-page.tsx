import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { useLocation } from 'wouter';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EnvironmentPicker } from '../../components/environment-picker.tsx';
import { FreezeBanner, useActiveFreeze } from '../../components/freeze-banner.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { DiffList } from '../../components/value-diff.tsx';
import { AuditTrailDocument, VersionDiffDocument, type VersionFieldsFragment } from '../../gql/graphql.ts';
import { RestoreDialog } from './restore-dialog.tsx';

interface Filters {
  parameter?: string;
  author?: string;
  since?: string;
  until?: string;
}

const kindLabel = { EDIT: 'edit', PROMOTION: 'promotion', RESTORE: 'restore', SEED: 'initial values', IMPORT: 'imported from legacy' } as const;
const formatTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function CompareVersions({ environment, version }: { environment: string; version: number }) {
  const [other, setOther] = useState<number | null>(null);
  const [input, setInput] = useState(String(Math.max(1, version - 1)));
  const [{ data, fetching, error }] = useQuery({ query: VersionDiffDocument, variables: { environment, version, other: other ?? 0 }, pause: other === null });
  const id = `compare-${version}`;
  return (
    <div className="compare">
      <form className="inline-field" onSubmit={(e) => { e.preventDefault(); const n = Number(input); if (Number.isInteger(n) && n > 0) setOther(n); }}>
        <label htmlFor={id}>Compare with version</label>
        <input id={id} type="number" min={1} step={1} value={input} onChange={(e) => setInput(e.target.value)} style={{ width: '6rem' }} />
        <button type="submit">Compare</button>
      </form>
      {fetching && <Loading label="Comparing…" />}
      {error && <QueryError error={error} />}
      {data?.environment.version && other !== null && (
        <DiffList label={`From version ${other} to version ${version}`} rows={data.environment.version.diffAgainst} empty={`Versions ${other} and ${version} have the same values.`} />
      )}
    </div>
  );
}

function VersionCard({ node, environment, activeVersion, canRestore, onRestore }: { node: VersionFieldsFragment; environment: string; activeVersion: number; canRestore: boolean; onRestore: (v: number) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="card" data-testid={`version-${node.version}`}>
      <div className="card-head">
        <h2>Version {node.version}{node.version === activeVersion && <span className="badge hot"> active</span>}</h2>
        <span className="badge">{kindLabel[node.kind]}</span>
        <span>by {node.author.displayName}</span>
        {node.approver && <span>approved by {node.approver.displayName}</span>}
        <time dateTime={node.createdAt}>{formatTime(node.createdAt)}</time>
      </div>
      <p>{node.reason}{node.restoredFrom != null && <span className="muted"> (restored from version {node.restoredFrom})</span>}{node.promotedFrom && <span className="muted"> (promoted from {node.promotedFrom})</span>}</p>
      <p className="muted">{node.changes.length} {node.changes.length === 1 ? 'parameter' : 'parameters'} changed</p>
      <div className="actions">
        <button type="button" aria-expanded={open} aria-controls={`details-${node.version}`} onClick={() => setOpen(!open)}>{open ? 'Hide diff' : 'Show diff'}</button>
        {canRestore && node.version !== activeVersion && <button type="button" onClick={() => onRestore(node.version)}>Restore this version</button>}
      </div>
      {open && (
        <div id={`details-${node.version}`}>
          <DiffList label={`Changes of version ${node.version} against its predecessor`} rows={node.changes} empty="No parameter changed." />
          <CompareVersions environment={environment} version={node.version} />
        </div>
      )}
    </li>
  );
}

export default function AuditPage({ environment }: { environment: string }) {
  const { user } = useSession();
  const [, navigate] = useLocation();
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
        <h1>Audit trail · {environment}</h1>
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
