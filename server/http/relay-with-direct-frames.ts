import type { ExecutionResult } from 'graphql';

/**
 * A subscription's results written to its socket as graphql-ws `next`
 * frames by us, as they arrive, while graphql-ws keeps the subscription
 * itself: its registration, `complete` from either side, errors and the
 * socket's lifetime.
 *
 * graphql-ws reads a stream in a `for await` loop and emits each result
 * through an async `emit.next` (the onNext hook awaited, the message
 * validated and stringified, the send awaited): at a thousand subscribers
 * that is several promise hops and a stringify per event and subscriber,
 * most of the fan-out's CPU above a bare broadcast. What graphql-ws iterates
 * here (`relay`) never yields a value: it waits, parked on one next(), for
 * the stream's end. Each value is written as soon as the stream gives it,
 * as `{"id":…,"type":"next","payload":…}` with the payload serialised once
 * per shared result: the bytes graphql-ws would have written for it
 * (test/relay-with-direct-frames.test.ts compares them on real sockets).
 *
 * - The stream ending settles graphql-ws's next() as done, so graphql-ws
 *   sends `complete` after every frame already written, as it would have.
 * - The stream failing rejects that next(): graphql-ws sends the `error`
 *   message it sends today, after the frames before it.
 * - graphql-ws returning the relay (the client's `complete`, the socket
 *   closing) stops the writes at once and returns the stream.
 * - Nothing is read before graphql-ws first asks: by then it has registered
 *   the subscription, so no frame precedes its registration.
 */
export function relayWithDirectFrames<R extends ExecutionResult>(source: AsyncIterator<R> & { pull?(onResult: (result: IteratorResult<R>) => void, onFailure: (error: unknown) => void): void }, { id, write, serialize }: {
  /** The subscription's id, as graphql-ws's frames name it. */
  id: string;
  /** Puts a frame on the socket (dropped when the socket is no longer open). */
  write: (frame: string) => void;
  /** A result's payload as JSON (shared results serialised once). */
  serialize: (result: R) => string;
}): AsyncIterableIterator<R> {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const done: IteratorResult<R> = { done: true, value: undefined };
  let ended = false;
  let started = false;
  let settle: { resolve: (result: IteratorResult<R>) => void; reject: (error: unknown) => void } | undefined;
  const parked = new Promise<IteratorResult<R>>((resolve, reject) => (settle = { resolve, reject }));
  parked.catch(() => {}); // a rejection is graphql-ws's to read; never unhandled when it has left

  const finish = (outcome: () => void) => {
    if (ended) return;
    ended = true;
    outcome();
  };
  const onResult = (result: IteratorResult<R>): void => {
    if (ended) return;
    if (result.done) return finish(() => settle!.resolve(done));
    try {
      write(`${prefix}${serialize(result.value)}}`);
    } catch (error) {
      source.return?.().catch(() => {});
      return finish(() => settle!.reject(error));
    }
    pull();
  };
  const onFailure = (error: unknown): void => finish(() => settle!.reject(error));
  // A layered stream hands its result over in the job that stepped it
  // (layered-stream.ts pull): the frame leaves there, one promise hop sooner.
  // (Promise.resolve is the same promise for a native one: no hop of its own.)
  const pull = source.pull
    ? (): void => source.pull!(onResult, onFailure)
    : (): void => void Promise.resolve(source.next()).then(onResult, onFailure);

  const relay = {
    // Settled once, by the stream's end or failure (or graphql-ws leaving).
    next(): Promise<IteratorResult<R>> {
      if (!started && !ended) {
        started = true;
        pull();
      }
      return parked;
    },
    async return(): Promise<IteratorResult<R>> {
      finish(() => settle!.resolve(done));
      await source.return?.();
      return done;
    },
    async throw(error: unknown): Promise<IteratorResult<R>> {
      await relay.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } satisfies AsyncIterableIterator<R>;
  return relay;
}
