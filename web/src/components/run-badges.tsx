import type { Comparability, RunKind, RunStatus } from '../gql/graphql.ts';

const kindLabel: Record<RunKind, string> = { EXPERIMENT: 'experiment', BACKTEST: 'backtest', PAPER: 'paper session', LIVE: 'live session' };
const statusLabel: Record<RunStatus, string> = { PENDING: 'pending', RUNNING: 'running', SUCCEEDED: 'succeeded', FAILED: 'failed', CANCELLED: 'cancelled' };

export const runKindLabel = (kind: RunKind) => kindLabel[kind];
export const runStatusLabel = (status: RunStatus) => statusLabel[status];

/** A run's status as a coloured pill (the colour repeats the word, never replaces it). */
export function RunStatusPill({ status }: { status: RunStatus }) {
  return <span className={`status-pill run-${status}`}>{statusLabel[status]}</span>;
}

/** The server's comparability verdict, with what it means in words. */
export function VerdictBadge({ verdict }: { verdict: Comparability }) {
  const meaning = { STRICT: 'the same parameter set', RELAXED: 'comparable: only declared factors differ', FORBIDDEN: 'not comparable' }[verdict];
  return <span className={`verdict verdict-${verdict}`} data-testid="verdict"><strong>{verdict}</strong> <span>({meaning})</span></span>;
}

/** The first 12 hex digits of a set's hash, the whole one on hover and to a screen reader. */
export function ShortHash({ hash }: { hash: string }) {
  return <code className="hash" title={hash} aria-label={`hash ${hash}`}>{hash.slice(0, 12)}</code>;
}
