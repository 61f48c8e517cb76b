import type { IncomingMessage, Server } from 'node:http';
import type { ConnectionInitMessage } from 'graphql-ws';
import { getOperationAST, GraphQLError, isNonNullType, Kind, locatedError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type FieldNode, type GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Authenticator, CredentialWatch, Viewer } from '../auth/index.ts';
import { errorTable, faultMessage, findAppError, toSocketClose } from '../errors/index.ts';
import type { GraphQLContext } from '../graphql-context.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { graphqlPath } from './create-yoga.ts';
import { POSTED_REPORTS_ACK } from '../../contract/apply-report-document.ts';
import type { DirectOperation } from './direct-operation.ts';
import { operationLimits } from './operation-limits.ts';
import { createSocketPrivileges, type SocketHolder } from './socket-privileges.ts';
import { createMaskError } from './mask-error.ts';
import { createPostedOperations, type PostedHolder } from './posted-operations.ts';
import { createPreserializedNext } from './preserialized-next.ts';
import { relayWithDirectFrames } from './relay-with-direct-frames.ts';
import { serveGraphQLWs } from './serve-graphql-ws.ts';
import { ownSubscriptionStream } from './use-own-subscription-streams.ts';
import { wireError, wireResult } from './wire-errors.ts';

type Extra = SocketHolder & PostedHolder & { socket: WebSocket; request: IncomingMessage; viewer?: Viewer | null; holdAnswer(): void };

/**
 * graphql-ws on the same HTTP server and path as yoga, executing through
 * yoga's envelope so both transports share schema, plugins and error masking.
 * Credentials come from connectionParams ({ authorization }) or, for the
 * console, from the session cookie on the upgrade request, accepted only from
 * the server's own origin (cross-site WebSocket hijacking).
 */
export function attachGraphQLWs({ server, yoga, authenticator, credentialWatch, clientAddress, metrics, logger, directOperations = [] }: {
  server: Server;
  yoga: YogaServerInstance<Record<string, never>, GraphQLContext>;
  authenticator: Authenticator;
  /** Closes a socket as soon as its credential changes (socket-privileges.ts). */
  credentialWatch: CredentialWatch;
  /** Where a handshake comes from: Basic sign-ins are throttled per address. */
  clientAddress: (request: IncomingMessage) => string | null;
  metrics: Metrics;
  logger: Logger;
  /** Documents answered without GraphQL's per-operation execution (direct-operation.ts). */
  directOperations?: readonly DirectOperation[];
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
  // Each direct document parsed and validated once, as the normal path would
  // (yoga's parser and rules); one that does not pass always runs as usual.
  const directByQuery = new Map(directOperations.map((operation) => [operation.query, operation]));
  const prepared = new Map<DirectOperation, { schema: GraphQLSchema; document: DocumentNode; operationName?: string; fieldNode: FieldNode; nullable: boolean }>();
  const prepare = (operation: DirectOperation, envelop: () => ReturnType<typeof yoga.getEnveloped>) => {
    let ready = prepared.get(operation);
    if (ready) return ready;
    try {
      const { schema, parse, validate } = envelop();
      const document = parse(operation.query);
      if (validate(schema, document).length) return undefined;
      const ast = getOperationAST(document);
      const [fieldNode, ...more] = ast?.selectionSet.selections ?? [];
      const root = ast && schema.getRootType(ast.operation);
      const field = root?.getFields()[operation.field];
      if (!ast || more.length || fieldNode?.kind !== Kind.FIELD || fieldNode.alias || fieldNode.name.value !== operation.field || !field) return undefined;
      ready = { schema, document, operationName: ast.name?.value, fieldNode, nullable: !isNonNullType(field.type) };
      prepared.set(operation, ready);
      return ready;
    } catch {
      return undefined;
    }
  };
  /**
   * The execution arguments of a direct operation, or undefined to run it as
   * usual. Its `execute` resolves to what the executor would have: the
   * field's value, or its error located at the field and masked.
   */
  const directArgs = (ctx: { extra: Extra }, viewer: Viewer, params: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) => {
    const operation = directByQuery.get(params.query);
    if (!operation) return undefined;
    const ready = prepare(operation, () => yoga.getEnveloped({ ...ctx, socketViewer: viewer } as never));
    if (!ready || (params.operationName != null && params.operationName !== ready.operationName)) return undefined;
    const running = operation.run(viewer, params.variables);
    if (!running) return undefined;
    const { field } = operation;
    // The answer's `next` and `complete` leave in one write (serve-graphql-ws.ts).
    const result: Promise<ExecutionResult> = running.then(
      (value) => {
        ctx.extra.holdAnswer();
        return { data: { [field]: operation.answer ? operation.answer(value) : value } };
      },
      (error: unknown) => {
        ctx.extra.holdAnswer();
        return { errors: [mask(locatedError(error, [ready.fieldNode], [field]))], data: ready.nullable ? { [field]: null } : null };
      },
    );
    return {
      schema: ready.schema,
      operationName: params.operationName,
      document: ready.document,
      variableValues: params.variables,
      contextValue: {},
      rootValue: { execute: () => result },
    };
  };
  /** The enveloped execution of an operation as `viewer`, as a `subscribe` of it would run (a posted operation's refusal). */
  const runThroughGraphQL = async (extra: Extra, viewer: Viewer, query: string, variables: Record<string, unknown>): Promise<ExecutionResult> => {
    const { schema, execute, contextFactory, parse, validate } = yoga.getEnveloped({ extra, socketViewer: viewer } as never);
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      if (errors.length) return { errors: errors.map(mask) };
      return await execute({ schema, document, variableValues: variables, contextValue: await contextFactory() }) as ExecutionResult;
    } catch (error) {
      return { errors: [mask(error)] };
    }
  };
  // Reports posted as pongs (posted-operations.ts): answered only when refused.
  const posted = createPostedOperations({
    operations: directOperations,
    current: (holder) => privileges.current(holder),
    mask,
    runThroughGraphQL: (holder, viewer, query, variables) => runThroughGraphQL(holder as Extra, viewer, query, variables),
    sendPong: (holder, payload) => {
      if (holder.socket.readyState === holder.socket.OPEN) holder.socket.send(JSON.stringify({ type: 'pong', payload }));
    },
  });
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
          // The ack says that reports may be posted (contract/apply-report-document.ts).
          return posted.accepts ? { [POSTED_REPORTS_ACK]: true } : true;
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
      // A posted report (a pong with a payload) runs without an answer; a
      // socket's later operations and pings wait for its posted reports, so
      // they keep their order and a ping's pong confirms them.
      onPong: (ctx, payload) => {
        if (ctx.acknowledged) posted.pong(ctx.extra, payload);
      },
      onPing: (ctx) => posted.settled(ctx.extra),
      onSubscribe: async (ctx, _id, params) => {
        const earlier = posted.settled(ctx.extra);
        if (earlier) await earlier;
        // Each operation runs with the caller as they are now, not as they were at the handshake.
        const caller = await privileges.current(ctx.extra);
        if ('errors' in caller) return caller.errors;
        const direct = directArgs(ctx, caller.viewer, params);
        if (direct) return direct;
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
      // (use-own-subscription-streams.ts), and its results are written as
      // they come, each shared result serialised once (relay-with-direct-
      // frames.ts); a refused one stays a single result.
      onOperation: (ctx, id, _payload, args, result) => {
        const stream = Symbol.asyncIterator in Object(result) ? ownSubscriptionStream(args.contextValue) : undefined;
        if (!stream) return undefined;
        const { socket } = ctx.extra;
        return relayWithDirectFrames(stream, {
          id,
          write: (frame) => {
            if (socket.readyState === socket.OPEN) socket.send(frame);
          },
          serialize: (value) => next.json(wireResult(value)),
        });
      },
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
