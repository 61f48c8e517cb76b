import type { IncomingMessage, Server } from 'node:http';
import type { ConnectionInitMessage } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Authenticator, Viewer } from '../auth/index.ts';
import { errorTable, findAppError, toSocketClose } from '../errors/index.ts';
import type { GraphQLContext } from '../graphql-context.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { graphqlPath } from './create-yoga.ts';

type Extra = { socket: WebSocket; request: IncomingMessage; viewer?: Viewer | null };

/**
 * graphql-ws on the same HTTP server and path as yoga, executing through
 * yoga's envelope so both transports share schema, plugins and error masking.
 * Credentials come from connectionParams ({ authorization }) or, for the
 * console, from the session cookie on the upgrade request, accepted only from
 * the server's own origin (cross-site WebSocket hijacking).
 */
export function attachGraphQLWs({ server, yoga, authenticator, metrics, logger, recheckIntervalMs = 15_000 }: {
  server: Server;
  yoga: YogaServerInstance<Record<string, never>, GraphQLContext>;
  authenticator: Authenticator;
  metrics: Metrics;
  logger: Logger;
  /** How often open sockets are checked against revoked tokens, disabled users and ended sessions. */
  recheckIntervalMs?: number;
}) {
  const wsServer = new WebSocketServer({ server, path: graphqlPath });
  const open = new Map<WebSocket, Viewer>();
  // A socket authenticates once; a credential revoked afterwards must not keep
  // a worker or a browser subscribed, so sockets are re-checked in batches.
  const recheck = setInterval(() => {
    if (open.size === 0) return;
    const sockets = [...open];
    void authenticator.revoked(sockets.map(([, viewer]) => viewer)).then((revoked) => {
      for (const [socket, viewer] of sockets) {
        if (revoked.has(viewer)) {
          logger.info({ event: 'ws_credential_revoked', kind: viewer.kind }, 'closing a socket whose credential was revoked');
          socket.close(errorTable.UNAUTHENTICATED.closeCode, 'Credential revoked');
        }
      }
    }).catch((error: unknown) => logger.warn({ event: 'ws_recheck_failed', err: error instanceof Error ? error.message : String(error) }, 'could not re-check sockets'));
  }, recheckIntervalMs);
  recheck.unref();
  const disposable = useServer<ConnectionInitMessage['payload'], Extra>(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): unknown }).subscribe(args) as never,
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const authorization = typeof params.authorization === 'string' ? params.authorization : undefined;
        const origin = ctx.extra.request.headers.origin;
        const host = ctx.extra.request.headers.host;
        const sameOrigin = !origin || (host !== undefined && new URL(origin).host === host);
        try {
          const viewer = await authenticator.authenticate({
            authorization,
            cookie: authorization || !sameOrigin ? undefined : ctx.extra.request.headers.cookie,
            csrfExempt: true,
          });
          if (!viewer) {
            ctx.extra.socket.close(errorTable.UNAUTHENTICATED.closeCode, 'Unauthorized');
            return false;
          }
          ctx.extra.viewer = viewer;
          open.set(ctx.extra.socket, viewer);
          metrics.activeSubscriptions.inc({ transport: 'ws' });
          return true;
        } catch (error) {
          if (!findAppError(error)) logger.error({ event: 'ws_connect_failed', err: String(error) }, 'WebSocket authentication failed');
          // A fault (say the database briefly unreachable) is not a verdict on
          // the credential: the table closes it as retryable, where refused
          // credentials are final.
          const close = toSocketClose(error);
          ctx.extra.socket.close(close.code, close.reason);
          return false;
        }
      },
      onClose: (ctx) => {
        open.delete(ctx.extra.socket);
        if (ctx.extra.viewer) metrics.activeSubscriptions.dec({ transport: 'ws' });
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          socketViewer: ctx.extra.viewer ?? null,
        } as never);
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wsServer,
  );
  return {
    async close(): Promise<void> {
      clearInterval(recheck);
      for (const client of wsServer.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
