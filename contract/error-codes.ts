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
  'UNAVAILABLE',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The codes that say "nothing is wrong with your request; send it again in a
 * moment" (the database is briefly unreachable). Clients retry these with
 * backoff; every other code is an answer that the same request would get again.
 */
export const RETRYABLE_ERROR_CODES: readonly ErrorCode[] = ['UNAVAILABLE'];

export function isRetryableErrorCode(code: unknown): boolean {
  return typeof code === 'string' && (RETRYABLE_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * What a fault that is nobody's mistake (a bug, the database away) is called
 * on plain HTTP and in the error table. It is not an ErrorCode: the domain
 * never throws it; anything thrown that is not an AppError becomes it, its
 * cause logged and never sent. (GraphQL carries yoga's own code for it,
 * `INTERNAL_SERVER_ERROR`; see server/errors/error-table.ts.)
 */
export const FAULT_CODE = 'INTERNAL';

/** Every code a client can meet on a wire: the domain's codes and the masked fault. */
export type WireErrorCode = ErrorCode | typeof FAULT_CODE;

import type { Violation } from './validation/violation.ts';

/** The structured context each code carries beside its message (GraphQL `extensions`, HTTP `error`). */
export interface ErrorDetailsByCode {
  UNAUTHENTICATED: Record<string, never>;
  FORBIDDEN: Record<string, never>;
  /** One entry per offending field, parameter or rule. */
  VALIDATION_FAILED: { violations: Violation[] };
  /** A write named a version or revision that is no longer current. */
  VERSION_CONFLICT: EnvironmentVersionConflict | RevisionConflict;
  FROZEN: { environment: string; freezeWindowId: string; endsAt: string; reason: string };
  /** The critical parameters that need a second person. */
  APPROVAL_REQUIRED: { parameters: string[] };
  /** The id of what does not exist; nothing when no route serves the HTTP path asked for. */
  NOT_FOUND: { id: string } | Record<string, never>;
  /** Like VALIDATION_FAILED, with at least one DEPRECATED_* violation. */
  DEPRECATED: { violations: Violation[] };
  /** The thing already exists or is already in the state asked for. */
  CONFLICT: { name?: string; username?: string; status?: string; revision?: number; revokedAt?: string; cancelledAt?: string; endsAt?: string; appliedVersion?: number };
  /** A malformed request: the field concerned, when there is one. */
  BAD_REQUEST: { field?: string };
  /** The server cannot reach its database right now: nothing was done; retry with backoff. */
  UNAVAILABLE: Record<string, never>;
  /** Too many failed sign-ins for the account or from the address: nothing was checked; retry after this long. */
  RATE_LIMITED: { retryAfterSeconds: number };
  /** The request went over one of the server's limits (server/http/operation-limits.ts): smaller, it would be served. */
  LIMIT_EXCEEDED: LimitExceeded;
}

/**
 * Which limit a request went over. Document limits are checked before
 * anything runs; page and row limits before any resolver reads the database.
 */
export type RequestLimit =
  /** HTTP body or WebSocket message bytes. */
  | 'requestBytes'
  /** Characters of the GraphQL document. */
  | 'documentLength'
  | 'tokens'
  | 'depth'
  | 'aliases'
  | 'directives'
  /** The static cost of the document (fields, nesting, literal page sizes). */
  | 'cost'
  /** `first` or `last` of one connection or list. */
  | 'pageSize'
  /** Items of one list argument. */
  | 'listLength'
  /** The rows the whole operation may return, with its variables and the default page sizes. */
  | 'rows';

export interface LimitExceeded {
  limit: RequestLimit;
  /** The most the server accepts. */
  max: number;
  /** What the request asked for, when it was measured (a document refused mid-parse has none). */
  found?: number;
  /** The argument concerned, as `Type.field(argument)`, for page and list limits. */
  field?: string;
}

/** An environment moved on: save against `currentVersion`. */
export interface EnvironmentVersionConflict {
  environment: string;
  currentVersion: number;
  expectedVersion: number;
}

/** A revisioned object (catalog entry, rule, change request) was edited since it was read. */
export interface RevisionConflict {
  subject: 'CatalogEntry' | 'Rule' | 'ChangeRequest';
  /** The catalog entry's name or the rule's / request's id. */
  id: string;
  currentRevision: number;
  expectedRevision: number;
}

export type ErrorDetails<C extends ErrorCode> = ErrorDetailsByCode[C];

/** The fields a code's details add beside `code` on the wire (none for a code without details). */
type DetailFields<D> = D extends Record<string, never> ? unknown : D;
type WireDetails<C extends WireErrorCode> = C extends ErrorCode ? DetailFields<ErrorDetails<C>> : unknown;

/** A GraphQL error's `extensions` for a code: the code, then its details beside it. */
export type ErrorExtensions<C extends ErrorCode = ErrorCode> = { [K in C]: { code: K } & WireDetails<K> }[C];

/** The body of a plain HTTP error answer (the session route, 404s, faults). */
export interface HttpErrorBody<C extends WireErrorCode = WireErrorCode> {
  error: { [K in C]: { code: K; message: string } & WireDetails<K> }[C];
}
