/**
 * The one full-jitter exponential backoff, used by the runtime agent
 * (reconnects, resyncs, reports) and by the server's LISTEN bridge.
 */

export interface RetryOptions {
  /** First delay before jitter (ms). Default 500. */
  baseMs?: number;
  /** Upper bound of any delay (ms). Default 30 000. */
  maxMs?: number;
  /** Attempts before giving up; Infinity (default) keeps a worker trying for ever. */
  attempts?: number;
}

/**
 * A uniform delay in [base·2^n / 2, base·2^n], capped at `maxMs`. The
 * randomness spreads hundreds of clients reconnecting to a restarted server
 * over the window instead of stampeding it at the same instant.
 */
export function backoffDelay(attempt: number, { baseMs = 500, maxMs = 30_000 }: RetryOptions = {}, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Resolves after the backoff delay of `attempt`, or at once when `signal` aborts. */
export function waitBackoff(attempt: number, options: RetryOptions, signal?: AbortSignal): Promise<void> {
  return wait(backoffDelay(attempt, options), signal);
}

/** Resolves after `ms`, or at once when `signal` aborts (closing never waits out a timer). */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
