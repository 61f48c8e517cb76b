/**
 * The events of `source` that pass `keep`, in order. return() always reaches
 * the source, even before the first next(): a pubsub subscription listens
 * from the moment it is made, so a consumer that leaves early must still
 * detach it (yoga's filter starts its source only on the first next()).
 */
export function filterEvents<T>(events: AsyncIterable<T>, keep: (event: T) => boolean | Promise<boolean>): AsyncIterableIterator<T> {
  const source = events[Symbol.asyncIterator]();
  const done: IteratorResult<T> = { done: true, value: undefined };
  let finished = false;
  return {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        const result = await source.next();
        if (result.done || finished) return done;
        if (await keep(result.value)) return result;
      }
    },
    async return(): Promise<IteratorResult<T>> {
      finished = true;
      await source.return?.();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
