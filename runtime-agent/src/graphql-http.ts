// GraphQL over HTTP with the service token: queries for the initial load,
// resyncs and the poll fallback; registration, and reports while the socket is down.
import { ApiError } from './errors.ts';
import { unwrapGraphQLResult, type GraphQLBody } from './unwrap-graphql-result.ts';

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

export interface GraphQLHttp {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/** One POST per operation; GraphQL errors become ApiError (UNAUTHENTICATED and FORBIDDEN are fatal). */
export function createGraphQLHttp({ url, token, fetchImpl, timeoutMs = 10_000 }: { url: string; token: string; fetchImpl: FetchLike; timeoutMs?: number }): GraphQLHttp {
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      let body: GraphQLBody<T>;
      try {
        body = (await response.json()) as GraphQLBody<T>;
      } catch {
        // A 503 without a body (a proxy in front, the server starting) is the same "not now" as UNAVAILABLE.
        throw new ApiError('API_ERROR', `HTTP ${response.status} without a GraphQL body`, response.status === 503 ? 'UNAVAILABLE' : undefined);
      }
      return unwrapGraphQLResult(body, response.status);
    },
  };
}
