import { Link } from 'wouter';
import { formatTime } from '../../components/freeze-banner.tsx';
import { DiffList } from '../../components/value-diff.tsx';
import type { RunPageRun } from './run-types.ts';

/** The environment version the run ran under: who changed what, and why. */
export function ConfigVersionSection({ run }: { run: RunPageRun }) {
  const version = run.configVersion;
  return (
    <section className="card" aria-labelledby="run-version">
      <h2 id="run-version">Config version</h2>
      {!version ? (
        <p className="muted">A legacy run: no environment version is pinned, so it compares with nothing.</p>
      ) : (
        <>
          <dl className="facts" data-testid="config-version">
            <div><dt>Version</dt><dd><Link href={`/history/${run.environment?.name ?? 'dev'}`}>{run.environment?.name}@{version.version}</Link> ({version.kind.toLowerCase()})</dd></div>
            <div><dt>Author</dt><dd>{version.author.displayName} ({version.author.username})</dd></div>
            <div><dt>Reason</dt><dd>{version.reason}</dd></div>
            <div><dt>Approver</dt><dd>{version.approver ? `${version.approver.displayName} (${version.approver.username})` : 'no approval needed'}</dd></div>
            {version.approvalComment && <div><dt>Approval comment</dt><dd>{version.approvalComment}</dd></div>}
            <div><dt>Saved</dt><dd><time dateTime={version.createdAt}>{formatTime(version.createdAt)}</time></dd></div>
          </dl>
          <details>
            <summary>{version.changes.length} {version.changes.length === 1 ? 'parameter' : 'parameters'} changed in this version</summary>
            <DiffList label={`Changes of version ${version.version}`} rows={version.changes} empty="No parameter changed." />
          </details>
        </>
      )}
    </section>
  );
}
