import { describe, expect, it } from 'vitest';
import { createAppPubSub, type ConfigChangedEvent } from '../server/realtime/pubsub.ts';

/**
 * Proves the in-process fan-out: keyed and unkeyed topics reach only their
 * own subscribers, a subscription listens from subscribe() (not from its
 * first next()), events queue in order and are shared as the same object,
 * and return()/throw() detach a subscriber and settle its pending next().
 */

function configEvent(environment: string, version: number): ConfigChangedEvent {
  return { environment, version, kind: 'EDIT', changedKeys: [], changes: [], author: 'tester', createdAt: new Date(0) };
}

describe('createAppPubSub', () => {
  it('delivers a keyed topic only to subscribers of that key', async () => {
    const pubsub = createAppPubSub();
    const dev = pubsub.subscribe('configChanged', 'dev');
    const prod = pubsub.subscribe('configChanged', 'prod');
    expect(pubsub.count('configChanged', 'dev')).toBe(1);
    expect(pubsub.count('configChanged', 'prod')).toBe(1);

    pubsub.publish('configChanged', 'prod', configEvent('prod', 1));
    pubsub.publish('configChanged', 'dev', configEvent('dev', 7));

    expect((await dev.next()).value).toMatchObject({ environment: 'dev', version: 7 });
    expect((await prod.next()).value).toMatchObject({ environment: 'prod', version: 1 });
    // Nothing more queued for dev: the prod event never reached it.
    await dev.return!();
    expect(await dev.next()).toEqual({ done: true, value: undefined });
  });

  it('delivers an unkeyed topic to its subscribers and not to other topics', async () => {
    const pubsub = createAppPubSub();
    const workers = pubsub.subscribe('workerStatusChanged');
    const requests = pubsub.subscribe('changeRequestUpdated');
    expect(pubsub.count('workerStatusChanged')).toBe(1);

    pubsub.publish('workerStatusChanged', { id: 'w1', environmentId: 'e1' });
    pubsub.publish('changeRequestUpdated', { id: 'cr1', environmentId: 'e1', environment: 'dev' });
    pubsub.publish('workerStatusChanged', { id: 'w2', environmentId: 'e1' });

    expect((await workers.next()).value).toEqual({ id: 'w1', environmentId: 'e1' });
    expect((await workers.next()).value).toEqual({ id: 'w2', environmentId: 'e1' });
    expect((await requests.next()).value).toEqual({ id: 'cr1', environmentId: 'e1', environment: 'dev' });
  });

  it('keeps an event published between subscribe() and the first next()', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('workerStatusChanged');
    pubsub.publish('workerStatusChanged', { id: 'early', environmentId: 'e1' });
    expect(await subscription.next()).toEqual({ done: false, value: { id: 'early', environmentId: 'e1' } });
  });

  it('resolves a waiting next() when an event is published', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('workerStatusChanged');
    const pending = subscription.next();
    pubsub.publish('workerStatusChanged', { id: 'w1', environmentId: 'e1' });
    expect(await pending).toEqual({ done: false, value: { id: 'w1', environmentId: 'e1' } });
  });

  it('queues several events in publication order', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('configChanged', 'dev');
    for (const version of [1, 2, 3, 4]) pubsub.publish('configChanged', 'dev', configEvent('dev', version));
    const versions: number[] = [];
    for (let i = 0; i < 4; i++) versions.push(((await subscription.next()).value as ConfigChangedEvent).version);
    expect(versions).toEqual([1, 2, 3, 4]);
  });

  it('hands every subscriber of a topic the same event object', async () => {
    const pubsub = createAppPubSub();
    const subscriptions = [1, 2, 3].map(() => pubsub.subscribe('configChanged', 'dev'));
    const waiting = subscriptions[0]!.next(); // one waiting, the others queue
    const event = configEvent('dev', 5);
    pubsub.publish('configChanged', 'dev', event);
    expect((await waiting).value).toBe(event);
    expect((await subscriptions[1]!.next()).value).toBe(event);
    expect((await subscriptions[2]!.next()).value).toBe(event);
  });

  it('return() detaches: count drops, a pending next() ends, later events are not delivered', async () => {
    const pubsub = createAppPubSub();
    const leaving = pubsub.subscribe('configChanged', 'dev');
    const staying = pubsub.subscribe('configChanged', 'dev');
    expect(pubsub.count('configChanged', 'dev')).toBe(2);

    const pending = leaving.next();
    expect(await leaving.return!()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(pubsub.count('configChanged', 'dev')).toBe(1);

    pubsub.publish('configChanged', 'dev', configEvent('dev', 9));
    expect(await leaving.next()).toEqual({ done: true, value: undefined });
    expect((await staying.next()).value).toMatchObject({ version: 9 });

    await staying.return!();
    expect(pubsub.count('configChanged', 'dev')).toBe(0);
  });

  it('return() drops events that were queued but not yet read', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('workerStatusChanged');
    pubsub.publish('workerStatusChanged', { id: 'unread', environmentId: 'e1' });
    await subscription.return!();
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });

  it('throw() rejects with the error and detaches', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('workerStatusChanged');
    const pending = subscription.next();
    const error = new Error('client went away');
    await expect(subscription.throw!(error)).rejects.toBe(error);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(pubsub.count('workerStatusChanged')).toBe(0);
    pubsub.publish('workerStatusChanged', { id: 'late', environmentId: 'e1' });
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a for-await loop when the consumer breaks out of it', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('workerStatusChanged');
    pubsub.publish('workerStatusChanged', { id: 'only', environmentId: 'e1' });
    const seen: string[] = [];
    for await (const event of subscription) {
      seen.push(event.id);
      break;
    }
    expect(seen).toEqual(['only']);
    expect(pubsub.count('workerStatusChanged')).toBe(0);
  });

  it('answers next() calls made before any event in the order they were made, and ends them all on return()', async () => {
    const pubsub = createAppPubSub();
    const subscription = pubsub.subscribe('configChanged', 'dev');
    const first = subscription.next();
    const second = subscription.next();
    const third = subscription.next();
    pubsub.publish('configChanged', 'dev', configEvent('dev', 1));
    pubsub.publish('configChanged', 'dev', configEvent('dev', 2));
    expect((await first).value).toMatchObject({ version: 1 });
    expect((await second).value).toMatchObject({ version: 2 });
    await subscription.return!();
    expect(await third).toEqual({ done: true, value: undefined });
  });
});
