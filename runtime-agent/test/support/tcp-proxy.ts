// A TCP proxy in front of the server for one agent's WebSocket: the network
// between that agent and the server can be cut (connections reset, new ones
// refused) or black-holed (bytes held, nothing closed, as a silent partition
// does), then healed, without touching the server or any other agent.
import net from 'node:net';
import WebSocket from 'ws';

export type ProxyMode = 'open' | 'cut' | 'blackhole';

export interface TcpProxy {
  port: number;
  readonly mode: ProxyMode;
  /** Connections accepted so far (each WebSocket attempt is one). */
  readonly accepted: number;
  /** Resolves once `count` connections have been accepted in all; rejects after `timeoutMs`. */
  accepting(count: number, timeoutMs: number): Promise<void>;
  /** A `ws` constructor that dials this proxy instead of the URL's port: pass it as the agent's webSocketImpl. */
  webSocketImpl: new (url: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) => WebSocket;
  /** Resets every open connection and refuses new ones. */
  cut(): void;
  /** Holds every byte in both directions and every new connection, closing nothing. */
  blackhole(): void;
  /** Forwards again; black-holed connections resume with what was held. */
  heal(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let mode: ProxyMode = 'open';
  let accepted = 0;
  const acceptWaiters = new Set<() => void>();

  const destroy = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  const flow = (pair: Pair) => {
    if (!pair.upstream) {
      const upstream = net.connect({ host, port: target.port });
      pair.upstream = upstream;
      upstream.on('error', () => destroy(pair));
      upstream.on('close', () => destroy(pair));
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const hold = (pair: Pair) => {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };

  const server = net.createServer((client) => {
    accepted += 1;
    for (const check of [...acceptWaiters]) check();
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('error', () => destroy(pair));
    client.on('close', () => destroy(pair));
    if (mode === 'open') flow(pair);
    else client.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  class ViaProxy extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      const rerouted = new URL(url);
      rerouted.hostname = '127.0.0.1';
      rerouted.port = String(port);
      super(rerouted, protocols, options);
    }
  }

  return {
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    webSocketImpl: ViaProxy,
    accepting(count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (accepted < count) return;
          acceptWaiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          acceptWaiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} connections to the proxy (${accepted} so far)`));
        }, timeoutMs);
        acceptWaiters.add(check);
        check();
      });
    },
    cut() {
      mode = 'cut';
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        destroy(pair);
      }
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) hold(pair);
    },
    heal() {
      mode = 'open';
      for (const pair of pairs) flow(pair);
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
