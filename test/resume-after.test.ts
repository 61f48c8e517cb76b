import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppPubSub, type ConfigChangedEvent } from '../server/realtime/pubsub.ts';
import { resumeAfter } from '../server/realtime/resume-after.ts';

/**
 * Proves that resumeAfter, over a real pubsub subscription, replays the
 * backlog before live versions, delivers each version once and in order
 * (including one committed between subscribe and the backlog read), ends
 * cleanly on return(), and surfaces a failed backlog read from next() only.
 */

const event = (version: number): ConfigChangedEvent => ({
  environment: 'dev', version, kind: 'EDIT', changedKeys: [], changes: [], author: 'tester', createdAt: new Date(0),
});

/** A promise whose resolution the test controls. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

async function versions(stream: AsyncIterator<ConfigChangedEvent>, n: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = await stream.next();
    if (result.done) throw new Error(`stream ended after ${seen.join(', ')}`);
    seen.push(result.value.version);
  }
  return seen;
}

describe('resumeAfter', () => {
  let pubsub: ReturnType<typeof createAppPubSub>;
  const publish = (...vs: number[]) => vs.forEach((v) => pubsub.publish('configChanged', 'dev', event(v)));
  beforeEach(() => {
    pubsub = createAppPubSub();
  });
  afterEach(() => {
    expect(pubsub.count('configChanged', 'dev')).toBe(0); // every test ends its stream
  });

  it('delivers the backlog first, then live versions', async () => {
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 1, async () => [event(2), event(3)]);
    publish(4); // live, queued behind the backlog
    expect(await versions(stream, 3)).toEqual([2, 3, 4]);
    const waiting = stream.next();
    publish(5);
    expect((await waiting).value?.version).toBe(5);
    await stream.return!();
  });

  it('delivers once a version committed between subscribe and the backlog read', async () => {
    const live = pubsub.subscribe('configChanged', 'dev');
    const backlog = gate<ConfigChangedEvent[]>();
    const stream = resumeAfter(live, 1, () => backlog.promise);
    publish(3); // committed after subscribe: on the live side...
    backlog.open([event(2), event(3)]); // ...and read by the backlog too
    publish(4);
    expect(await versions(stream, 3)).toEqual([2, 3, 4]);
    // Nothing else is pending: the next value is the next live one.
    const waiting = stream.next();
    publish(5);
    expect((await waiting).value?.version).toBe(5);
    await stream.return!();
  });

  it('drops live versions at or below the last delivered one', async () => {
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 0, async () => [event(5)]);
    publish(3, 5, 4, 6, 6, 7);
    expect(await versions(stream, 3)).toEqual([5, 6, 7]);
    await stream.return!();
  });

  it('skips backlog versions not after `after`, keeping the rest in order', async () => {
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 2, async () => [event(1), event(2), event(3), event(4)]);
    publish(5);
    expect(await versions(stream, 3)).toEqual([3, 4, 5]);
    await stream.return!();
  });

  it('works with an empty backlog', async () => {
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 10, async () => []);
    publish(10, 11);
    expect(await versions(stream, 1)).toEqual([11]);
    await stream.return!();
  });

  it('return() ends a next() waiting on the live side and detaches the subscription', async () => {
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 0, async () => [event(1)]);
    expect(await versions(stream, 1)).toEqual([1]);
    const waiting = stream.next();
    expect(pubsub.count('configChanged', 'dev')).toBe(1);
    expect(await stream.return!()).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(pubsub.count('configChanged', 'dev')).toBe(0);
    publish(2);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('return() during a pending backlog read ends that next() without delivering the backlog', async () => {
    const backlog = gate<ConfigChangedEvent[]>();
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 0, () => backlog.promise);
    const waiting = stream.next();
    await stream.return!();
    backlog.open([event(1), event(2)]);
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  describe('a failed backlog read', () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    beforeEach(() => {
      unhandled.length = 0;
      process.on('unhandledRejection', onUnhandled);
    });
    afterEach(() => {
      process.off('unhandledRejection', onUnhandled);
    });
    /** Lets Node run its unhandled-rejection check (after the microtask queue drains). */
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

    it('surfaces as a rejected next() and ends the stream, releasing the live side without return()', async () => {
      const failure = new Error('database unreachable');
      const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 0, () => Promise.reject(failure));
      await expect(stream.next()).rejects.toBe(failure);
      // graphql-ws does not call return() after an error: the stream must let go by itself.
      expect(pubsub.count('configChanged', 'dev')).toBe(0);
      publish(1);
      expect(await stream.next()).toEqual({ done: true, value: undefined }); // no live version after the gap
      await nextTurn();
      expect(unhandled).toEqual([]);
    });

    it('is not an unhandled rejection when the stream is returned without next()', async () => {
      const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 0, () => Promise.reject(new Error('database unreachable')));
      await stream.return!();
      await nextTurn();
      expect(unhandled).toEqual([]);
    });
  });

  it('keeps order when next() is called again before the backlog is read', async () => {
    const backlog = gate<ConfigChangedEvent[]>();
    const stream = resumeAfter(pubsub.subscribe('configChanged', 'dev'), 1, () => backlog.promise);
    const asked = [stream.next(), stream.next(), stream.next()];
    publish(4);
    backlog.open([event(2), event(3)]);
    expect((await Promise.all(asked)).map((result) => result.value?.version)).toEqual([2, 3, 4]);
    await stream.return!();
  });
});
