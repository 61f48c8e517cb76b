import { findAppError, faultGraphQLError, recognizeError, toGraphQLError } from '../errors/index.ts';
import type { Logger } from '../logging/create-logger.ts';
import { asRequestError } from './request-error.ts';

const describe = (error: unknown) => (error instanceof Error ? { message: error.message, stack: error.stack } : String(error));

/**
 * The one decision of what a GraphQL error becomes on the wire, as the error
 * table says (server/errors/error-table.ts). Yoga runs it for every GraphQL
 * transport: HTTP, both SSE modes and graphql-ws.
 * - a domain error, or a database failure that is one (the database away:
 *   UNAVAILABLE; a value PostgreSQL refused: BAD_REQUEST): its code and details;
 * - GraphQL's and Pothos's refusals of the request: BAD_REQUEST (request-error.ts);
 * - anything else is a fault: masked, its cause logged and never sent.
 */
export function createMaskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const appError = recognizeError(error);
    if (appError) {
      // Read from a database failure, not thrown by the domain: worth a line in the log.
      if (!findAppError(error)) logger.warn({ event: 'database_refused_request', code: appError.code, err: describe(error) }, 'database failure answered as a code');
      return toGraphQLError(appError, (error as { path?: readonly (string | number)[] }).path);
    }
    const refusal = asRequestError(error);
    if (refusal) return refusal;
    logger.error({ event: 'unexpected_error', err: describe(error) }, 'unexpected error');
    return faultGraphQLError(message);
  };
}
