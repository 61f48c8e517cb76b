import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logging/create-logger.ts';

/**
 * graphql-ws's protocol (its own makeServer) on a `ws` server: the adapter
 * graphql-ws/use/ws would be, with the one difference that every outgoing
 * message passes through `frame` (preserialized-next.ts splices a version's
 * pre-serialised payload there). Keep-alive pings, close codes and error
 * handling are those of use/ws.
 */
export function serveGraphQLWs<P extends Record<string, unknown> | undefined, E extends { socket: WebSocket; request: IncomingMessage; holdAnswer(): void }>(
  options: ServerOptions<P, E>,
  ws: WebSocketServer,
  { frame, logger, keepAliveMs = 12_000 }: { frame: (data: string) => string; logger: Logger; keepAliveMs?: number },
) {
  const server = makeServer<P, E>(options);
  const completeTail = '"type":"complete"}';
  ws.options.handleProtocols = handleProtocols;
  const internalError = (socket: WebSocket, error: unknown) => {
    logger.error({ event: 'ws_internal_error', err: error instanceof Error ? error.message : String(error) }, 'graphql-ws socket failed');
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };
  ws.on('error', (error) => logger.error({ event: 'ws_server_error', err: error.message }, 'the WebSocket server failed'));
  ws.on('connection', (socket, request) => {
    socket.once('error', (error) => internalError(socket, error));
    // A socket whose peer stopped answering pings is dropped (use/ws's keep-alive).
    let pongWait: NodeJS.Timeout | undefined;
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, keepAliveMs);
    // An answer held for one write (holdAnswer): its `next` and `complete`
    // frames wait in the socket's cork and leave in one system call, not
    // two: a thousand calls fewer on every version's thousand apply reports.
    // Only an answer is held, never a subscription's events (a held fan-out
    // frame waits for the turn's end: commit 2766678). The bytes are those
    // ws writes either way; the frames too.
    const raw = request.socket;
    let holds = 0;
    const release = () => {
      if (holds === 0) return;
      holds -= 1;
      raw.uncork();
    };
    const holdAnswer = () => {
      if (socket.readyState !== socket.OPEN) return;
      holds += 1;
      raw.cork();
      // Whatever becomes of the answer (its client cancelled it, say), the
      // socket is uncorked once this turn's promise jobs are done, where the
      // answer's own frames are sent.
      process.nextTick(release);
    };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Resolved once handed to the socket, not once flushed (use/ws waits
        // for ws's write callback): a closure and a promise less per frame on
        // the fan-out's path. Events queue in the subscriber's pubsub queue
        // either way; a write that fails closes the socket ('error' above).
        send: (data) => {
          if (socket.readyState === socket.OPEN) {
            socket.send(frame(data));
            // graphql-ws's `complete` ({"id":…,"type":"complete"}) ends an answer.
            if (holds > 0 && data.endsWith(completeTail)) release();
          } else frame(data);
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => socket.on('message', (data) => {
          handle(String(data)).catch((error: unknown) => internalError(socket, error));
        }),
      },
      { socket, request, holdAnswer } as E,
    );
    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });
  return {
    async dispose(): Promise<void> {
      for (const client of ws.clients) client.close(1001, 'Going away');
      ws.removeAllListeners('connection');
      ws.removeAllListeners('error');
    },
  };
}
