// The agent's one graphql-ws connection: authentication through
// connectionParams, reconnects with backoff until a fatal close code,
// keep-alive that notices a silently dead link, and requests over the same
// socket. It knows nothing of versions: the change stream subscribes on it.
import { createClient, type Client, type ExecutionResult, type Sink } from 'graphql-ws';
import WebSocket from 'ws';
import { waitBackoff, type RetryOptions } from '../../contract/backoff.ts';
import { isFatalCloseCode, SocketCloseCode } from '../../contract/protocol.ts';
import { POSTED_REPORTS_ACK } from '../../contract/apply-report-document.ts';
import type { ApplyReportMessage } from '../../contract/protocol.ts';
import { createPostedReports, type PostingSocket } from './posted-reports.ts';
import { createSocketRequests } from './socket-requests.ts';

/** A WebSocket close as graphql-ws hands it to `shouldRetry` and to a sink's `error`. */
export interface CloseEventLike {
  code: number;
  reason?: string;
}

/** True when `value` is a socket close (rather than an Error or GraphQL errors). */
export function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';
}

export interface AgentConnectionOptions {
  /** The ws:// or wss:// /graphql endpoint. */
  url: string;
  /** A service token, sent as `connectionParams.authorization = "Bearer <token>"`. */
  token: string;
  /** A WebSocket constructor (`ws` in Node). */
  webSocketImpl: unknown;
  /** Ping period; a pong missing for as long again drops the socket. */
  keepAliveMs: number;
  retry: RetryOptions;
  /** Aborted when the agent closes: no reconnect after it, and backoff waits end at once. */
  signal: AbortSignal;
  /** The server acknowledged a connection (the first or a reconnect); runs before graphql-ws re-sends subscriptions. */
  onConnected(): void;
  /** The socket closed, whatever the cause; runs before requests in flight on it are failed. */
  onClosed(): void;
  /** Posted apply reports the socket closed on before they were confirmed (posted-reports.ts), in posting order. */
  onPostedLost(inputs: ApplyReportMessage[]): void;
  /** A posted apply report the server refused. */
  onPostedRefused(input: ApplyReportMessage, error: unknown): void;
}

export interface AgentConnection {
  /** Starts (or joins) the lazy connection and subscribes; graphql-ws re-sends `payload` itself on every reconnect. Returns the unsubscribe. */
  subscribe<T>(payload: { query: string; variables: Record<string, unknown> }, sink: Sink<ExecutionResult<T>>): () => void;
  /** A query or mutation over the socket; rejects with TransportError when the socket closes before the answer. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Posts an apply report as a pong (posted-reports.ts); false when no acknowledged socket is open. */
  post(input: ApplyReportMessage): boolean;
  /** Resolves once every report posted so far is confirmed, refused or handed back as lost. */
  confirmed(): Promise<void>;
  /** Drops the socket whatever its state (even a handshake a partition holds) and disposes the client. */
  close(): Promise<void>;
}

export function createAgentConnection({ url, token, webSocketImpl, keepAliveMs, retry, signal, onConnected, onClosed, onPostedLost, onPostedRefused }: AgentConnectionOptions): AgentConnection {
  const socketRequests = createSocketRequests();
  const posted = createPostedReports({ onLost: onPostedLost, onRefused: onPostedRefused });
  // A handshake held by a partition fails after handshakeTimeout (and is
  // retried) instead of hanging; an aborted handshake's 'error' is reported
  // through the close that follows, never thrown.
  const Impl = webSocketImpl as typeof WebSocket;
  class AgentWebSocket extends Impl {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: Math.max(keepAliveMs, 1_000) });
      if (typeof (this as { on?: unknown }).on === 'function') this.on('error', () => {});
    }
  }
  let activeSocket: { terminate?(): void; close(code: number, reason: string): void } | undefined;
  let pingTimeout: NodeJS.Timeout | undefined;
  const client: Client = createClient({
    url,
    webSocketImpl: AgentWebSocket,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: retry.attempts ?? Number.POSITIVE_INFINITY,
    retryWait: (retries) => waitBackoff(retries, retry, signal),
    shouldRetry: (errOrClose) => !signal.aborted && !(isCloseEvent(errOrClose) && isFatalCloseCode(errOrClose.code)),
    keepAlive: keepAliveMs,
    on: {
      // Reports are posted only to a server whose ack says it takes them (an
      // older one during a rolling deploy would drop them): otherwise mutations.
      connected: (socket, payload) => {
        posted.attach((payload as Record<string, unknown> | undefined)?.[POSTED_REPORTS_ACK] === true ? socket as PostingSocket : undefined);
        onConnected();
      },
      closed: () => {
        clearTimeout(pingTimeout);
        onClosed();
        // graphql-ws would re-send them on the next connection, behind the
        // reporter's back and after it retried them its own way.
        socketRequests.failAll('the socket closed before the server answered');
        posted.closed();
      },
      // A silently dead socket: no pong within the keep-alive period.
      ping: (received) => {
        if (received) return;
        posted.pingSent();
        pingTimeout = setTimeout(() => {
          // A dead link answers no close frame either: close() would wait for
          // ws's 30 s close timeout before 'closed' fires. Drop it now.
          if (activeSocket?.terminate) activeSocket.terminate();
          else activeSocket?.close(SocketCloseCode.PongTimeout, 'Pong timeout');
        }, keepAliveMs);
        pingTimeout.unref?.();
      },
      pong: (received, payload) => {
        if (!received) return;
        clearTimeout(pingTimeout);
        posted.pongReceived(payload);
      },
      opened: (socket) => {
        activeSocket = socket as typeof activeSocket;
      },
    },
  });
  return {
    subscribe: (payload, sink) => client.subscribe(payload, sink),
    request: (query, variables) => socketRequests.request(client, query, variables),
    post: (input) => posted.post(input),
    confirmed: () => posted.confirmed(),
    async close() {
      clearTimeout(pingTimeout);
      // dispose() awaits a pending connection attempt, which never settles while
      // a partition holds the handshake: terminate drops it whatever its state.
      client.terminate();
      await Promise.resolve(client.dispose()).catch(() => {});
    },
  };
}
