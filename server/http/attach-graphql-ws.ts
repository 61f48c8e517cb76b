import type { IncomingMessage, Server } from 'node:http';
import type { ConnectionInitMessage } from 'graphql-ws';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Authenticator, CredentialWatch, Viewer } from '../auth/index.ts';
import { errorTable, faultMessage, findAppError, toSocketClose } from '../errors/index.ts';
import type { GraphQLContext } from '../graphql-context.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { graphqlPath } from './create-yoga.ts';
import { operationLimits } from './operation-limits.ts';
import { createSocketPrivileges, type SocketHolder } from './socket-privileges.ts';
import { createMaskError } from './mask-error.ts';
import { createPreserializedNext } from './preserialized-next.ts';
import { serveGraphQLWs } from './serve-graphql-ws.ts';
import { ownSubscriptionStream } from './use-own-subscription-streams.ts';
import { wireError, wireResult } from './wire-errors.ts';

type Extra = SocketHolder & { socket: WebSocket; request: IncomingMessage; viewer?: Viewer | null };

/**
 * graphql-ws on the same HTTP server and path as yoga, executing through
 * yoga's envelope so both transports share schema, plugins and error masking.
 * Credentials come from connectionParams ({ authorization }) or, for the
 * console, from the session cookie on the upgrade request, accepted only from
 * the server's own origin (cross-site WebSocket hijacking).
 */
export function attachGraphQLWs({ server, yoga, authenticator, credentialWatch, clientAddress, metrics, logger }: {
  server: Server;
  yoga: YogaServerInstance<Record<string, never>, GraphQLContext>;
  authenticator: Authenticator;
  /** Closes a socket as soon as its credential changes (socket-privileges.ts). */
  credentialWatch: CredentialWatch;
  /** Where a handshake comes from: Basic sign-ins are throttled per address. */
  clientAddress: (request: IncomingMessage) => string | null;
  metrics: Metrics;
  logger: Logger;
}) {
  // A message over the request limit (operation-limits.ts) closes the socket
  // with 1009 before it is buffered whole (ws's default would be 100 MiB).
  const wsServer = new WebSocketServer({ server, path: graphqlPath, maxPayload: operationLimits.requestBytes });
  const maskError = createMaskError(logger);
  const mask = (error: unknown): GraphQLError => {
    const masked = maskError(error, faultMessage);
    return masked instanceof GraphQLError ? masked : new GraphQLError(masked.message);
  };
  const privileges = createSocketPrivileges({ current: authenticator.current, watch: credentialWatch, logger });
  // A version's payload is serialised once for all its subscribers (preserialized-next.ts).
  const next = createPreserializedNext();
  const disposable = serveGraphQLWs<ConnectionInitMessage['payload'], Extra>(
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
            clientAddress: clientAddress(ctx.extra.request),
          });
          if (!viewer) {
            ctx.extra.socket.close(errorTable.UNAUTHENTICATED.closeCode, 'Unauthorized');
            return false;
          }
          ctx.extra.viewer = viewer;
          privileges.admit(ctx.extra, viewer);
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
        privileges.release(ctx.extra);
        if (ctx.extra.viewer) metrics.activeSubscriptions.dec({ transport: 'ws' });
      },
      onSubscribe: async (ctx, _id, params) => {
        // Each operation runs with the caller as they are now, not as they were at the handshake.
        const caller = await privileges.current(ctx.extra);
        if ('errors' in caller) return caller.errors;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          socketViewer: caller.viewer,
        } as never);
        // A refused operation (a syntax error, a document too deep) is that
        // operation's error message, as on /graphql; thrown, graphql-ws would
        // close the whole socket with 4500.
        try {
          const document = parse(params.query);
          const errors = validate(schema, document);
          if (errors.length) return errors.map(mask);
          return {
            schema,
            operationName: params.operationName,
            document,
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
        } catch (error) {
          return [mask(error)];
        }
      },
      // A subscription is read from the stream our plugins made, masked as
      // yoga masks it, not through envelop's per-event wrappers around it
      // (use-own-subscription-streams.ts); a refused one stays a single result.
      onOperation: (_ctx, _id, _payload, args, result) => (Symbol.asyncIterator in Object(result) ? ownSubscriptionStream(args.contextValue) : undefined),
      // Errors leave in the contract's form: a code from the table, no `http`
      // extension (it only steers GraphQL-over-HTTP statuses).
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => wireError(mask(error))),
      onNext: (_ctx, _id, _payload, _args, result) => next.payload(wireResult(result as ExecutionResult)) as ExecutionResult,
    },
    wsServer,
    { frame: next.frame, logger },
  );
  return {
    async close(): Promise<void> {
      for (const client of wsServer.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
