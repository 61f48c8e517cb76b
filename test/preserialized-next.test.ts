import { GraphQLError, type ExecutionResult } from 'graphql';
import { makeServer, MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { createPreserializedNext } from '../server/http/preserialized-next.ts';
import { wireResult } from '../server/http/wire-errors.ts';

/**
 * A `next` frame built by splicing a pre-serialised payload is byte for byte
 * the message graphql-ws would have written itself, for every shape a result
 * takes, through graphql-ws's own server (makeServer) and stringifyMessage.
 */
const results: ExecutionResult[] = [
  { data: { configChanged: { environment: 'dev', version: 7, kind: 'EDIT', changedKeys: ['A', 'B'], createdAt: '2026-12-02T03:00:00.000Z', changes: [{ name: 'A', after: '0.57' }, { name: 'B', after: null }] } } },
  { data: { configChanged: { environment: 'dév ✓ "quoted" \\ back\nline \u2028', version: 1, changes: [] } } },
  { data: { configChanged: { author: '\u0000ucp:preserialized-payload', version: 2 } } },
  { data: null, errors: [new GraphQLError('The service token was revoked.', { extensions: { code: 'UNAUTHENTICATED' } })] },
  { data: { x: 1 }, extensions: { cost: 3 } },
];

/** What a client receives for `result` on subscription `id` when graphql-ws's server emits it with `onNext`. */
async function emitted(id: string, result: ExecutionResult, onNext?: (r: ExecutionResult) => ExecutionResult, frame: (data: string) => string = (d) => d): Promise<string[]> {
  const sent: string[] = [];
  const server = makeServer({
    schema: {} as never,
    onSubscribe: () => ({ schema: {} as never, document: { kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: 'subscription', selectionSet: { kind: 'SelectionSet', selections: [] } }] } as never }),
    subscribe: async function* () {
      yield result;
    } as never,
    onNext: onNext ? (_ctx, _id, _payload, _args, r) => onNext(r as ExecutionResult) : undefined,
  });
  let onMessage: (data: string) => Promise<void> = async () => {};
  server.opened({ protocol: 'graphql-transport-ws', send: (data) => void sent.push(frame(data)), close: () => {}, onMessage: (cb) => void (onMessage = cb) }, {});
  await onMessage(JSON.stringify({ type: MessageType.ConnectionInit }));
  await onMessage(JSON.stringify({ id, type: MessageType.Subscribe, payload: { query: 'subscription { x }' } }));
  return sent.filter((message) => JSON.parse(message).type === MessageType.Next);
}

describe('pre-serialised next frames', () => {
  it('are byte for byte what graphql-ws writes itself, for every result shape', async () => {
    const next = createPreserializedNext();
    for (const result of results) {
      for (const id of ['1', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'id "with" \\ quotes']) {
        const stock = await emitted(id, result, wireResult);
        const spliced = await emitted(id, result, (r) => next.payload(wireResult(r)) as ExecutionResult, next.frame);
        expect(spliced).toHaveLength(1);
        expect(spliced).toEqual(stock);
        expect(stock[0]).toBe(stringifyMessage({ id, type: MessageType.Next, payload: wireResult(result) as never }));
      }
    }
  });

  it('serialises one shared result once, whatever the number of subscribers', () => {
    const next = createPreserializedNext();
    const result = { data: { configChanged: { version: 3 } } };
    let serialisations = 0;
    const counted = { toJSON: () => { serialisations += 1; return result.data; } };
    const shared = { data: counted } as unknown as ExecutionResult;
    const frames = ['a', 'b', 'c'].map((id) => next.frame(stringifyMessage({ id, type: MessageType.Next, payload: next.payload(shared) as never })));
    expect(serialisations).toBe(1);
    expect(frames).toEqual(['a', 'b', 'c'].map((id) => JSON.stringify({ id, type: 'next', payload: result })));
  });

  it('leaves every other message as graphql-ws wrote it', () => {
    const next = createPreserializedNext();
    const other = stringifyMessage({ id: '1', type: MessageType.Complete });
    expect(next.frame(other)).toBe(other);
  });
});
