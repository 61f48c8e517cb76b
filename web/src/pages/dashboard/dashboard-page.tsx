import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { EnvironmentPicker } from '../../components/environment-picker.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { RecentAppliesDocument, WorkersDocument, WorkerStatusChangedDocument } from '../../gql/graphql.ts';
import { LatencyChart } from './latency-chart.tsx';

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
const lagText = (s: number | null) => (s == null ? '' : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

export default function DashboardPage() {
  const now = useNow(5_000);
  const [{ data, fetching, error }, refetch] = useQuery({ query: WorkersDocument, requestPolicy: 'cache-and-network' });
  const [chartEnvironment, setChartEnvironment] = useState('dev');
  const [applies, refetchApplies] = useQuery({ query: RecentAppliesDocument, variables: { environment: chartEnvironment, last: 200 }, requestPolicy: 'cache-and-network' });
  const [live] = useSubscription({ query: WorkerStatusChangedDocument }, (_, event) => {
    refetch({ requestPolicy: 'network-only' });
    refetchApplies({ requestPolicy: 'network-only' });
    return event;
  });

  // `lagging` is the server's verdict (more than 3 versions or 60 s behind): the console does not guess its own.
  const workers = [...(data?.workers ?? [])].sort((a, b) => Number(b.lagging) - Number(a.lagging) || a.environment.name.localeCompare(b.environment.name) || a.name.localeCompare(b.name));
  const lagging = workers.filter((w) => w.lagging).length;

  return (
    <main id="main" className="page dashboard-page">
      <div className="page-head">
        <h1>Workers</h1>
        <span className="muted" role="status" aria-live="polite">
          {live.error ? 'Live updates interrupted: showing the last known state.' : 'Live'}
          {data ? ` · ${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}, ${lagging} lagging` : ''}
        </span>
      </div>
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading workers…" />}
      {data && workers.length === 0 && <EmptyState>No worker has registered yet. Workers appear here when they start with a service token.</EmptyState>}
      {workers.length > 0 && (
        <ul className="card-list worker-list" aria-label="Workers">
          {workers.map((w) => {
            const behind = w.lagging;
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
                  <div><dt>Lag</dt><dd data-testid="lag">{w.lagVersions == null ? 'unknown' : `${w.lagVersions} ${w.lagVersions === 1 ? 'version' : 'versions'}`}{w.lagSeconds != null && w.lagSeconds > 0 ? `, ${lagText(w.lagSeconds)}` : ''}</dd></div>
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
        <div className="filters">
          <EnvironmentPicker id="latency-env" label="Environment" value={chartEnvironment} onChange={setChartEnvironment} />
        </div>
        {applies.error && <QueryError error={applies.error} retry={() => refetchApplies({ requestPolicy: 'network-only' })} />}
        {!applies.data && applies.fetching && <Loading label="Loading apply reports…" />}
        {applies.data && <LatencyChart applies={applies.data.recentApplies} />}
      </section>
    </main>
  );
}
