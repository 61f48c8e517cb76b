import type { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import type { CredentialWatch, Viewer, Watched } from '../auth/index.ts';
import { faultGraphQLError, findAppError, recognizeError, toGraphQLError, toSocketClose, unauthenticated, type AppError } from '../errors/index.ts';
import type { Logger } from '../logging/create-logger.ts';

/** What a socket carries between its handshake and its operations. */
export type SocketHolder = {
  socket: WebSocket;
  watched?: Watched;
  /** Set once the socket is refused: it is closing, and runs nothing more. */
  refusal?: AppError;
};

/**
 * A graphql-ws socket authenticates once, but runs every operation with its
 * caller's privileges as they are at that operation: the caller is read again
 * (one batched query) before each one. A disabled user, an ended session, a
 * changed Basic password or a revoked token (UNAUTHENTICATED, 4401) and a
 * lowered role (FORBIDDEN, 4403) refuse that operation and close the socket;
 * a change noticed while the socket is idle closes it at once
 * (credential-watch.ts, driven by NOTIFY).
 */
export function createSocketPrivileges({ current, watch, logger }: {
  current: (viewer: Viewer) => Promise<Viewer>;
  watch: CredentialWatch;
  logger: Logger;
}) {
  function close(holder: SocketHolder, refusal: AppError): void {
    holder.refusal = refusal;
    holder.watched?.stop();
    const { code, reason } = toSocketClose(refusal);
    holder.socket.close(code, reason);
  }

  return {
    /** The handshake accepted `viewer`: from now on a change of its credential closes the socket. */
    admit(holder: SocketHolder, viewer: Viewer): void {
      holder.watched = watch.watch(viewer, (refusal) => close(holder, refusal));
    },

    release(holder: SocketHolder): void {
      holder.watched?.stop();
    },

    /** The viewer to run the next operation with, or that operation's errors (the socket then closes). */
    async current(holder: SocketHolder): Promise<{ viewer: Viewer } | { errors: GraphQLError[] }> {
      if (holder.refusal) return { errors: [toGraphQLError(holder.refusal)] };
      const { watched } = holder;
      // Every accepted socket was admitted; this is only a guard.
      if (!watched) return { errors: [toGraphQLError(unauthenticated())] };
      try {
        const viewer = await current(watched.viewer);
        watched.update(viewer);
        return { viewer };
      } catch (error) {
        const refusal = findAppError(error);
        if (!refusal) {
          // A fault is no verdict on the credential: this operation fails, the socket stays.
          // The database away says so (UNAVAILABLE, retryable) instead of a masked fault.
          logger.error({ event: 'ws_privileges_check_failed', err: error instanceof Error ? error.message : String(error) }, 'could not check a socket\'s caller');
          const outage = recognizeError(error);
          return { errors: [outage ? toGraphQLError(outage) : faultGraphQLError()] };
        }
        holder.refusal = refusal;
        watched.stop();
        // The operation's error goes out first (graphql-ws sends it in this
        // turn); the close follows, so the client learns why.
        setImmediate(() => close(holder, refusal));
        return { errors: [toGraphQLError(refusal)] };
      }
    },
  };
}

export type SocketPrivileges = ReturnType<typeof createSocketPrivileges>;
