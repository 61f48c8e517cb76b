/**
 * The graphql-sse protocol on /graphql/stream, answering like /graphql.
 * It replaces @graphql-yoga/plugin-graphql-sse, whose onSubscribe lets a
 * failing context (wrong credentials, a cookie without its CSRF token) or a
 * syntax error escape to @whatwg-node/server, which answers 500 with the
 * stack trace, and turns validation errors into "Unable to detect operation
 * AST". Here every refusal is the HTTP answer /graphql gives (401 +
 * UNAUTHENTICATED and its challenge, 403, 400 + BAD_REQUEST, 503 +
 * UNAVAILABLE), for a query or mutation whose errors set a status too; the
 * graphql-sse client receives it as a NetworkError whose `response` carries
 * that body. A subscription's events carry errors without the table's `http`
 * extension.
 */
import { STATUS_CODES } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createHandler, type RequestContext } from 'graphql-sse/lib/use/fetch';
import type { Response as SseResponse } from 'graphql-sse';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { graphqlRefusal } from './graphql-refusal.ts';
import { requestError } from './request-error.ts';
import { wireResult } from './wire-errors.ts';
import type { StreamReservations } from './sse-stream-reservations.ts';

export const streamPath = '/graphql/stream';

type MaskError = (error: unknown, message: string) => Error;

/** /graphql's answer to a mutation sent with GET: 405 with Allow. */
const mutationViaGet = new GraphQLError('Can only perform a mutation operation from a POST request.', {
  extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { allow: 'POST' } } },
});

/** Whether an error sets the HTTP status of a GraphQL answer (the table's graphqlHttp: 401, 403, 503…). */
const setsStatus = (error: GraphQLError) => typeof (error.extensions?.http as { status?: unknown } | undefined)?.status === 'number';

/** A graphql-sse answer (body and init) from GraphQL errors. */
function refusal(errors: readonly GraphQLError[], data?: unknown): SseResponse {
  const { status, headers, body } = graphqlRefusal(errors, data);
  return [body, { status, statusText: STATUS_CODES[status] ?? '', headers }];
}

export function useGraphQLSseStream({ maskError, faultMessage, endpoint = streamPath, reservations }: {
  maskError: MaskError;
  faultMessage: string;
  endpoint?: string;
  /** The single connection mode's reservations: credentials, expiry, one owner (sse-stream-reservations.ts). */
  reservations?: StreamReservations;
}): Plugin {
  const mask = (error: unknown): GraphQLError => {
    const masked = maskError(error, faultMessage);
    return masked instanceof GraphQLError ? masked : new GraphQLError(masked.message);
  };
  // The server context (node's req/res) of each request, for the envelope.
  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  let handler: ((request: Request) => Promise<Response>) | undefined;

  return {
    onYogaInit({ yoga }) {
      handler = createHandler({
        ...(reservations ? { authenticate: reservations.authenticateFor(() => handler, (request) => serverContexts.get(request)) } : {}),
        // Parse, validate, authenticate (the context), then execute: yoga's
        // order on /graphql, so a request gets the same answer on both paths.
        onSubscribe: async (req, params) => {
          try {
            const enveloped = yoga.getEnveloped({ ...serverContexts.get(req.raw), request: req.raw, params });
            const document = enveloped.parse(params.query);
            const invalid = enveloped.validate(enveloped.schema, document);
            if (invalid.length) return refusal(invalid.map(mask));
            const operation = getOperationAST(document, params.operationName);
            if (!operation) return refusal([requestError(params.operationName ? `No operation named "${params.operationName}" in the document.` : 'Send exactly one operation, or name the one to run.')]);
            if (operation.operation === 'mutation' && req.method === 'GET') return refusal([mutationViaGet]);
            const args: ExecutionArgs = {
              schema: enveloped.schema,
              document,
              contextValue: await enveloped.contextFactory(),
              variableValues: params.variables,
              operationName: params.operationName,
            };
            const result = (await (operation.operation === 'subscription' ? enveloped.subscribe(args) : enveloped.execute(args))) as ExecutionResult | AsyncIterable<ExecutionResult>;
            // No data (refused before execution: variables), or an error that sets
            // the status of /graphql's answer (401, 403, 503): /graphql's answer.
            if (!isAsyncIterable(result) && (!('data' in result) || result.errors?.some(setsStatus))) {
              return refusal((result.errors ?? []).map(mask), result.data);
            }
            return result;
          } catch (error) {
            return refusal([mask(error)]);
          }
        },
        onNext: (_ctx, _req, result) => wireResult(result as ExecutionResult),
      }, yoga.fetchAPI as unknown as RequestContext);
    },
    onRequest({ request, endResponse, serverContext, fetchAPI }) {
      const [path] = request.url.split('?');
      if (!path?.endsWith(endpoint) || !handler) return;
      serverContexts.set(request, serverContext as Record<string, unknown>);
      const answered = handler(request).catch((error: unknown) => {
        // graphql-sse failing on its own: a fault, never its stack.
        const { status, headers, body } = graphqlRefusal([mask(error)]);
        return new fetchAPI.Response(body, { status, headers });
      });
      return answered.then(endResponse);
    },
  };
}
