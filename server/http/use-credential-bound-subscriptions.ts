import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CredentialWatch, Viewer } from '../auth/index.ts';
import { toGraphQLError, type AppError } from '../errors/index.ts';
import { layerStream } from '../realtime/layered-stream.ts';

/**
 * A subscription lives no longer than its caller's right to it, on every
 * transport (graphql-ws, both SSE modes): the stream is watched with the
 * viewer it started with, and when that viewer is disabled, demoted, has its
 * password reset or its token revoked, the stream sends the refusal (its
 * UNAUTHENTICATED or FORBIDDEN error) as its last result and ends. A socket
 * also closes (attach-graphql-ws.ts); an SSE stream has no socket of its own.
 */
export function useCredentialBoundSubscriptions<Context extends { viewer: Viewer | null }>({ watch }: { watch: CredentialWatch }): Plugin<Context> {
  return {
    onSubscribe({ args }) {
      const { viewer } = args.contextValue as Context;
      if (!viewer) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in Object(result))) return;
          setResult(endWhenLost(result as AsyncIterableIterator<ExecutionResult>, watch, viewer));
        },
      };
    },
  };
}

function endWhenLost(source: AsyncIterableIterator<ExecutionResult>, watch: CredentialWatch, viewer: Viewer): AsyncIterableIterator<ExecutionResult> {
  const below = source[Symbol.asyncIterator]();
  let lost: AppError | undefined;
  let announced = false;
  // A lost credential returns the source at once, which settles a pending
  // next() as done; the refusal then takes its place. A layer, not a wrapper
  // (layered-stream.ts): this sits on every event's path to every subscriber.
  const watched = watch.watch(viewer, (error) => {
    lost = error;
    void below.return?.();
  });
  const done: IteratorResult<ExecutionResult> = { done: true, value: undefined };
  const finish = async (): Promise<IteratorResult<ExecutionResult>> => {
    watched.stop();
    await below.return?.();
    return done;
  };
  const refusal = (): IteratorResult<ExecutionResult> => {
    announced = true;
    return { done: false, value: { errors: [toGraphQLError(lost!)] } };
  };
  return layerStream<ExecutionResult, ExecutionResult>(below, {
    before: () => (lost ? (announced ? finish() : refusal()) : undefined),
    step(result) {
      if (lost) return announced ? finish() : refusal();
      if (result.done) {
        watched.stop();
        return done;
      }
      return result;
    },
    onReturn: () => watched.stop(),
  });
}
