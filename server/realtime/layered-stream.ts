/**
 * One step a stream's values go through on their way to a subscriber.
 * - `step` maps each result of the layer below (a value, or done), and may
 *   answer with a promise when it cannot answer at once, or `skipped`;
 * - `before`, asked on every next() before the layers below are, may answer
 *   in their place (a refusal once a credential is lost, say);
 * - `fail` sees a failure of the layers below (a rejected next());
 * - `onReturn` runs when the consumer leaves, before the layers below do.
 */
/** What a step answers to drop a value: the stream asks for the next one instead. */
export const skipped: unique symbol = Symbol('ucp.skipped');

export interface StreamLayer<T, U> {
  step(result: IteratorResult<T>): IteratorResult<U> | Promise<IteratorResult<U>> | typeof skipped;
  before?(): IteratorResult<U> | Promise<IteratorResult<U>> | undefined;
  /** A failure from below: answered with a result, or thrown on (the default). */
  fail?(error: unknown): IteratorResult<U>;
  onReturn?(): void | Promise<void>;
}

/** A layered stream: an async iterator that can also hand its next result to a callback. */
export interface LayeredStream<U> extends AsyncIterableIterator<U> {
  return(): Promise<IteratorResult<U>>;
  pull(onResult: (result: IteratorResult<U>) => void, onFailure: (error: unknown) => void): void;
}

type AnyLayer = StreamLayer<unknown, unknown>;
const layered = Symbol('ucp.layeredStream');

interface Layered {
  readonly [layered]: { source: AsyncIterator<unknown>; layers: readonly AnyLayer[] };
}

/**
 * `source` seen through `layer`, costing one promise hop per event however
 * many layers are stacked. At a thousand subscribers every layer that wraps
 * next() in its own `then` is a thousand more microtasks per event (the fan-
 * out's CPU above its floor); here a layer laid on a layered stream joins
 * its list, and one `then` on the innermost source runs every step in order.
 *
 * Each call gives its own view: return() on a view ends that view's layers
 * and the source, not the layers laid on it later (so a layer can end what
 * lies below it and still answer its consumer).
 */
export function layerStream<T, U>(source: AsyncIterable<T> | AsyncIterator<T>, layer: StreamLayer<T, U>): LayeredStream<U> {
  const below = (source as Partial<Layered>)[layered];
  const root = below ? below.source : Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as AsyncIterator<T>);
  const layers: readonly AnyLayer[] = [...(below?.layers ?? []), layer as AnyLayer];

  // Results from layer `from` on, outwards; synchronous while every step is.
  const apply = (from: number, result: IteratorResult<unknown>): IteratorResult<unknown> | Promise<IteratorResult<unknown>> => {
    let current: IteratorResult<unknown> | Promise<IteratorResult<unknown>> | typeof skipped = result;
    for (let i = from; i < layers.length; i++) {
      if (current instanceof Promise) {
        const next = i;
        return current.then((settled) => apply(next, settled));
      }
      current = layers[i]!.step(current);
      // A dropped value: the whole view asks again (every layer sees the next one).
      if (current === skipped) return stream.next();
    }
    return current;
  };
  const fromRoot = (result: IteratorResult<unknown>) => apply(0, result);
  // A rejection from the source meets each layer's `fail` in order; one that
  // answers hands its result to the layers above it.
  const failFrom = (from: number, error: unknown): IteratorResult<unknown> | Promise<IteratorResult<unknown>> => {
    let failure = error;
    for (let i = from; i < layers.length; i++) {
      const fail = layers[i]!.fail;
      if (!fail) continue;
      try {
        return apply(i + 1, fail(failure));
      } catch (thrown) {
        failure = thrown;
      }
    }
    throw failure;
  };
  const failFromRoot = (error: unknown) => failFrom(0, error);
  // A layer answering in place of the ones below (outermost first), if any does.
  const answeredEarly = (): Promise<IteratorResult<unknown>> | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const early = layers[i]!.before?.();
      if (early !== undefined) return Promise.resolve(early).then((result) => apply(i + 1, result), (error: unknown) => failFrom(i + 1, error));
    }
    return undefined;
  };
  const done: IteratorResult<U> = { done: true, value: undefined };

  const stream: LayeredStream<U> & Layered = {
    [layered]: { source: root as AsyncIterator<unknown>, layers },
    next(): Promise<IteratorResult<U>> {
      return (answeredEarly() ?? root.next().then(fromRoot, failFromRoot)) as Promise<IteratorResult<U>>;
    },
    /**
     * next(), its result handed to `onResult` instead of through a promise of
     * its own: one promise hop less per event (a fan-out's thousand
     * subscribers then each get their frame in the same job as their step).
     */
    pull(onResult: (result: IteratorResult<U>) => void, onFailure: (error: unknown) => void): void {
      const settle = (result: IteratorResult<unknown> | Promise<IteratorResult<unknown>>) => {
        if (result instanceof Promise) result.then(onResult as (r: IteratorResult<unknown>) => void, onFailure);
        else onResult(result as IteratorResult<U>);
      };
      const guarded = (step: () => IteratorResult<unknown> | Promise<IteratorResult<unknown>>) => {
        let result: IteratorResult<unknown> | Promise<IteratorResult<unknown>>;
        try {
          result = step();
        } catch (error) {
          onFailure(error);
          return;
        }
        settle(result);
      };
      const early = answeredEarly();
      if (early) {
        early.then(onResult as (r: IteratorResult<unknown>) => void, onFailure);
        return;
      }
      root.next().then((result) => guarded(() => fromRoot(result)), (error: unknown) => guarded(() => failFromRoot(error)));
    },
    async return(): Promise<IteratorResult<U>> {
      for (let i = layers.length - 1; i >= 0; i--) await layers[i]!.onReturn?.();
      await root.return?.();
      return done;
    },
    async throw(error: unknown): Promise<IteratorResult<U>> {
      await stream.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return stream;
}
