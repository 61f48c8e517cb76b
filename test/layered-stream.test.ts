import { describe, expect, it } from 'vitest';
import { layerStream, skipped, type StreamLayer } from '../server/realtime/layered-stream.ts';
import { createAppPubSub } from '../server/realtime/pubsub.ts';

const done = { done: true, value: undefined } as const;
const add = (suffix: string): StreamLayer<string, string> => ({
  step: (result) => (result.done ? done : { done: false, value: `${result.value}${suffix}` }),
});

/** Microtask turns until `promise` settles (V8's ordering is deterministic). */
async function turnsUntil(promise: Promise<unknown>): Promise<number> {
  let settled = false;
  void promise.then(() => (settled = true));
  let turns = 0;
  while (!settled) {
    await Promise.resolve();
    turns++;
  }
  return turns;
}

/** Proves stacked layers run in order, share one promise hop per event, and keep each layer's before, fail and return. */
describe('layerStream', () => {
  it('runs every layer in order on one hop: four layers answer as soon as one does', async () => {
    const pubsub = createAppPubSub();
    const one = layerStream(pubsub.subscribe('workerStatusChanged'), { step: (result) => (result.done ? done : { done: false, value: result.value.id }) });
    const four = [add('-b'), add('-c'), add('-d')].reduce((stream, layer) => layerStream(stream, layer),
      layerStream(pubsub.subscribe('workerStatusChanged'), { step: (result) => (result.done ? done : { done: false, value: result.value.id }) }));
    const fromOne = one.next();
    const fromFour = four.next();
    pubsub.publish('workerStatusChanged', { id: 'a', environmentId: 'e1' });
    const [turnsOne, turnsFour] = await Promise.all([turnsUntil(fromOne), turnsUntil(fromFour)]);
    expect(turnsFour).toBe(turnsOne);
    expect(await fromFour).toEqual({ done: false, value: 'a-b-c-d' });
    await one.return!();
    await four.return!();
    expect(pubsub.count('workerStatusChanged')).toBe(0);
  });

  it('pull hands over what next() would, a promise hop sooner: values, skipped ones, early answers and failures', async () => {
    const pubsub = createAppPubSub();
    const dropOdd: StreamLayer<string, string> = { step: (result) => (result.done ? done : Number(result.value.at(-1)) % 2 ? skipped : result) };
    let refuse = false;
    const refusing: StreamLayer<string, string> = { before: () => (refuse ? { done: false, value: 'refused' } : undefined), step: (result) => result };
    const stream = layerStream(layerStream(layerStream(pubsub.subscribe('workerStatusChanged'), { step: (r) => (r.done ? done : { done: false, value: r.value.id }) }), dropOdd), refusing);
    const pulled = () => new Promise<IteratorResult<string>>((resolve, reject) => stream.pull(resolve, reject));
    const viaPull = pulled();
    for (const id of ['w1', 'w2']) pubsub.publish('workerStatusChanged', { id, environmentId: 'e' });
    expect(await viaPull).toEqual({ done: false, value: 'w2' }); // w1 skipped
    // One hop less than next(): asked after it, for an event published after its own, its result arrives first.
    const order: string[] = [];
    const byNext = stream.next().then((result) => (order.push('next'), result));
    const byPull = new Promise<IteratorResult<string>>((resolve, reject) => stream.pull((result) => (order.push('pull'), resolve(result)), reject));
    pubsub.publish('workerStatusChanged', { id: 'w4', environmentId: 'e' });
    pubsub.publish('workerStatusChanged', { id: 'w6', environmentId: 'e' });
    expect([await byNext, await byPull]).toEqual([{ done: false, value: 'w4' }, { done: false, value: 'w6' }]);
    expect(order).toEqual(['pull', 'next']);
    refuse = true;
    expect(await pulled()).toEqual({ done: false, value: 'refused' });
    const failing = layerStream({ next: () => Promise.reject(new Error('read failed')) } as AsyncIterator<string>, add('-x'));
    await expect(new Promise((resolve, reject) => failing.pull(resolve, reject))).rejects.toThrow('read failed');
    await stream.return();
    expect(pubsub.count('workerStatusChanged')).toBe(0);
  });

  it('lets a layer answer in place of the layers below, through the layers above it', async () => {
    const pubsub = createAppPubSub();
    let refuse = false;
    const inner = layerStream<{ id: string }, string>(pubsub.subscribe('workerStatusChanged'), {
      step: (result) => (result.done ? done : { done: false, value: result.value.id }),
    });
    const gate = layerStream<string, string>(inner, { before: () => (refuse ? { done: false, value: 'refused' } : undefined), step: (result) => result });
    const outer = layerStream(gate, add('!'));
    pubsub.publish('workerStatusChanged', { id: 'a', environmentId: 'e1' });
    expect(await outer.next()).toEqual({ done: false, value: 'a!' });
    refuse = true;
    expect(await outer.next()).toEqual({ done: false, value: 'refused!' });
    await outer.return!();
  });

  it('hands a failure below to the first layer that answers it; one that throws passes it on', async () => {
    const failing: AsyncIterator<string> = { next: () => Promise.reject(new Error('backlog unreadable')) };
    const rethrow = layerStream<string, string>(failing, { step: (result) => result, fail: (error) => { throw new Error(`masked: ${(error as Error).message}`); } });
    await expect(rethrow.next()).rejects.toThrow('masked: backlog unreadable');
    const answer = layerStream(layerStream<string, string>(failing, { step: (result) => result, fail: () => ({ done: false, value: 'answered' }) }), add('!'));
    expect(await answer.next()).toEqual({ done: false, value: 'answered!' });
  });

  it('ends the source and the view\'s own layers on return(); a layer above still answers its consumer', async () => {
    const pubsub = createAppPubSub();
    const returned: string[] = [];
    const inner = layerStream<{ id: string }, string>(pubsub.subscribe('workerStatusChanged'), {
      step: (result) => (result.done ? done : { done: false, value: result.value.id }),
      onReturn: () => void returned.push('inner'),
    });
    let ended = false;
    const outer = layerStream<string, string>(inner, {
      step: (result) => (result.done ? (ended ? done : ((ended = true), { done: false, value: 'last word' })) : result),
      onReturn: () => void returned.push('outer'),
    });
    const waiting = outer.next();
    await inner.return!();
    expect(pubsub.count('workerStatusChanged')).toBe(0);
    expect(returned).toEqual(['inner']);
    expect(await waiting).toEqual({ done: false, value: 'last word' });
    await outer.return!();
    expect(returned).toEqual(['inner', 'outer', 'inner']);
  });

  it('drops a value a layer skips: every layer sees the next one instead, in order', async () => {
    const pubsub = createAppPubSub();
    const seen: string[] = [];
    const evenOnly = layerStream<{ id: string }, string>(pubsub.subscribe('workerStatusChanged'), {
      step: (result) => (result.done ? done : Number(result.value.id) % 2 === 0 ? { done: false, value: result.value.id } : skipped),
    });
    const stream = layerStream<string, string>(evenOnly, { step: (result) => (result.done ? done : (seen.push(result.value), result)) });
    for (const id of ['1', '2', '3', '5', '6']) pubsub.publish('workerStatusChanged', { id, environmentId: 'e1' });
    expect(await stream.next()).toEqual({ done: false, value: '2' });
    expect(await stream.next()).toEqual({ done: false, value: '6' });
    expect(seen).toEqual(['2', '6']);
    await stream.return!();
  });
});
