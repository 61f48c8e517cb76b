import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { RunStatusPill, ShortHash, VerdictBadge, runKindLabel } from '../../components/run-badges.tsx';
import { Loading, QueryError } from '../../components/status.tsx';
import { DiffList } from '../../components/value-diff.tsx';
import { CompareRunsDocument, type CompareRunsQuery } from '../../gql/graphql.ts';
import { reportHref } from '../../lib/report-href.ts';
import { KeyDiffTable } from './key-diff-table.tsx';

type ComparedRun = CompareRunsQuery['compareRuns']['a'];

function RunSummary({ label, run }: { label: string; run: ComparedRun }) {
  return (
    <div className="card" data-testid={`run-${label}`}>
      <h2>{label}: <Link href={`/runs/${encodeURIComponent(run.id)}`}>{run.name}</Link></h2>
      <p>{runKindLabel(run.kind)} · {run.environment?.name ?? 'legacy'}{run.version != null ? `@${run.version}` : ''} · <RunStatusPill status={run.status} /></p>
      <p>Set <ShortHash hash={run.parameterSetHash} /> · started by {run.startedBy}</p>
      <p className="digest">Output digest: {run.outputDigest ?? 'none'}</p>
    </div>
  );
}

/** Two runs side by side: the server's comparability verdict with its reasons and the parameter-set diff. */
export default function ComparePage() {
  const params = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const a = params.get('a')?.trim() ?? '';
  const b = params.get('b')?.trim() ?? '';
  const [fields, setFields] = useState({ a, b });
  const [{ data, fetching, error }] = useQuery({ query: CompareRunsDocument, variables: { a, b }, pause: !a || !b });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/runs/compare?a=${encodeURIComponent(fields.a.trim())}&b=${encodeURIComponent(fields.b.trim())}`);
  };
  const c = data?.compareRuns;

  return (
    <main id="main" className="page compare-page">
      <p><Link href="/runs">← All runs</Link></p>
      <h1>Compare two runs</h1>
      <form className="compare-pick" onSubmit={submit} aria-label="Runs to compare">
        <span className="inline-field"><label htmlFor="compare-a">Run A id</label><input id="compare-a" value={fields.a} onChange={(e) => setFields({ ...fields, a: e.target.value })} /></span>
        <span className="inline-field"><label htmlFor="compare-b">Run B id</label><input id="compare-b" value={fields.b} onChange={(e) => setFields({ ...fields, b: e.target.value })} /></span>
        <button type="submit" disabled={!fields.a.trim() || !fields.b.trim()}>Compare</button>
      </form>
      {(!a || !b) && <p className="muted">Pick two runs: select them in the <Link href="/runs">runs list</Link>, or give their ids.</p>}
      {fetching && <Loading label="Comparing…" />}
      {error && <QueryError error={error} />}
      {c && (
        <>
          <section className="card" aria-labelledby="verdict-head">
            <h2 id="verdict-head">Comparability</h2>
            <p><VerdictBadge verdict={c.verdict} /></p>
            <ul className="reason-list" data-testid="reasons">
              {c.reasons.map((r, i) => <li key={i}><strong>{r.code}</strong> (allows {r.verdict}): {r.message}</li>)}
            </ul>
            <p><a href={reportHref(c.a.id, c.b.id)} download>PDF report of A with B as baseline</a></p>
          </section>
          <div className="digests">
            <RunSummary label="A" run={c.a} />
            <RunSummary label="B" run={c.b} />
          </div>
          <section className="card" aria-labelledby="diff-values">
            <h2 id="diff-values">Values ({c.parameterSets.values.length} differ)</h2>
            <DiffList label="Values, A → B" rows={c.parameterSets.values} empty="The two sets hold the same values." />
          </section>
          <KeyDiffTable title="Experimental factors" testId="diff-factors" rows={c.parameterSets.factors.map((d) => ({ key: d.key, before: d.before, after: d.after }))} empty="The same factors." />
          <KeyDiffTable title="Code version" testId="diff-code" rows={c.parameterSets.codeVersion.map((d) => ({ key: d.key, before: d.before, after: d.after }))} empty="The same commit and packages." />
          <KeyDiffTable title="Catalog metadata" testId="diff-catalog" rows={c.parameterSets.catalog.map((d) => ({ key: `${d.name} · ${d.field}`, before: d.before, after: d.after }))} empty="The same catalog definitions." />
        </>
      )}
    </main>
  );
}
