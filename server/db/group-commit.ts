/**
 * Group commit: writes submitted while a flush is running are gathered and
 * written together by the next one, so a burst of N small writes (a thousand
 * workers reporting the same version) costs a few transactions instead of N.
 * One flush runs at a time, in submission order. Each caller gets its own
 * item's outcome: the flush returns, per item, a value or the Error refusing
 * that item; an exception from the flush itself fails the whole batch (its
 * transaction wrote nothing).
 */
export interface GroupCommit<I, O> {
  submit(item: I): Promise<O>;
  /** Resolves once every submitted item is settled (shutdown). */
  drained(): Promise<void>;
}

export function createGroupCommit<I, O>(
  flush: (items: readonly I[]) => Promise<readonly (O | Error)[]>,
  { maxBatch = 1_000 }: { maxBatch?: number } = {},
): GroupCommit<I, O> {
  type Entry = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let queue: Entry[] = [];
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    // `running` is cleared in the same synchronous step that finds the queue
    // empty: a submission can never land between the two and be stranded.
    for (;;) {
      if (queue.length === 0) {
        running = undefined;
        return;
      }
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const outcomes = await flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => {
          const outcome = outcomes[i];
          if (outcome instanceof Error) entry.reject(outcome);
          else entry.resolve(outcome as O);
        });
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // The first item waits for the rest of this I/O turn's submissions.
        running ??= new Promise<void>((started) => setImmediate(started)).then(drain);
      });
    },
    async drained(): Promise<void> {
      while (running) await running;
    },
  };
}
