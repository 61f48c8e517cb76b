import { GraphQLError } from 'graphql';
import { AppError, type ErrorCode } from './app-error.ts';

const httpStatus: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  VALIDATION_FAILED: 200,
  VERSION_CONFLICT: 200,
  FROZEN: 200,
  APPROVAL_REQUIRED: 200,
  NOT_FOUND: 200,
  DEPRECATED: 200,
  CONFLICT: 200,
  BAD_REQUEST: 200,
};

/** Finds an AppError behind whatever wrapped it (GraphQL, Pothos, a cause chain). */
export function findAppError(error: unknown): AppError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (current instanceof AppError) return current;
    current = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The single place where domain errors meet the wire: the code goes into
 * `extensions.code`, details beside it, and UNAUTHENTICATED/FORBIDDEN get
 * their HTTP status (yoga sets the response status from `extensions.http`).
 */
export function toGraphQLError(error: AppError, path?: readonly (string | number)[]): GraphQLError {
  const status = httpStatus[error.code];
  return new GraphQLError(error.message, {
    path,
    extensions: {
      code: error.code,
      ...error.details,
      ...(status !== 200 ? { http: { status, ...(status === 401 ? { headers: { 'WWW-Authenticate': 'Basic realm="ucp", charset="UTF-8"' } } : {}) } } : {}),
    },
  });
}
