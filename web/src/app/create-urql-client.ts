import { cacheExchange, createClient, fetchExchange, subscriptionExchange, type Client } from 'urql';
import { readCsrfToken } from './session-api.ts';

export interface UrqlClientOptions {
  /** Called when the server says the session is gone (UNAUTHENTICATED). */
  onUnauthenticated: () => void;
}

/**
 * One client per signed-in session. Queries and mutations go over HTTP with
 * the CSRF header; subscriptions over graphql-ws on the same origin, where
 * the server accepts the session cookie. graphql-ws is loaded on the first
 * subscription so it stays out of the initial bundle.
 */
export function createUrqlClient({ onUnauthenticated }: UrqlClientOptions): Client {
  let ws: Promise<import('graphql-ws').Client> | undefined;
  const wsClient = () => {
    ws ??= import('graphql-ws').then(({ createClient: createWsClient }) => {
      const url = new URL('/graphql', window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return createWsClient({ url: url.toString(), lazy: true, retryAttempts: Infinity });
    });
    return ws;
  };

  return createClient({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { 'x-csrf-token': readCsrfToken(), accept: 'application/graphql-response+json, application/json' },
    }),
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onUnauthenticated();
      return response;
    },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              let dispose: (() => void) | undefined;
              let cancelled = false;
              void wsClient().then((client) => {
                if (!cancelled) dispose = client.subscribe(input, sink as never);
              });
              return {
                unsubscribe() {
                  cancelled = true;
                  dispose?.();
                },
              };
            },
          };
        },
      }),
    ],
  });
}
