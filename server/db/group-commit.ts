/**
 * Group commit: writes submitted while a flush is running are gathered and
 * written together by the next one, so a burst of N small writes (a thousand
 * workers reporting the same version) costs a few transactions instead of N.
 * One flush runs at a time, in submission order. Each caller gets its own
 * item's outcome: the flush returns, per item, a value or the Error refusing
 * that item. When the flush itself throws (its transaction wrote nothing),
 * the batch's items are written again one by one, so only the item at fault
 * fails.
 */
export interface GroupCommit<I, O> {
  submit(item: I): Promise<O>;
  /** Resolves once every submitted item is settled (shutdown). */
  drained(): Promise<void>;
}

export function createGroupCommit<I, O>(
  flush: (items: readonly I[]) => Promise<readonly (O | Error)[]>,
  { maxBatch = 1_000, gatherMs = 0 }: {
    maxBatch?: number;
    /**
     * How long a batch gathers (0: the rest of this I/O turn): the first item
     * of an idle commit waits this long for others, and a batch queued behind
     * a flush starts no sooner than this long after that flush began.
     * Submissions that arrive spread out (a fleet's jittered reports)
     * otherwise make one small flush each turn, or each flush's duration.
     */
    gatherMs?: number;
  } = {},
): GroupCommit<I, O> {
  type Entry = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let queue: Entry[] = [];
  let running: Promise<void> | undefined;

  function settle(entries: Entry[], outcomes: readonly (O | Error)[]): void {
    entries.forEach((entry, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Error) entry.reject(outcome);
      else entry.resolve(outcome as O);
    });
  }

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
      const startedAt = performance.now();
      try {
        settle(batch, await flush(batch.map((entry) => entry.item)));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        // One item the database refuses (or a passing fault) must not fail
        // the others: written one by one, only the item at fault fails.
        for (const entry of batch) {
          try {
            settle([entry], await flush([entry.item]));
          } catch (itemError) {
            entry.reject(itemError);
          }
        }
      }
      // Paced: what queued during this flush keeps gathering until the
      // window that began with it is over (a full batch goes at once).
      const rest = gatherMs - (performance.now() - startedAt);
      if (rest > 0 && queue.length > 0 && queue.length < maxBatch) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // The first item waits for the rest of this I/O turn's submissions (or `gatherMs`).
        running ??= new Promise<void>((started) => (gatherMs > 0 ? setTimeout(started, gatherMs) : setImmediate(started))).then(drain);
      });
    },
    async drained(): Promise<void> {
      while (running) await running;
    },
  };
}
