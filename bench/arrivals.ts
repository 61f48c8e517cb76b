/** Wall-clock milliseconds with sub-millisecond resolution; agent hosts' readings are offset-corrected to this process's. */
export const now = () => performance.timeOrigin + performance.now();

/**
 * Arrival times per round (a saved version, a broadcast): started with the
 * number of arrivals expected, fed by the hosts' reports, resolved when all
 * have arrived. Samples are milliseconds since the round started.
 */
export function createArrivals() {
  const rounds = new Map<number, { t0: number; remaining: number; samples: number[]; done: () => void }>();
  return {
    /** Starts round `id` now; its samples are appended to `samples`. Resolves when `count` arrivals are in. */
    start(id: number, count: number, samples: number[]): { t0: number; complete: Promise<void> } {
      const t0 = now();
      const complete = new Promise<void>((done) => rounds.set(id, { t0, remaining: count, samples, done }));
      return { t0, complete };
    },
    /** Times (host clock) at which one host's sockets or agents got round `id`. */
    add(id: number, times: number[], hostOffset: number): void {
      const round = rounds.get(id);
      if (!round) return;
      for (const at of times) round.samples.push(at - hostOffset - round.t0);
      round.remaining -= times.length;
      if (round.remaining === 0) {
        rounds.delete(id);
        round.done();
      }
    },
  };
}

/** How many of `size` go to host `index` of `hosts`: an even split, the remainder to the first ones. */
export function shareOf(size: number, hosts: number, index: number): number {
  return Math.floor(size / hosts) + (index < size % hosts ? 1 : 0);
}
