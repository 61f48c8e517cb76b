// Plain graphql-ws subscribers for the benchmark: a `ws` socket speaking the
// graphql-transport-ws protocol by hand (connection_init, subscribe, next),
// as light as a client can be, so the figure is the server's fan-out and not
// a client library's. Each records when every `next` frame arrived.
import WebSocket from 'ws';
import { now } from './arrivals.ts';

const SUBSCRIPTION = /* GraphQL */ `subscription BenchChanges($environment: String!, $afterVersion: Int) {
  configChanged(environment: $environment, afterVersion: $afterVersion) { environment version kind changedKeys createdAt changes { name after } }
}`;

/**
 * Opens one subscriber to every version after `afterVersion` (so none
 * committed while it subscribes is missed); `onVersion(version, at)` for each
 * it receives. Resolves once its subscribe message is sent.
 */
export function openPlainSubscriber(wsUrl: string, token: string, afterVersion: number, onVersion: (version: number, at: number) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const at = now();
      const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { configChanged?: { version: number } } } };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { environment: 'dev', afterVersion } } }));
        resolve(socket);
      } else if (message.type === 'next') {
        const version = message.payload?.data?.configChanged?.version;
        if (version !== undefined) onVersion(version, at);
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
  });
}
