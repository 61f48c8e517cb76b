import { describe, expect, it } from 'vitest';
import { filterEvents } from '../server/realtime/filter-events.ts';
import { createAppPubSub } from '../server/realtime/pubsub.ts';

/** Proves filterEvents keeps only matching events, in order, and always detaches its source on return(). */
describe('filterEvents', () => {
  it('passes the events that match, in order', async () => {
    const pubsub = createAppPubSub();
    const odd = filterEvents(pubsub.subscribe('workerStatusChanged'), async ({ id }) => Number(id) % 2 === 1);
    for (const id of ['1', '2', '3', '4', '5']) pubsub.publish('workerStatusChanged', { id, environmentId: 'e1' });
    expect((await odd.next()).value).toEqual({ id: '1', environmentId: 'e1' });
    expect((await odd.next()).value).toEqual({ id: '3', environmentId: 'e1' });
    expect((await odd.next()).value).toEqual({ id: '5', environmentId: 'e1' });
    await odd.return!();
  });

  it('detaches its source when returned before the first next()', async () => {
    const pubsub = createAppPubSub();
    const filtered = filterEvents(pubsub.subscribe('changeRequestUpdated'), () => true);
    expect(pubsub.count('changeRequestUpdated')).toBe(1);
    await filtered.return!();
    expect(pubsub.count('changeRequestUpdated')).toBe(0);
  });

  it('ends a next() waiting on the source when returned', async () => {
    const pubsub = createAppPubSub();
    const filtered = filterEvents(pubsub.subscribe('workerStatusChanged'), () => true);
    const waiting = filtered.next();
    await filtered.return!();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(pubsub.count('workerStatusChanged')).toBe(0);
  });
});
