// One error base with a machine-readable code; one small subclass per cause.
import { isRetryableErrorCode, type ErrorCode } from '../../contract/error-codes.ts';

/** The server's codes (contract/error-codes.ts) the agent surfaces as its own: both are fatal. */
type ServerRefusal = Extract<ErrorCode, 'UNAUTHENTICATED' | 'FORBIDDEN'>;

export type AgentErrorCode =
  | 'UNDECLARED_PARAMETER'
  | 'INVALID_PARAMETER'
  | 'NOT_READY'
  | ServerRefusal
  | 'API_ERROR'
  | 'UNREACHABLE'
  | 'CLOSED'
  | 'BOUNDARY_MISUSE'
  | 'METRICS_CONFLICT';

export class AgentError extends Error {
  constructor(readonly code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Reading a parameter the worker did not declare in `consumes`: a bug in the worker, never a default. */
export class UndeclaredParameterError extends AgentError {
  constructor(readonly parameter: string) {
    super('UNDECLARED_PARAMETER', `${parameter} is not in this worker's consumes list; declare it before reading it.`);
  }
}

/** A declared parameter whose value cannot be read as asked (missing, wrong type). */
export class InvalidParameterError extends AgentError {
  constructor(readonly parameter: string, message: string) {
    super('INVALID_PARAMETER', message);
  }
}

export type ProblemReason = 'MISSING' | 'DEPRECATED' | 'INVALID';
export interface ParameterProblem {
  name: string;
  reason: ProblemReason;
  message: string;
}

/** ready() refused: the listed consumed parameters are missing, deprecated or invalid (ADR-25). */
export class ConfigNotReadyError extends AgentError {
  constructor(readonly problems: ParameterProblem[]) {
    super('NOT_READY', `Configuration not usable: ${problems.map((p) => `${p.name} (${p.reason.toLowerCase()}: ${p.message})`).join('; ')}`);
  }
  /** The offending parameter names. */
  get names(): string[] {
    return this.problems.map((p) => p.name);
  }
}

/**
 * The API refused or failed a request; `apiCode` is the server's
 * extensions.code when it gave one: one of contract's ErrorCodes, or a code of
 * the GraphQL layer itself (e.g. GRAPHQL_VALIDATION_FAILED).
 */
export class ApiError extends AgentError {
  constructor(code: AgentErrorCode, message: string, readonly apiCode?: ErrorCode | (string & {}), readonly fatal = false) {
    super(code, message);
  }

  /** The server said "not now" (UNAVAILABLE: its database is away): the same request may succeed after a backoff. */
  get retryable(): boolean {
    return isRetryableErrorCode(this.apiCode);
  }
}

/** The request may not have reached the server (socket closed, no answer in time): safe to retry, unlike an ApiError. */
export class TransportError extends AgentError {
  constructor(message: string) {
    super('UNREACHABLE', message);
  }
}
