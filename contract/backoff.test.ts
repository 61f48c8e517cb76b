import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, wait } from './backoff.ts';

describe('wait', () => {
  it('resolves after its delay, and not before', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      const waiting = wait(100, new AbortController().signal).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(99);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends every wait of a signal at once when it aborts, through one listener', async () => {
    const stop = new AbortController();
    const waits = Array.from({ length: 100 }, () => wait(60_000, stop.signal));
    // However many waits, the signal carries one 'abort' listener.
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    await Promise.all(waits); // the test's own timeout fails it if a timer were still waited out
    await wait(60_000, stop.signal); // an aborted signal waits for nothing
  });

  it('forgets a wait that ended by its timer, so a later abort ends only the waits still pending', async () => {
    const stop = new AbortController();
    await wait(1, stop.signal);
    let ended = 0;
    const pending = wait(60_000, stop.signal).then(() => (ended += 1));
    stop.abort();
    await pending;
    expect(ended).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('draws from the whole window up to the cap', () => {
    expect(backoffDelay(0, {}, () => 1)).toBe(250);
    expect(backoffDelay(0, {}, () => 0)).toBe(0);
    expect(backoffDelay(10, {}, () => 1)).toBe(2_500);
  });
});
