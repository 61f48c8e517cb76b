import { parseCookie } from 'cookie';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { csrfCookieName, csrfHeaderName } from '../auth/index.ts';
import { faultGraphQLError, findAppError, toGraphQLError } from '../errors/index.ts';
import type { GraphQLContext } from '../graphql-context.ts';
import { createLoaders } from '../graphql-loaders.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Reads } from '../reads.ts';
import type { Services } from '../services.ts';
import { useSharedSubscriptionResults } from './use-shared-subscription-results.ts';

export const graphqlPath = '/graphql';

/**
 * Masks real faults and passes domain errors through with their code, both
 * as the error table says (server/errors/error-table.ts). Yoga runs it for
 * every GraphQL transport: HTTP, both SSE modes and graphql-ws.
 */
export function createMaskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const appError = findAppError(error);
    if (appError) return toGraphQLError(appError, (error as { path?: readonly (string | number)[] }).path);
    // GraphQL's own validation errors (unknown field, bad variable) are the caller's mistake.
    const original = (error as { originalError?: unknown }).originalError;
    if (!original && error instanceof Error && (error as { extensions?: Record<string, unknown> }).extensions) return error;
    logger.error({ event: 'unexpected_error', err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'unexpected error');
    return faultGraphQLError(message);
  };
}

/**
 * GraphQL over HTTP (queries, mutations, SSE subscriptions in both yoga's and
 * the graphql-sse protocol's modes). WebSockets are served beside it by
 * graphql-ws on the same path (http/attach-graphql-ws.ts).
 */
export function createAppYoga({ schema, services, reads, logger }: { schema: GraphQLSchema; services: Services; reads: Reads; logger: Logger }): YogaServerInstance<Record<string, never>, GraphQLContext> {
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: graphqlPath,
    landingPage: false,
    logging: false,
    // The router only lets signed-in people reach GraphiQL; a console session
    // needs its CSRF token on every POST GraphiQL sends.
    graphiql: (request) => {
      const cookie = request.headers.get('cookie');
      const csrf = cookie ? parseCookie(cookie)[csrfCookieName] : undefined;
      return {
        title: 'Unified Configuration Platform',
        subscriptionsProtocol: 'WS',
        credentials: 'same-origin',
        ...(csrf ? { additionalHeaders: { [csrfHeaderName]: csrf } } : {}),
      };
    },
    maskedErrors: { maskError: createMaskError(logger) },
    plugins: [
      useGraphQLSSE(),
      // A configChanged payload is the event's own fields: the same for every
      // subscriber allowed to read the environment (users by role, tokens by environment).
      useSharedSubscriptionResults<GraphQLContext>({
        fields: new Set(['configChanged']),
        permissionKey: ({ viewer }) => (viewer === null ? 'anonymous' : viewer.kind === 'user' ? `user:${viewer.role}` : `service:${viewer.environmentId}`),
      }),
    ],
    context: async (initial): Promise<GraphQLContext> => {
      // graphql-ws authenticates once per socket (attach-graphql-ws.ts) and
      // hands the viewer in; there is no HTTP request to read over a socket.
      const fromSocket = (initial as { socketViewer?: GraphQLContext['viewer'] }).socketViewer;
      if (fromSocket !== undefined) return { viewer: fromSocket, reads, services, loaders: createLoaders(reads) };
      const { request } = initial as { request: Request };
      const method = request.method.toUpperCase();
      const viewer = await services.authenticator.authenticate({
        authorization: request.headers.get('authorization'),
        cookie: request.headers.get('cookie'),
        csrfToken: request.headers.get(csrfHeaderName),
        // Yoga refuses mutations over GET, so reads by GET cannot change anything.
        csrfExempt: method === 'GET' || method === 'HEAD',
      });
      return { viewer, reads, services, loaders: createLoaders(reads) };
    },
  });
}
