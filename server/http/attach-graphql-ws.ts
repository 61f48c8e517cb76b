import type { IncomingMessage, Server } from 'node:http';
import { CloseCode, type ConnectionInitMessage } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Viewer } from '../auth/viewer.ts';
import { findAppError } from '../errors/to-graphql-error.ts';
import type { GraphQLContext } from '../graphql-context.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Services } from '../services.ts';
import { graphqlPath } from './create-yoga.ts';

/** Close codes beyond graphql-ws's own: 4401 tells a client its credentials were refused. */
export const SocketCloseCode = { Unauthorized: 4401 } as const;

type Extra = { socket: WebSocket; request: IncomingMessage; viewer?: Viewer | null };

/**
 * graphql-ws on the same HTTP server and path as yoga, executing through
 * yoga's envelope so both transports share schema, plugins and error masking.
 * Credentials come from connectionParams ({ authorization }) or, for the
 * console, from the session cookie on the upgrade request, accepted only from
 * the server's own origin (cross-site WebSocket hijacking).
 */
export function attachGraphQLWs({ server, yoga, services, logger }: {
  server: Server;
  yoga: YogaServerInstance<Record<string, never>, GraphQLContext>;
  services: Services;
  logger: Logger;
}) {
  const wsServer = new WebSocketServer({ server, path: graphqlPath });
  const { metrics } = services;
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
          const viewer = await services.authenticator.authenticate({
            authorization,
            cookie: authorization || !sameOrigin ? undefined : ctx.extra.request.headers.cookie,
            csrfExempt: true,
          });
          if (!viewer) {
            ctx.extra.socket.close(SocketCloseCode.Unauthorized, 'Unauthorized');
            return false;
          }
          ctx.extra.viewer = viewer;
          metrics.activeSubscriptions.inc({ transport: 'ws' });
          return true;
        } catch (error) {
          const appError = findAppError(error);
          if (!appError) logger.error({ event: 'ws_connect_failed', err: String(error) }, 'WebSocket authentication failed');
          ctx.extra.socket.close(appError?.code === 'UNAUTHENTICATED' ? SocketCloseCode.Unauthorized : CloseCode.Forbidden, appError?.message.slice(0, 100) ?? 'Forbidden');
          return false;
        }
      },
      onClose: (ctx) => {
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
      for (const client of wsServer.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
