import net from 'node:net';

/**
 * A TCP port that was free a moment ago: listen on 0, read the port, close.
 * For a server that must come back on the same port after a restart.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
