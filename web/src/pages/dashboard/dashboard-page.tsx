import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { WorkersDocument, WorkerStatusChangedDocument, type WorkerFieldsFragment } from '../../gql/graphql.ts';

/** A worker is lagging when it has not applied the active version, or its heartbeat is older than this. */
const staleHeartbeatMs = 30_000;

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
const ago = (iso: string | null, now: number) => (iso ? `${seconds(Math.max(0, now - new Date(iso).getTime()))} ago` : 'never');

function lagSeconds(worker: WorkerFieldsFragment, now: number): number | null {
  if (worker.lagVersions == null) return null;
  if (worker.lagVersions <= 0) return 0;
  // Behind since the active version was written (a lower bound when several versions are missing).
  const since = worker.environment.activeConfig?.createdAt;
  return since ? Math.max(0, Math.round((now - new Date(since).getTime()) / 1000)) : null;
}

function isLagging(worker: WorkerFieldsFragment, now: number): boolean {
  const heartbeat = worker.lastHeartbeatAt ? now - new Date(worker.lastHeartbeatAt).getTime() : Infinity;
  return (worker.lagVersions ?? 1) > 0 || heartbeat > staleHeartbeatMs || worker.status === 'STALE' || worker.status === 'ERROR';
}

export default function DashboardPage() {
  const now = useNow(5_000);
  const [{ data, fetching, error }, refetch] = useQuery({ query: WorkersDocument, requestPolicy: 'cache-and-network' });
  const [live] = useSubscription({ query: WorkerStatusChangedDocument }, (_, event) => {
    refetch({ requestPolicy: 'network-only' });
    return event;
  });

  const workers = [...(data?.workers ?? [])].sort((a, b) => Number(isLagging(b, now)) - Number(isLagging(a, now)) || a.environment.name.localeCompare(b.environment.name) || a.name.localeCompare(b.name));
  const lagging = workers.filter((w) => isLagging(w, now)).length;

  return (
    <main id="main" className="page dashboard-page">
      <div className="page-head">
        <h1>Workers</h1>
        <span className="muted" role="status" aria-live="polite">
          {live.error ? 'Live updates interrupted: showing the last known state.' : 'Live'}
          {data ? ` · ${workers.length} workers, ${lagging} lagging` : ''}
        </span>
      </div>
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading workers…" />}
      {data && workers.length === 0 && <EmptyState>No worker has registered yet. Workers appear here when they start with a service token.</EmptyState>}
      {workers.length > 0 && (
        <ul className="card-list worker-list" aria-label="Workers">
          {workers.map((w) => {
            const behind = isLagging(w, now);
            const lag = lagSeconds(w, now);
            return (
              <li key={w.id} className={`card worker${behind ? ' lagging' : ''}`} data-testid={`worker-${w.name}`} data-lagging={behind}>
                <div className="card-head">
                  <h2>{w.name}</h2>
                  <span className={`status-pill status-${w.status}`}>{w.status.toLowerCase().replace('_', ' ')}</span>
                  <span className="badge">{w.environment.name} · {w.mode.toLowerCase()}</span>
                  {behind && <strong className="lag-flag">lagging</strong>}
                </div>
                <dl className="worker-facts">
                  <div><dt>Applied version</dt><dd>{w.appliedVersion ?? 'none yet'} of {w.environment.activeVersion}</dd></div>
                  <div><dt>Lag</dt><dd>{w.lagVersions == null ? 'unknown' : `${w.lagVersions} ${w.lagVersions === 1 ? 'version' : 'versions'}`}{lag != null && lag > 0 ? `, ${lag} s` : ''}</dd></div>
                  <div><dt>Last apply</dt><dd>{ago(w.lastAppliedAt, now)}</dd></div>
                  <div><dt>Heartbeat</dt><dd>{ago(w.lastHeartbeatAt, now)}</dd></div>
                  <div><dt>Waiting for restart</dt><dd>{w.pendingRestart.length === 0 ? 'nothing' : w.pendingRestart.join(', ')}</dd></div>
                </dl>
              </li>
            );
          })}
        </ul>
      )}
      <section aria-labelledby="latency-title" className="card">
        <h2 id="latency-title">Save-to-apply latency</h2>
        <EmptyState>The API does not report apply latencies yet; the chart appears once workers' apply reports are queryable.</EmptyState>
      </section>
    </main>
  );
}
