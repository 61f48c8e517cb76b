/**
 * Full-jitter exponential backoff: a restarted server is not stampeded by
 * every client retrying on the same beat.
 */
export function randomisedExponentialBackoff(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
