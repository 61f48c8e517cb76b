import { useCallback } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { runKindLabel } from '../../components/run-badges.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { RunPageDocument } from '../../gql/graphql.ts';
import { reportHref } from '../../lib/report-href.ts';
import { CompareWithForm } from './compare-with-form.tsx';
import { ConfigVersionSection } from './config-version-section.tsx';
import { DigestComparison } from './digest-comparison.tsx';
import { ParameterSetSection } from './parameter-set-section.tsx';
import { RerunButton } from './rerun-button.tsx';
import { RunEpochs } from './run-epochs.tsx';
import { RunFacts } from './run-facts.tsx';
import { SharingRuns } from './sharing-runs.tsx';

/** One run: its lineage (set, version, who and why), a session's epochs, the runs sharing its set, re-run, compare and the PDF. */
export default function RunPage({ id }: { id: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: RunPageDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const run = data?.run;

  if (error) return <main id="main" className="page"><QueryError error={error} retry={reload} /></main>;
  if (!data && fetching) return <main id="main" className="page"><Loading label="Loading the run…" /></main>;
  if (!run) {
    return (
      <main id="main" className="page">
        <h1>Run not found</h1>
        <EmptyState>There is no run {id} that you may read. <Link href="/runs">Back to the runs</Link>.</EmptyState>
      </main>
    );
  }
  const session = run.kind === 'PAPER' || run.kind === 'LIVE';

  return (
    <main id="main" className="page run-page">
      <p><Link href="/runs">← All runs</Link></p>
      <div className="page-head">
        <h1>{run.name}</h1>
        <span className="badge">{runKindLabel(run.kind)}</span>
        {run.rerunOf && <span className="muted">re-run of <Link href={`/runs/${encodeURIComponent(run.rerunOf.id)}`}>{run.rerunOf.name}</Link></span>}
      </div>
      <div className="actions">
        <RerunButton run={run} />
        <a href={reportHref(run.id)} download data-testid="report-link">Download PDF report</a>
        {run.rerunOf && <a href={reportHref(run.id, run.rerunOf.id)} download>PDF against the original</a>}
      </div>
      <CompareWithForm runId={run.id} />
      <RunFacts run={run} />
      {run.rerunOf && <DigestComparison runId={run.id} original={run.rerunOf} onEnded={reload} />}
      <ConfigVersionSection run={run} />
      {session && <RunEpochs run={run} />}
      <SharingRuns run={run} />
      <ParameterSetSection run={run} />
    </main>
  );
}
