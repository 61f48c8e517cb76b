// GraphQL over HTTP with the service token: queries for the initial load,
// resyncs and the poll fallback; mutations for registration and reports.
import { ApiError } from './errors.ts';

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

export interface GraphQLHttp {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

interface Body<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
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
      let body: Body<T>;
      try {
        body = (await response.json()) as Body<T>;
      } catch {
        throw new ApiError('API_ERROR', `HTTP ${response.status} without a GraphQL body`);
      }
      const error = body.errors?.[0];
      if (error) {
        const code = error.extensions?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : undefined);
        if (code === 'UNAUTHENTICATED') throw new ApiError('UNAUTHENTICATED', error.message, code, true);
        if (code === 'FORBIDDEN') throw new ApiError('FORBIDDEN', error.message, code, true);
        throw new ApiError('API_ERROR', error.message, code);
      }
      if (!body.data) throw new ApiError('API_ERROR', `HTTP ${response.status} without data`);
      return body.data;
    },
  };
}
