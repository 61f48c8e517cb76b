import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../server/db/group-commit.ts';

/**
 * Proves that createGroupCommit batches a burst into few flushes, one at a
 * time and in submission order, that each caller gets its own item's
 * outcome, and that nothing submitted is ever stranded or left unsettled.
 */

/** A promise whose resolution the test controls. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** A flush that records its batches and doubles every item. */
function recordingFlush() {
  const batches: number[][] = [];
  const flush = async (items: readonly number[]) => {
    batches.push([...items]);
    return items.map((item) => item * 2);
  };
  return { batches, flush };
}

/**
 * A group commit whose first flush is held open until `release()`, so a test
 * can submit while it runs; every flush records its batch, then `write` runs.
 */
function heldFirstFlush(write: (items: readonly number[]) => number[], options: { gatherMs?: number } = {}) {
  const batches: number[][] = [];
  const started = gate();
  const released = gate();
  const commits = createGroupCommit<number, number>(async (items) => {
    batches.push([...items]);
    if (batches.length === 1) {
      started.open();
      await released.promise;
    }
    return write(items);
  }, options);
  return { batches, commits, started: started.promise, release: () => released.open() };
}

describe('createGroupCommit', () => {
  it('flushes items submitted in the same tick as one batch, in submission order', async () => {
    const { batches, flush } = recordingFlush();
    const commits = createGroupCommit(flush);
    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => commits.submit(item)));
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(results).toEqual([2, 4, 6, 8, 10]);
  });

  it('with gatherMs, gathers items submitted over several I/O turns into one batch; without, one batch a turn', async () => {
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const burst = async (commits: ReturnType<typeof createGroupCommit<number, number>>) => {
      const results: Promise<number>[] = [];
      for (const item of [1, 2, 3]) {
        results.push(commits.submit(item));
        await nextTurn();
      }
      return Promise.all(results);
    };
    const gathered = recordingFlush();
    expect(await burst(createGroupCommit(gathered.flush, { gatherMs: 200 }))).toEqual([2, 4, 6]);
    expect(gathered.batches).toEqual([[1, 2, 3]]);
    const eager = recordingFlush();
    expect(await burst(createGroupCommit(eager.flush))).toEqual([2, 4, 6]);
    expect(eager.batches.length).toBeGreaterThan(1);
  });

  it('with gatherMs, a batch queued behind a flush keeps gathering until gatherMs after that flush began', async () => {
    const { batches, commits, started, release } = heldFirstFlush((items) => [...items], { gatherMs: 300 });
    const first = commits.submit(1);
    await started;
    const during = commits.submit(2); // queued behind the running flush
    const flushStartedAt = performance.now();
    release();
    await first;
    const after = commits.submit(3); // once that flush is over, inside its window
    expect(await Promise.all([during, after])).toEqual([2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
    expect(performance.now() - flushStartedAt).toBeGreaterThanOrEqual(250);
  });

  it('gathers items submitted while a flush runs into the next batch', async () => {
    const { batches, commits, started, release } = heldFirstFlush((items) => items.map((item) => item * 10));
    const first = commits.submit(1);
    await started;
    const later = [commits.submit(2), commits.submit(3), commits.submit(4)];
    expect(batches).toEqual([[1]]); // one flush at a time: the others wait
    release();

    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects only the caller whose item the flush refused with an Error', async () => {
    const refused = new Error('item 2 refused');
    const commits = createGroupCommit<number, string>(async (items) =>
      items.map((item) => (item === 2 ? refused : `ok ${item}`)),
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => commits.submit(item)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'ok 1' },
      { status: 'rejected', reason: refused },
      { status: 'fulfilled', value: 'ok 3' },
    ]);
  });

  it('when a batch flush throws, writes its items one by one so only the item at fault fails, then runs the next batch', async () => {
    // Item 2 makes any transaction it is part of fail (say, a value the database refuses).
    const { batches, commits, started, release } = heldFirstFlush((items) => {
      if (items.includes(2)) throw new Error('transaction with 2 failed');
      return [...items];
    });
    const outcomes = [commits.submit(1), commits.submit(2), commits.submit(4)].map((p) => p.then((v) => v, (e: Error) => e.message));
    await started;
    const next = commits.submit(3);
    release();

    expect(await Promise.all(outcomes)).toEqual([1, 'transaction with 2 failed', 4]);
    expect(await next).toBe(3);
    expect(batches).toEqual([[1, 2, 4], [1], [2], [4], [3]]);
  });

  it('rejects a lone item whose flush threw, without a second attempt', async () => {
    let flushes = 0;
    const commits = createGroupCommit<number, number>(async () => {
      flushes += 1;
      throw new Error('database unreachable');
    });
    await expect(commits.submit(1)).rejects.toThrow('database unreachable');
    expect(flushes).toBe(1);
  });

  it('splits a burst larger than maxBatch into batches of at most maxBatch, in order', async () => {
    const { batches, flush } = recordingFlush();
    const commits = createGroupCommit(flush, { maxBatch: 3 });
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(await Promise.all(items.map((item) => commits.submit(item)))).toEqual(items.map((item) => item * 2));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7, 8]]);
  });

  it('never strands an item submitted just as the queue empties', async () => {
    const { batches, flush } = recordingFlush();
    const commits = createGroupCommit(flush);
    // The follow-up is submitted from the first item's resolution, i.e. right
    // after the drain loop found the queue empty.
    const followUp = commits.submit(1).then((value) => commits.submit(value + 1));
    expect(await followUp).toBe(6);
    // And once more from inside that one, to cover a fresh drain as well.
    const chain = commits.submit(10).then((a) => commits.submit(a).then((b) => commits.submit(b)));
    expect(await chain).toBe(80);
    expect(batches).toEqual([[1], [3], [10], [20], [40]]);
  });

  it('drained() resolves only once everything submitted is settled', async () => {
    const releaseFlush = gate();
    const flushStarted = gate();
    const commits = createGroupCommit<number, number>(async (items) => {
      flushStarted.open();
      await releaseFlush.promise;
      return [...items];
    });
    const settled: number[] = [];
    const submitted = [1, 2].map((item) => commits.submit(item).then((value) => void settled.push(value)));

    let drained = false;
    const draining = commits.drained().then(() => {
      drained = true;
    });
    await flushStarted.promise;
    // A second batch queued behind the running flush must be awaited too.
    const third = commits.submit(3).then((value) => void settled.push(value));
    await Promise.resolve();
    expect(drained).toBe(false);

    releaseFlush.open();
    await draining;
    expect(settled.sort()).toEqual([1, 2, 3]);
    await Promise.all([...submitted, third]);
  });

  it('drained() resolves at once when nothing was submitted', async () => {
    const commits = createGroupCommit<number, number>(async (items) => [...items]);
    await expect(commits.drained()).resolves.toBeUndefined();
  });
});
