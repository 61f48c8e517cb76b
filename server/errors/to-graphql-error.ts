import { GraphQLError } from 'graphql';
import { FAULT_CODE, type ErrorExtensions } from '../../contract/error-codes.ts';
import type { AppError } from './app-error.ts';
import { errorTable, faultMessage } from './error-table.ts';

/** The extensions of a domain error: its code, its details beside it (ErrorExtensions in the contract). */
export function graphqlExtensions(error: AppError): ErrorExtensions {
  return { code: error.code, ...error.details } as ErrorExtensions;
}

/**
 * A domain error as GraphQL sends it: `extensions` are the code and its
 * details, plus the table's `http` (status and headers) where the code sets
 * the status of a GraphQL-over-HTTP response.
 */
export function toGraphQLError(error: AppError, path?: readonly (string | number)[]): GraphQLError {
  const { graphqlHttp } = errorTable[error.code];
  return new GraphQLError(error.message, {
    path,
    extensions: { ...graphqlExtensions(error), ...(graphqlHttp ? { http: { ...graphqlHttp } } : {}) },
  });
}

/** What GraphQL sends for a fault: a sentence and a code, never its cause (logged by the caller). */
export function faultGraphQLError(message = faultMessage): GraphQLError {
  const { graphqlCode = FAULT_CODE } = errorTable[FAULT_CODE];
  return new GraphQLError(message, { extensions: { code: graphqlCode } });
}
