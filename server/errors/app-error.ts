/**
 * The one error type the domain throws. `code` is machine-readable and stable
 * (clients switch on it); `message` is a sentence an operator understands;
 * `details` carries structured context (offending fields, current version).
 * The mapping to the wire (GraphQL extensions, HTTP status) lives in
 * server/errors/to-graphql-error.ts and nowhere else.
 */
import type { ErrorCode } from '../../contract/error-codes.ts';

export type { ErrorCode };

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const unauthenticated = (message = 'Sign in to continue.') => new AppError('UNAUTHENTICATED', message);

export const forbidden = (message: string) => new AppError('FORBIDDEN', message);

export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist.`, { id });

export const badRequest = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('BAD_REQUEST', message, details);
