import WebSocket from 'ws';

/**
 * A graphql-ws socket speaking the plain protocol by hand, past its
 * handshake: every frame received after the `connection_ack` as text, the
 * ack itself, and `until` to wait (10 s at most) for what a test expects.
 */
export async function openHandshakenSocket(url: string, authorization: string) {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const frames: string[] = [];
  const waiters = new Set<() => void>();
  let closed: number | undefined;
  // The TCP socket's own port: the server's end of it is the one writing to it.
  let localPort: number | undefined;
  socket.once('upgrade', (response) => { localPort = response.socket.localPort; });
  const wake = () => { for (const waiter of [...waiters]) waiter(); };
  socket.on('message', (data) => {
    frames.push(String(data));
    wake();
  });
  socket.on('close', (code) => {
    closed = code;
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const until = (done: () => boolean, what = 'answer') => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no ${what}; frames so far: ${frames.join(' ')}`)); }, 10_000);
    const check = () => {
      if (!done()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
  await until(() => frames.some((frame) => JSON.parse(frame).type === 'connection_ack') || closed !== undefined, 'connection_ack');
  const ack = frames.find((frame) => JSON.parse(frame).type === 'connection_ack');
  frames.length = 0;
  return {
    /** Every frame since the ack, as text. */
    frames,
    /** The handshake's `connection_ack`, as text (undefined: the socket was refused). */
    ack,
    /** The close code, once the server closed the socket. */
    get closed() { return closed; },
    /** The client's end of the TCP connection. */
    get localPort() { return localPort; },
    until,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    /** Resolves once the server closed the socket. */
    whenClosed: () => until(() => closed !== undefined, 'close'),
    close: () => socket.close(),
  };
}
