import { parseCookie } from 'cookie';
import { graphiqlDefaultQuery, renderBundledGraphiQL } from './graphiql-page.ts';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import { csrfCookieName, csrfHeaderName, type CredentialWatch } from '../auth/index.ts';
import { faultMessage } from '../errors/index.ts';
import type { GraphQLContext } from '../graphql-context.ts';
import { createLoaders } from '../graphql-loaders.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Reads } from '../reads.ts';
import type { Services } from '../services.ts';
import { createMaskError } from './mask-error.ts';
import { useRequestErrorCodes } from './request-error.ts';
import type { HttpSecurity } from './http-security.ts';
import { useCredentialBoundSubscriptions } from './use-credential-bound-subscriptions.ts';
import { useGraphiQLContentSecurityPolicy } from './use-graphiql-csp.ts';
import { useGraphQLSseStream } from './use-graphql-sse-stream.ts';
import { createStreamReservations } from './sse-stream-reservations.ts';
import { useInputLimits } from './use-input-limits.ts';
import { useJsonRefusals } from './use-json-refusals.ts';
import { useSharedSubscriptionResults } from './use-shared-subscription-results.ts';
import { useOwnSubscriptionStreams } from './use-own-subscription-streams.ts';
import { createRequestViewers } from './request-viewer.ts';
import { useOperationLimits } from './use-operation-limits.ts';

export const graphqlPath = '/graphql';

/** What yoga's masking says for a fault (its default, stated so the own-stream path says the same). */
const maskedFaultMessage = 'Unexpected error.';

/**
 * The same graph as an Apollo Federation v2 subgraph, for a gateway: its own
 * path, so /graphql (the console's, the agent's, GraphiQL's) keeps its schema.
 * Queries, mutations and yoga's SSE subscriptions; no GraphiQL, no WebSocket.
 */
export const subgraphPath = '/subgraph';

/**
 * GraphQL over HTTP (queries, mutations, SSE subscriptions in both yoga's and
 * the graphql-sse protocol's modes). WebSockets are served beside it by
 * graphql-ws on the same path (http/attach-graphql-ws.ts).
 */
export function createAppYoga({ schema, endpoint = graphqlPath, services, reads, logger, credentialWatch, security }: {
  schema: GraphQLSchema;
  /** graphqlPath, or subgraphPath for the federation subgraph (its own schema, same plugins: limits, errors, credentials). */
  endpoint?: typeof graphqlPath | typeof subgraphPath;
  services: Services;
  reads: Reads;
  logger: Logger;
  /** Ends a subscription whose caller lost the credential or role it started with. */
  credentialWatch: CredentialWatch;
  /** CORS and the caller's address (server/http/http-security.ts). */
  security: HttpSecurity;
}): YogaServerInstance<Record<string, never>, GraphQLContext> {
  const maskError = createMaskError(logger);
  const requestViewers = createRequestViewers({
    authenticator: services.authenticator,
    clientAddress: (serverContext) => {
      const { req } = serverContext as { req?: IncomingMessage };
      return req ? security.clientAddress(req) : null;
    },
  });
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: endpoint,
    landingPage: false,
    // Only configured origins get CORS headers; no Origin is reflected with credentials.
    cors: (request) => security.cors(request),
    renderGraphiQL: renderBundledGraphiQL,
    logging: false,
    // The router only lets signed-in people reach GraphiQL; a console session
    // needs its CSRF token on every POST GraphiQL sends.
    graphiql: endpoint !== graphqlPath ? false : (request) => {
      const cookie = request.headers.get('cookie');
      const csrf = cookie ? parseCookie(cookie)[csrfCookieName] : undefined;
      return {
        title: 'Unified Configuration Platform',
        subscriptionsProtocol: 'WS',
        defaultQuery: graphiqlDefaultQuery,
        credentials: 'same-origin',
        ...(csrf ? { additionalHeaders: { [csrfHeaderName]: csrf } } : {}),
      };
    },
    maskedErrors: { maskError, errorMessage: maskedFaultMessage },
    plugins: [
      // Size, depth, cost and page limits, and the schema for signed-in callers
      // only (server/http/operation-limits.ts): first, so nothing runs before them.
      ...useOperationLimits({ requestViewers }),
      // One error contract (server/http/mask-error.ts): inputs that would fail
      // deep inside refused up front, /graphql/stream answering like /graphql,
      // every refusal a JSON body with a code.
      useInputLimits(),
      useRequestErrorCodes(),
      // PUT /graphql/stream reserves a stream only with credentials, for 30 s
      // unless opened, for its reserver only (sse-stream-reservations.ts).
      useGraphQLSseStream({
        maskError, faultMessage,
        reservations: createStreamReservations({ identify: (request, serverContext) => requestViewers.viewerOf({ ...(serverContext as object), request }) }),
      }),
      useJsonRefusals(),
      // Every transport's subscriptions end when their caller's credential or role does.
      useCredentialBoundSubscriptions<GraphQLContext>({ watch: credentialWatch }),
      // GraphiQL's page: a CSP with its inline scripts by hash.
      useGraphiQLContentSecurityPolicy(),
      // A configChanged payload is the event's own fields: the same for every
      // subscriber allowed to read the environment (users by role, tokens by environment).
      useSharedSubscriptionResults<GraphQLContext>({
        fields: new Set(['configChanged']),
        permissionKey: ({ viewer }) => (viewer === null ? 'anonymous' : viewer.kind === 'user' ? `user:${viewer.role}` : viewer.kind === 'service' ? `service:${viewer.environmentId}` : viewer.kind),
      }),
      // Last of ours: the stream as our plugins shaped it, masked as yoga masks
      // it, for graphql-ws to read without envelop's per-event wrappers.
      useOwnSubscriptionStreams({ maskError, errorMessage: maskedFaultMessage }),
    ],
    context: async (initial): Promise<GraphQLContext> => {
      // graphql-ws authenticates once per socket (attach-graphql-ws.ts) and
      // hands the viewer in; there is no HTTP request to read over a socket.
      const fromSocket = (initial as { socketViewer?: GraphQLContext['viewer'] }).socketViewer;
      if (fromSocket !== undefined) return { viewer: fromSocket, reads, services, loaders: createLoaders(reads, fromSocket) };
      // Authenticated once on arrival (request-viewer.ts); a refused credential throws here.
      const viewer = await requestViewers.viewerOf(initial);
      return { viewer, reads, services, loaders: createLoaders(reads, viewer) };
    },
  });
}
