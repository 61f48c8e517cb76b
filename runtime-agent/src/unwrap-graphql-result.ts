// One reading of a GraphQL response body, whichever transport carried it.
import { ApiError } from './errors.ts';

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
}

/** The data, or an ApiError with the server's code (UNAUTHENTICATED and FORBIDDEN are fatal). */
export function unwrapGraphQLResult<T>(body: GraphQLBody<T>, httpStatus?: number): T {
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code ?? (httpStatus === 401 ? 'UNAUTHENTICATED' : undefined);
    if (code === 'UNAUTHENTICATED') throw new ApiError('UNAUTHENTICATED', error.message, code, true);
    if (code === 'FORBIDDEN') throw new ApiError('FORBIDDEN', error.message, code, true);
    throw new ApiError('API_ERROR', error.message, code);
  }
  if (!body.data) throw new ApiError('API_ERROR', httpStatus === undefined ? 'a result without data' : `HTTP ${httpStatus} without data`);
  return body.data;
}
