import { formatTime } from '../../components/freeze-banner.tsx';
import { RunStatusPill, runKindLabel } from '../../components/run-badges.tsx';
import type { RunPageRun } from './run-types.ts';

/** Who started the run, where, under which version, when, and how it ended. */
export function RunFacts({ run }: { run: RunPageRun }) {
  const metadata = run.metadata && typeof run.metadata === 'object' ? Object.entries(run.metadata as Record<string, unknown>) : [];
  return (
    <dl className="facts" data-testid="run-facts">
      <div><dt>Kind</dt><dd>{runKindLabel(run.kind)}</dd></div>
      <div><dt>Status</dt><dd><RunStatusPill status={run.status} /></dd></div>
      <div><dt>Environment</dt><dd>{run.environment?.name ?? 'none (legacy run)'}</dd></div>
      <div><dt>Config version</dt><dd>{run.configVersion ? `${run.environment?.name}@${run.configVersion.version}` : '—'}</dd></div>
      <div><dt>Started by</dt><dd>{run.startedBy}</dd></div>
      <div><dt>Started</dt><dd><time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time></dd></div>
      <div><dt>Finished</dt><dd>{run.endedAt ? <time dateTime={run.endedAt}>{formatTime(run.endedAt)}</time> : 'not yet'}</dd></div>
      {run.outcomeMessage && <div><dt>Outcome message</dt><dd>{run.outcomeMessage}</dd></div>}
      <div><dt>Output digest</dt><dd className="digest" data-testid="output-digest">{run.outputDigest ?? 'none yet'}</dd></div>
      {metadata.map(([key, value]) => <div key={key}><dt>{key}</dt><dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd></div>)}
    </dl>
  );
}
