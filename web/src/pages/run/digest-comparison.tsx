import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { RunStatusPill } from '../../components/run-badges.tsx';
import { RunProgressDocument } from '../../gql/graphql.ts';

/** How often a re-run's page asks whether it ended, and for how long at most (then it says so and stops). */
export const progressPollMs = 2_000;
export const progressPollLimitMs = 15 * 60_000;

const ended = (status: string | undefined) => status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';

/**
 * A re-run's output digest next to its original's. While the re-run (or a
 * backtest the server executes for it) has not ended, the page polls at a
 * bounded interval for a bounded time until it is terminal.
 */
export function DigestComparison({ runId, original, onEnded }: { runId: string; original: { id: string; name: string }; onEnded(): void }) {
  const [{ data }, refetch] = useQuery({ query: RunProgressDocument, variables: { id: runId }, requestPolicy: 'cache-and-network' });
  const run = data?.run;
  const [gaveUp, setGaveUp] = useState(false);
  const done = ended(run?.status) && ended(run?.rerunOf?.status);

  // The page's own facts are refreshed once, when a run seen going ends (not on every render).
  const sawRunning = useRef(false);
  useEffect(() => {
    if (run && !done) sawRunning.current = true;
    if (done && sawRunning.current) {
      sawRunning.current = false;
      onEnded();
    }
  }, [run, done, onEnded]);

  useEffect(() => {
    if (done) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > progressPollLimitMs) {
        clearInterval(timer);
        setGaveUp(true);
        return;
      }
      refetch({ requestPolicy: 'network-only' });
    }, progressPollMs);
    return () => clearInterval(timer);
  }, [done, refetch]);

  const mine = run?.outputDigest ?? null;
  const theirs = run?.rerunOf?.outputDigest ?? null;
  return (
    <section className="card" aria-labelledby="digests" data-testid="digest-comparison">
      <h2 id="digests">Output digest against the original</h2>
      <div className="digests">
        <div>
          <h3>This re-run {run && <RunStatusPill status={run.status} />}</h3>
          <p className="digest" data-testid="rerun-digest">{mine ?? (ended(run?.status) ? 'ended without a digest' : 'waiting for the run to end…')}</p>
        </div>
        <div>
          <h3>Original: <Link href={`/runs/${encodeURIComponent(original.id)}`}>{original.name}</Link></h3>
          <p className="digest" data-testid="original-digest">{theirs ?? 'no digest recorded'}</p>
        </div>
      </div>
      <p role="status" data-testid="digest-verdict">
        {mine && theirs ? (mine === theirs ? 'Identical outputs: the digests match.' : 'The outputs differ: the digests do not match.') : gaveUp ? 'Still not finished after 15 minutes; reload the page to check again.' : done ? 'No comparison: a digest is missing.' : 'Checking every 2 seconds until the run ends.'}
      </p>
    </section>
  );
}
