import { formatTime } from '../../components/freeze-banner.tsx';
import { ShortHash } from '../../components/run-badges.tsx';
import type { RunPageRun } from './run-types.ts';

/** A paper or live session's epochs: each environment version it applied, and when. */
export function RunEpochs({ run }: { run: RunPageRun }) {
  const epochs = run.epochs.edges.map((e) => e.node);
  return (
    <section className="card" aria-labelledby="run-epochs">
      <h2 id="run-epochs">Epochs</h2>
      {epochs.length === 0 ? (
        <p className="muted">The session has not recorded applying a version yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Versions the session applied" data-testid="epochs">
            <thead><tr><th scope="col">Version</th><th scope="col">Applied</th><th scope="col">Parameter set</th><th scope="col">Worker</th></tr></thead>
            <tbody>
              {epochs.map((e) => (
                <tr key={e.id}><td>{run.environment?.name}@{e.version}</td><td><time dateTime={e.appliedAt}>{formatTime(e.appliedAt)}</time></td><td><ShortHash hash={e.parameterSetHash} /></td><td>{e.worker?.name ?? '—'}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {run.epochs.totalCount > epochs.length && <p className="muted">The first {epochs.length} of {run.epochs.totalCount} epochs.</p>}
    </section>
  );
}
