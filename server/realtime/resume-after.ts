import { layerStream, skipped } from './layered-stream.ts';

/**
 * A live stream of versions resumed after `after`: the versions committed
 * since (the backlog) first, then the live ones, each once and in order.
 *
 * The live subscription must exist before the backlog is read: a version
 * committed in between then arrives on both sides and is dropped from the
 * live side by its number. Once the backlog is drained, next() is the live
 * iterator's next() plus a number check: this sits on the path of every
 * event to every worker, so it is a layer over the live stream.
 */
export function resumeAfter<E extends { version: number }>(
  live: AsyncIterableIterator<E>,
  after: number,
  readBacklog: () => Promise<E[]>,
): AsyncIterableIterator<E> {
  let backlog: Promise<E[]> | undefined = readBacklog();
  backlog.catch(() => {}); // a failed read surfaces from next(); never as an unhandled rejection
  let queued: E[] = [];
  let last = after;
  let finished = false;
  const done: IteratorResult<E> = { done: true, value: undefined };

  const onLive = (result: IteratorResult<E>): IteratorResult<E> | Promise<IteratorResult<E>> => {
    if (result.done || finished) return done;
    if (result.value.version <= last) return live.next().then(onLive); // replayed already
    last = result.value.version;
    return result;
  };

  async function fromBacklog(): Promise<IteratorResult<E>> {
    if (backlog) {
      const read = backlog;
      backlog = undefined;
      try {
        queued = await read;
      } catch (error) {
        // The stream ends here: a consumer must not go on with live versions
        // after a gap, and graphql-ws does not call return() after an error,
        // so the live subscription is released now.
        finished = true;
        await live.return?.();
        throw error;
      }
    }
    for (let event = queued.shift(); event; event = queued.shift()) {
      if (event.version > last && !finished) {
        last = event.version;
        return { done: false, value: event };
      }
    }
    return finished ? done : live.next().then(onLive);
  }

  // While the backlog is being read or replayed, next() calls queue behind
  // one another so a caller asking again early cannot overtake it. After it,
  // the live side is a layer (layered-stream.ts): the number check shares
  // the one promise hop of every layer laid on this stream.
  let replaying: Promise<IteratorResult<E>> | undefined;
  return layerStream<E, E>(live, {
    before() {
      if (!replaying && !backlog && queued.length === 0) return undefined;
      const step: Promise<IteratorResult<E>> = (replaying ?? Promise.resolve()).then(() => (backlog || queued.length > 0 ? fromBacklog() : live.next().then(onLive)));
      replaying = step;
      void step.then(() => { if (replaying === step) replaying = undefined; }, () => { if (replaying === step) replaying = undefined; });
      return step;
    },
    step(result) {
      if (result.done || finished) return done;
      if (result.value.version <= last) return skipped; // replayed already
      last = result.value.version;
      return result;
    },
    onReturn() {
      // The view's return() then ends the live side too, which settles a next() waiting on it.
      finished = true;
      queued = [];
    },
  });
}
