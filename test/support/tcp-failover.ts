// A TCP front for several server replicas, as a Kubernetes Service is for its
// ready pods: each new connection goes to the first upstream that accepts it,
// and a connection whose upstream dies is reset (its client reconnects, and
// lands on a replica still alive). Clients (agents, fetch, graphql-ws) see one
// address throughout.
import net from 'node:net';

export interface TcpFailover {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** For each accepted connection, the upstream port it was forwarded to. */
  readonly routed: number[];
  close(): Promise<void>;
}

export async function startTcpFailover(upstreams: { host?: string; port: number }[]): Promise<TcpFailover> {
  const open = new Set<net.Socket>();
  const routed: number[] = [];
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };

  /** Connects to the first upstream (from `index` on) that accepts, or resolves undefined. */
  const connect = (index: number): Promise<{ socket: net.Socket; port: number } | undefined> => {
    const target = upstreams[index];
    if (!target) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const socket = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve({ socket, port: target.port });
      });
      socket.once('error', () => {
        socket.destroy();
        resolve(connect(index + 1));
      });
    });
  };

  const server = net.createServer((client) => {
    track(client);
    client.pause();
    client.on('error', () => client.destroy());
    void connect(0).then((upstream) => {
      if (!upstream || client.destroyed) {
        upstream?.socket.destroy();
        client.resetAndDestroy();
        return;
      }
      const { socket } = upstream;
      track(socket);
      routed.push(upstream.port);
      // Either side gone: the other is reset, as when a pod dies under a Service.
      socket.on('error', () => client.resetAndDestroy());
      socket.once('close', () => client.destroyed || client.resetAndDestroy());
      client.once('close', () => socket.destroy());
      client.pipe(socket);
      socket.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    routed,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
