import { GraphQLError, type ExecutionResult } from 'graphql';
import { makeServer, MessageType } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { createPreserializedNext } from '../server/http/preserialized-next.ts';
import { relayWithDirectFrames } from '../server/http/relay-with-direct-frames.ts';
import { wireResult } from '../server/http/wire-errors.ts';

/**
 * Subscription results written by us (relay-with-direct-frames.ts) reach a
 * client as exactly the messages graphql-ws's own server sends for the same
 * stream: every `next`, then `complete` or `error`, in order, for every
 * result shape and id; and a subscription the client completes gets no
 * frame after it.
 */
const results: ExecutionResult[] = [
  { data: { configChanged: { environment: 'dev', version: 7, kind: 'EDIT', changedKeys: ['A'], changes: [{ name: 'A', before: '0.5', after: '0.57' }] } } },
  { data: { configChanged: { environment: 'dév ✓ "quoted" \\ back\nline \u2028', version: 8, changes: [] } } },
  { data: null, errors: [new GraphQLError('The service token was revoked.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } })] },
  { data: { x: 1 }, extensions: { cost: 3 } },
];

type Stream = () => AsyncIterator<ExecutionResult>;

/** Every message after the acknowledgement a client receives for subscription `id` over `stream`, stock or relayed. */
async function session(id: string, stream: Stream, relayed: boolean, { completeAfter }: { completeAfter?: number } = {}): Promise<{ sent: string[]; pulled: () => number }> {
  const sent: string[] = [];
  const next = createPreserializedNext();
  let pulls = 0;
  const counted: Stream = () => {
    const inner = stream();
    return { next: () => ((pulls += 1), inner.next()), return: () => inner.return?.() ?? Promise.resolve({ done: true, value: undefined }) };
  };
  let onMessage: (data: string) => Promise<void> = async () => {};
  const seen = createSeen();
  const server = makeServer({
    schema: {} as never,
    onSubscribe: () => ({ schema: {} as never, document: { kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: 'subscription', selectionSet: { kind: 'SelectionSet', selections: [] } }] } as never }),
    subscribe: (() => ({ [Symbol.asyncIterator]() { return counted(); } })) as never,
    onOperation: relayed
      ? (_ctx, opId, _payload, _args, result) => relayWithDirectFrames((result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator](), { id: opId, write: (frame) => seen.push(sent, frame), serialize: (r) => next.json(wireResult(r)) })
      : undefined,
    onNext: (_ctx, _id, _payload, _args, result) => wireResult(result as ExecutionResult),
  });
  server.opened({ protocol: 'graphql-transport-ws', send: (data) => seen.push(sent, data), close: () => {}, onMessage: (cb) => void (onMessage = cb) }, {});
  await onMessage(JSON.stringify({ type: MessageType.ConnectionInit }));
  const subscribed = onMessage(JSON.stringify({ id, type: MessageType.Subscribe, payload: { query: 'subscription { x }' } }));
  if (completeAfter !== undefined) {
    await seen.until(() => sent.filter((m) => JSON.parse(m).type === MessageType.Next).length >= completeAfter);
    await onMessage(JSON.stringify({ id, type: MessageType.Complete }));
  }
  await subscribed;
  return { sent: sent.filter((m) => JSON.parse(m).type !== MessageType.ConnectionAck), pulled: () => pulls };
}

/** Frames as they are sent, and a wait for a condition on them (no timers). */
function createSeen() {
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  return {
    push(into: string[], frame: string) {
      into.push(frame);
      for (const waiter of waiters.splice(0)) if (waiter.test()) waiter.resolve(); else waiters.push(waiter);
    },
    until(test: () => boolean): Promise<void> {
      return test() ? Promise.resolve() : new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

async function* all(): AsyncGenerator<ExecutionResult> {
  yield* results;
}
const finite: Stream = () => all();
async function* failing(): AsyncGenerator<ExecutionResult> {
  yield results[0]!;
  throw new Error('the backlog could not be read');
}
/** An endless stream: a value whenever it is asked. */
const endless: Stream = () => {
  let version = 0;
  return { next: async () => ({ done: false, value: { data: { configChanged: { version: (version += 1) } } } }), return: async () => ({ done: true, value: undefined }) };
};

describe('relayed subscription frames', () => {
  it('are the messages graphql-ws sends itself: every next in order, then complete', async () => {
    for (const id of ['1', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'id "with" \\ quotes']) {
      const stock = await session(id, finite, false);
      const relayed = await session(id, finite, true);
      expect(stock.sent).toHaveLength(results.length + 1);
      expect(relayed.sent).toEqual(stock.sent);
      expect(JSON.parse(relayed.sent.at(-1)!)).toEqual({ id, type: MessageType.Complete });
    }
  });

  it('end a failed stream with the error message graphql-ws sends, after the frames before it', async () => {
    const stock = await session('7', () => failing(), false);
    const relayed = await session('7', () => failing(), true);
    expect(relayed.sent).toEqual(stock.sent);
    expect(relayed.sent.map((m) => JSON.parse(m).type)).toEqual([MessageType.Next, MessageType.Error]);
  });

  it('stop at the client\'s complete: no frame after it, and the stream is not read on', async () => {
    const relayed = await session('9', endless, true, { completeAfter: 3 });
    const nexts = relayed.sent.filter((m) => JSON.parse(m).type === MessageType.Next);
    expect(nexts.length).toBeGreaterThanOrEqual(3);
    const pulledAtComplete = relayed.pulled();
    // The relay was returned synchronously by graphql-ws: whatever the stream was asked for
    // before that is never written, and it is never asked again.
    await Promise.resolve();
    expect(relayed.pulled()).toBe(pulledAtComplete);
    expect(relayed.sent.every((m) => JSON.parse(m).type === MessageType.Next)).toBe(true);
  });

  it('read nothing before graphql-ws asks, and nothing after it left first', async () => {
    let pulls = 0;
    const source: AsyncIterator<ExecutionResult> = { next: async () => ((pulls += 1), { done: false, value: results[0]! }), return: async () => ({ done: true, value: undefined }) };
    const relay = relayWithDirectFrames(source, { id: '1', write: () => {}, serialize: (r) => JSON.stringify(r) });
    expect(pulls).toBe(0);
    await relay.return!();
    await expect(relay.next()).resolves.toEqual({ done: true, value: undefined });
    expect(pulls).toBe(0);
  });
});
