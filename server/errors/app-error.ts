/**
 * The one error type the domain throws. `code` is machine-readable and stable
 * (clients switch on it); `message` is a sentence an operator understands;
 * `details` carries structured context (offending fields, current version).
 * How each code reaches the wire (GraphQL extensions, HTTP status, socket
 * close code) is server/errors/error-table.ts and nowhere else.
 */
import type { EnvironmentVersionConflict, ErrorCode, ErrorDetails, RevisionConflict } from '../../contract/error-codes.ts';

export type { ErrorCode, ErrorDetails };

export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'AppError';
  readonly details: ErrorDetails<C>;

  constructor(
    readonly code: C,
    message: string,
    ...[details]: ErrorDetails<C> extends Record<string, never> ? [details?: ErrorDetails<C>] : [details: ErrorDetails<C>]
  ) {
    super(message);
    this.details = (details ?? {}) as ErrorDetails<C>;
  }
}

export const unauthenticated = (message = 'Sign in to continue.') => new AppError('UNAUTHENTICATED', message);

export const forbidden = (message: string) => new AppError('FORBIDDEN', message);

export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist.`, { id });

/** No route serves this HTTP path. */
export const noRoute = (path: string) => new AppError('NOT_FOUND', `Nothing at ${path}.`, {});

export const badRequest = (message: string, details: ErrorDetails<'BAD_REQUEST'> = {}) =>
  new AppError('BAD_REQUEST', message, details);

/** The database is unreachable or dropped the connection: the request did nothing and may be sent again. */
export const unavailable = (message = 'The configuration database is unavailable right now. Nothing was done; try again in a moment.') =>
  new AppError('UNAVAILABLE', message);

/** The request went over one of the server's limits; the message says which and how to stay under it. */
export const limitExceeded = (message: string, details: ErrorDetails<'LIMIT_EXCEEDED'>) => new AppError('LIMIT_EXCEEDED', message, details);

/** The environment moved on since the caller read `expectedVersion`. */
export const versionConflict = ({ environment, currentVersion, expectedVersion }: EnvironmentVersionConflict) =>
  new AppError(
    'VERSION_CONFLICT',
    `${environment} moved on to version ${currentVersion} since you read version ${expectedVersion}. Review the new state and save again.`,
    { environment, currentVersion, expectedVersion },
  );

/** A revisioned object was edited since the caller read `expectedRevision`. */
export const revisionConflict = (conflict: RevisionConflict, message: string) => new AppError('VERSION_CONFLICT', message, conflict);
