import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { layerStream } from '../realtime/layered-stream.ts';

const ownStream = Symbol('ucp.ownSubscriptionStream');

/**
 * A subscription's stream as our plugins left it, with yoga's error masking
 * folded in, for a transport that reads it without envelop's per-event
 * layers (attach-graphql-ws.ts, through graphql-ws's onOperation hook).
 *
 * Envelop wraps every subscription stream once per plugin hook kind: a map
 * for the onNext hooks and an error iterator for the onSubscribeError hooks.
 * The only plugins that register them are yoga's own: masked errors (mask
 * each result's errors, and a thrown error) and its AbortError pass-through.
 * At a thousand subscribers those wrappers are several promise hops per event
 * and subscriber for results that have no errors. Here the same two steps
 * are a layer (layered-stream.ts: our layers share one `then` per event):
 * the same `maskError` with the same message, each error masked once, an
 * AbortError passed through unmasked.
 *
 * It must be the last of our plugins, so it sees the stream every other
 * plugin of ours shaped (credential-bound, shared results). A per-event hook
 * (onSubscribeResult's onNext) added by a plugin would be skipped on the
 * graphql-ws path: such a step belongs in the stream itself, as a layer laid
 * before this one (test/own-subscription-streams.test.ts proves the masking).
 */
export function useOwnSubscriptionStreams({ maskError, errorMessage }: {
  maskError: (error: unknown, message: string) => Error;
  errorMessage: string;
}): Plugin {
  const maskResult = (result: IteratorResult<ExecutionResult>): IteratorResult<ExecutionResult> => {
    if (result.done || result.value.errors == null) return result;
    return { done: false, value: { ...result.value, errors: result.value.errors.map((error) => maskError(error, errorMessage) as GraphQLError) } };
  };
  const maskThrown = (error: unknown): never => {
    throw error instanceof Error && error.name === 'AbortError' ? error : maskError(error, errorMessage);
  };
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args, result }) {
          if (!(Symbol.asyncIterator in Object(result))) return;
          const masked = layerStream<ExecutionResult, ExecutionResult>(result as AsyncIterable<ExecutionResult>, { step: maskResult, fail: maskThrown });
          Object.defineProperty(args.contextValue, ownStream, { value: masked, configurable: true });
        },
      };
    },
  };
}

/** The stream recorded for the operation whose context this is, if it is one. */
export function ownSubscriptionStream(contextValue: unknown): AsyncIterableIterator<ExecutionResult> | undefined {
  return typeof contextValue === 'object' && contextValue !== null ? (contextValue as { [ownStream]?: AsyncIterableIterator<ExecutionResult> })[ownStream] : undefined;
}
