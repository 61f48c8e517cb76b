import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import { authorizationFor, type TestUser } from './start-test-app.ts';

export interface Subscription<T> {
  /** Resolves with the next `count` events, or rejects after `timeoutMs`. */
  take(count: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Drains an async iterator into a queue so a test can ask for "the next N
 * events within T ms" (no sleeps: it waits on the events themselves).
 */
function queueFrom<T>(iterator: AsyncIterableIterator<{ data?: unknown; errors?: unknown }>, pick: (data: any) => T, onClose: () => Promise<void>): Subscription<T> {
  const received: T[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  void (async () => {
    try {
      for await (const result of iterator) {
        if (result.errors) throw new Error(`subscription error: ${JSON.stringify(result.errors)}`);
        received.push(pick(result.data));
        wake?.();
      }
    } catch (error) {
      failure = error;
      wake?.();
    }
  })();
  return {
    async take(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (failure) throw failure;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms with ${received.length} of ${count} events`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return received.splice(0, count);
    },
    async close() {
      await iterator.return?.();
      await onClose();
    },
  };
}

export function wsClient(url: string, as: TestUser = 'viewer', options: Partial<Parameters<typeof createWsClient>[0]> = {}): WsClient {
  return createWsClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: authorizationFor(as) },
    retryAttempts: 0,
    lazy: false,
    ...options,
  });
}

export function subscribeWs<T>(url: string, query: string, variables: Record<string, unknown>, pick: (data: any) => T, as: TestUser = 'viewer'): Subscription<T> {
  const client = wsClient(url, as);
  return queueFrom(client.iterate({ query, variables }), pick, () => client.dispose() as Promise<void>);
}

/** graphql-sse protocol, distinct-connections mode, on /graphql/stream. */
export function subscribeSse<T>(url: string, query: string, variables: Record<string, unknown>, pick: (data: any) => T, as: TestUser = 'viewer'): Subscription<T> {
  const authorization = authorizationFor(as);
  const client = createSseClient({ url: `${url}/graphql/stream`, headers: authorization ? { authorization } : {}, retryAttempts: 0 });
  return queueFrom(client.iterate({ query, variables }) as AsyncIterableIterator<{ data?: unknown }>, pick, async () => client.dispose());
}
