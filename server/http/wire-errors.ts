import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';

/**
 * An error as a streaming wire (graphql-ws, graphql-sse) sends it: message,
 * locations, path and the contract's extensions (code and details). The
 * table's `http` extension only tells yoga how to answer a GraphQL-over-HTTP
 * request; yoga strips it there, and nothing else may send it.
 */
export function wireError(error: GraphQLError | GraphQLFormattedError): GraphQLFormattedError {
  const formatted = error instanceof GraphQLError ? error.toJSON() : error;
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/** A result with its errors in wire form (the same object when it has none). */
export function wireResult<R extends ExecutionResult>(result: R): R {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map(wireError) } as unknown as R;
}
