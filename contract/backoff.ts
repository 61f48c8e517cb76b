/**
 * The one full-jitter exponential backoff, used by the runtime agent
 * (reconnects, resyncs, reports) and by the server's LISTEN bridge.
 */

export interface RetryOptions {
  /** First delay's ceiling (ms). Default 250. */
  baseMs?: number;
  /** Upper bound of any delay (ms). Default 2 500: a restarted server finds every worker back within it. */
  maxMs?: number;
  /** Attempts before giving up; Infinity (default) keeps a worker trying for ever. */
  attempts?: number;
}

/**
 * Full jitter: a uniform delay in [0, min(maxMs, base·2^n)]. The first retry
 * is fast (within 250 ms), and the randomness over the whole window spreads a
 * fleet reconnecting to a restarted server evenly instead of in waves (a
 * lower bound of d/2 kept every client of one attempt in the same half
 * window). The cap bounds how long after the server is back the last worker
 * returns: with a thousand workers, ~400 arrivals a second at 2.5 s, which a
 * server accepts without a stampede (bench/save-to-apply.ts shows the curve).
 */
export function backoffDelay(attempt: number, { baseMs = 250, maxMs = 2_500 }: RetryOptions = {}, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** Resolves after the backoff delay of `attempt`, or at once when `signal` aborts. */
export function waitBackoff(attempt: number, options: RetryOptions, signal?: AbortSignal): Promise<void> {
  return wait(backoffDelay(attempt, options), signal);
}

/** The waits each signal would end, and its one 'abort' listener (wait). */
const waitsOf = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Resolves after `ms`, or at once when `signal` aborts (closing never waits
 * out a timer). A signal gets one 'abort' listener however many waits it
 * ends: an agent waits once per apply report, and adding and removing an
 * EventTarget listener each time cost more than the rest of the report's
 * scheduling.
 */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return void setTimeout(resolve, ms);
    if (signal.aborted) return resolve();
    let waits = waitsOf.get(signal);
    if (!waits) {
      const all = (waits = new Set());
      waitsOf.set(signal, all);
      signal.addEventListener('abort', () => {
        for (const end of [...all]) end();
      }, { once: true });
    }
    const timer = setTimeout(done, ms);
    waits.add(done);
    function done() {
      clearTimeout(timer);
      waits!.delete(done);
      resolve();
    }
  });
}
