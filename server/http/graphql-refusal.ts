import type { GraphQLError } from 'graphql';
import { FAULT_CODE } from '../../contract/error-codes.ts';
import { errorTable } from '../errors/index.ts';
import { wireError } from './wire-errors.ts';

export interface GraphQLRefusal {
  status: number;
  headers: Record<string, string>;
  /** `{ errors: [...] }` in wire form (no `http` extension). */
  body: string;
}

const faultGraphQLCode = errorTable[FAULT_CODE].graphqlCode ?? FAULT_CODE;

/**
 * The HTTP answer to a GraphQL request refused before it executed (no data),
 * or whose errors set the status (an anonymous caller's field: 401), as yoga
 * answers one on /graphql: the highest status the errors' `http`
 * extensions ask for (401 with its challenge, 403, 503…), 500 for a masked
 * fault, else 400; a JSON body of GraphQL errors.
 */
export function graphqlRefusal(errors: readonly GraphQLError[], data?: unknown): GraphQLRefusal {
  let status: number | undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  for (const error of errors) {
    const http = error.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
    if (http?.headers) Object.assign(headers, http.headers);
    const wanted = error.extensions?.code === faultGraphQLCode ? errorTable[FAULT_CODE].httpStatus : http?.status;
    if (wanted && (!status || wanted > status)) status = wanted;
  }
  const body = JSON.stringify({ errors: errors.map(wireError), ...(data === undefined ? {} : { data }) });
  return { status: status ?? errorTable.BAD_REQUEST.httpStatus, headers, body };
}
