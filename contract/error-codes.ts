/**
 * The machine-readable error codes every transport carries (GraphQL
 * `extensions.code`, HTTP JSON `error.code`, WebSocket close reasons). Clients
 * switch on these; the server maps each to the wire in one table
 * (server/errors/error-table.ts).
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'VALIDATION_FAILED',
  'VERSION_CONFLICT',
  'FROZEN',
  'APPROVAL_REQUIRED',
  'NOT_FOUND',
  'DEPRECATED',
  'CONFLICT',
  'BAD_REQUEST',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
