import type { ExecutionResult } from 'graphql';

/**
 * graphql-ws `next` frames serialised once per result, not once per
 * subscriber. A version reaching a thousand sockets is one shared result
 * (use-shared-subscription-results.ts), and the frames differ only by the
 * subscription id, yet graphql-ws stringifies the whole message for each of
 * them (20 % of the fan-out's CPU). Without forking its protocol:
 *
 * - `payload(result)` is what onNext hands graphql-ws: a stand-in whose
 *   toJSON() stashes the result's JSON (computed once per result object)
 *   and serialises as a short sentinel, so graphql-ws's own stringifyMessage
 *   only writes `{"id":…,"type":"next","payload":"<sentinel>"}`;
 * - `frame(data)`, on the socket's send, splices the stashed JSON where the
 *   sentinel stands.
 *
 * graphql-ws calls stringifyMessage and then the socket's send in the same
 * synchronous step (server.ts, emit.next), so the stash never outlives the
 * message it belongs to. The bytes a client receives are exactly those
 * `JSON.stringify` of the whole message gives (test/preserialized-next.test.ts).
 */
export function createPreserializedNext() {
  const sentinel = '\u0000ucp:preserialized-payload';
  const tail = `${JSON.stringify(sentinel)}}`;
  const serialized = new WeakMap<object, string>();
  let stashed: string | undefined;

  class PreserializedPayload {
    constructor(readonly json: string) {}
    toJSON(): string {
      stashed = this.json;
      return sentinel;
    }
  }

  const json = (result: ExecutionResult): string => {
    let text = serialized.get(result);
    if (text === undefined) serialized.set(result, (text = JSON.stringify(result)));
    return text;
  };

  return {
    /** `result` as JSON, serialised at its first subscriber and reused for the others. */
    json,

    /** The `next` payload for `result`, serialised at its first subscriber and reused for the others. */
    payload: (result: ExecutionResult): object => new PreserializedPayload(json(result)),

    /** The message to put on the wire for what graphql-ws serialised (unchanged unless it holds a stand-in). */
    frame(data: string): string {
      const json = stashed;
      if (json === undefined) return data;
      stashed = undefined;
      return data.endsWith(tail) ? `${data.slice(0, -tail.length)}${json}}` : data;
    },
  };
}

export type PreserializedNext = ReturnType<typeof createPreserializedNext>;
