import { Link } from 'wouter';
import { formatTime } from '../../components/freeze-banner.tsx';
import { RunStatusPill, runKindLabel } from '../../components/run-badges.tsx';
import type { RunPageRun } from './run-types.ts';

/** The other runs bound to the same parameter set, each a link to compare with. */
export function SharingRuns({ run }: { run: RunPageRun }) {
  const others = run.parameterSet.runs.edges.map((e) => e.node).filter((r) => r.id !== run.id);
  const total = run.parameterSet.runs.totalCount - 1;
  return (
    <section className="card" aria-labelledby="run-sharing">
      <h2 id="run-sharing">Runs sharing this parameter set</h2>
      {others.length === 0 ? (
        <p className="muted">No other run uses this set.</p>
      ) : (
        <ul className="card-list" data-testid="sharing-runs">
          {others.map((r) => (
            <li key={r.id} className="diff-row">
              <Link href={`/runs/${encodeURIComponent(r.id)}`}>{r.name}</Link>
              <span>{runKindLabel(r.kind)} · {r.environment?.name ?? 'legacy'}</span>
              <RunStatusPill status={r.status} />
              <time dateTime={r.startedAt}>{formatTime(r.startedAt)}</time>
              <Link href={`/runs/compare?a=${encodeURIComponent(run.id)}&b=${encodeURIComponent(r.id)}`}>Compare</Link>
            </li>
          ))}
        </ul>
      )}
      {total > others.length && <p className="muted"><Link href={`/runs?set=${run.parameterSet.hash}`}>All {total} runs sharing it</Link></p>}
    </section>
  );
}
