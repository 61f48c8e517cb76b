// The errors face: what the domain throws and how it reaches every wire.
// schema/ and the transports import errors only from here.

export {
  AppError,
  badRequest,
  forbidden,
  limitExceeded,
  noRoute,
  notFound,
  revisionConflict,
  unauthenticated,
  unavailable,
  versionConflict,
  type ErrorCode,
  type ErrorDetails,
} from './app-error.ts';
export { databaseFault } from './database-fault.ts';
export { findAppError } from './find-app-error.ts';
export { recognizeError } from './recognize-error.ts';
export { basicChallenge, errorTable, faultMessage, retryAfter, type ErrorTable, type ErrorWire, type SocketClosingCode } from './error-table.ts';
export { faultGraphQLError, graphqlExtensions, toGraphQLError } from './to-graphql-error.ts';
export { toHttpError, type HttpError } from './to-http-error.ts';
export { toSocketClose, type SocketClose } from './to-socket-close.ts';
