// Queries and mutations over the agent's graphql-ws socket: the reports ride
// the connection the stream already holds (authenticated once) instead of
// setting up an HTTP request each, which is what lets a thousand workers
// report an apply without a thousand request set-ups on the server.
import type { Client } from 'graphql-ws';
import { TransportError } from './errors.ts';
import { unwrapGraphQLResult, type GraphQLBody } from './unwrap-graphql-result.ts';

export interface SocketRequests {
  request<T>(client: Client, query: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * Rejects every request in flight. Called when the socket closes: graphql-ws
   * would otherwise re-send them on the next connection, behind the caller's
   * back and after the caller retried them its own way.
   */
  failAll(reason: string): void;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'code' in error) return `socket closed ${String((error as { code: unknown }).code)}`;
  return String(error);
}

export function createSocketRequests({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): SocketRequests {
  const inFlight = new Set<(error: Error) => void>();
  return {
    request<T>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let body: GraphQLBody<T> | undefined;
        let dispose: () => void = () => {};
        let settled = false;
        const settle = (finish: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          inFlight.delete(fail);
          dispose();
          finish();
        };
        const fail = (error: Error) => settle(() => reject(error));
        const timer = setTimeout(() => fail(new TransportError(`no answer over the socket within ${timeoutMs} ms`)), timeoutMs);
        inFlight.add(fail);
        dispose = client.subscribe<T>({ query, variables }, {
          next: (result) => { body = result as GraphQLBody<T>; },
          // graphql-ws reports a refused operation (validation) as an array of GraphQL errors.
          error: (error) => settle(() => {
            if (Array.isArray(error)) {
              try { unwrapGraphQLResult({ errors: error }); } catch (apiError) { reject(apiError); }
            } else {
              reject(new TransportError(`socket request failed: ${describe(error)}`));
            }
          }),
          complete: () => settle(() => {
            try { resolve(unwrapGraphQLResult(body ?? {})); } catch (error) { reject(error); }
          }),
        });
        if (settled) dispose();
      });
    },
    failAll(reason: string): void {
      for (const fail of [...inFlight]) fail(new TransportError(reason));
    },
  };
}
