/**
 * The caller's mistakes that GraphQL itself (parsing, validation, variable
 * coercion) or Pothos (connection and id arguments) finds before any of our
 * code runs. They reach every wire as BAD_REQUEST with GraphQL's own sentence,
 * never as a masked fault.
 */
import { PothosError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ERROR_CODES, FAULT_CODE } from '../../contract/error-codes.ts';
import { errorTable } from '../errors/index.ts';

/**
 * The status of a request refused before execution: 400 for
 * application/graphql-response+json; `spec` lets yoga keep GraphQL's 200 for
 * application/json, as GraphQL over HTTP asks (yoga tags its validation errors alike).
 */
export const requestErrorHttp = { spec: true, status: errorTable.BAD_REQUEST.httpStatus } as const;

/** Codes that are already the contract's: GraphQL carries them as they are. */
const contractCodes = new Set<string>([...ERROR_CODES, errorTable[FAULT_CODE].graphqlCode ?? FAULT_CODE]);

/** Extensions a library adds that are not the contract (yoga's `originalError` of a JSON parse, its `unexpected` flag). */
const foreignExtensions = new Set(['originalError', 'unexpected']);

/**
 * Pothos refuses these argument values with PothosValidationError; every
 * other Pothos error is a bug of ours and stays a fault.
 */
const pothosArgumentRefusals = [
  /cursor/i,
  /^Arguments? "(first|last|before|after)"/,
  /^Invalid global ID/,
  /^ID: .* is not of type/,
  /^Invalid base64 string/,
  /^Invalid id received/,
];

/** A BAD_REQUEST refusing the whole request before execution (no data). */
export function requestError(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', ...(field ? { field } : {}), http: requestErrorHttp } });
}

function chainIsGraphQL(error: GraphQLError): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    if (!(current instanceof GraphQLError)) return false;
    current = current.originalError;
  }
  return true;
}

function innermost(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

function rebuilt(error: GraphQLError, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}

/**
 * The contract's form of a GraphQL-level refusal, or undefined when `error`
 * is not one (then it is a domain error or a fault, the mask's business).
 * - Already a contract code: kept, without foreign extensions.
 * - No path (parse, validation, variable coercion, unknown operation) and
 *   nothing but GraphQL errors inside: BAD_REQUEST with its `http` (or 400).
 * - Pothos's refusal of a cursor, `first`/`last` or a global id: BAD_REQUEST at its path.
 */
export function asRequestError(error: unknown): GraphQLError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const { code, http, ...rest } = (error.extensions ?? {}) as Record<string, unknown>;
  if (typeof code === 'string' && contractCodes.has(code) && !error.originalError) {
    if (!Object.keys(rest).some((key) => foreignExtensions.has(key))) return error;
    const details = Object.fromEntries(Object.entries(rest).filter(([key]) => !foreignExtensions.has(key)));
    return rebuilt(error, { code, ...details, ...(http ? { http } : {}) });
  }
  const inner = innermost(error);
  if (inner instanceof PothosError) {
    if (!pothosArgumentRefusals.some((pattern) => pattern.test(inner.message))) return undefined;
    return rebuilt(error, { code: 'BAD_REQUEST' });
  }
  if (error.path || !chainIsGraphQL(error)) return undefined;
  return rebuilt(error, { code: 'BAD_REQUEST', http: http ?? requestErrorHttp });
}

/**
 * Validation errors leave yoga as a result, not through the mask: they get
 * their BAD_REQUEST here, in place (yoga's own hook tags them alike with
 * GRAPHQL_VALIDATION_FAILED and a 400). A contract code a validation rule
 * chose itself (LIMIT_EXCEEDED) stays.
 */
export function useRequestErrorCodes(): Plugin {
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result as GraphQLError[]) {
          const extensions = error.extensions as Record<string, unknown>;
          if (typeof extensions.code === 'string' && contractCodes.has(extensions.code)) continue;
          extensions.code = 'BAD_REQUEST';
          extensions.http ??= requestErrorHttp;
        }
      };
    },
  };
}
