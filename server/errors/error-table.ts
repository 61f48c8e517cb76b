/**
 * The one table from an error code to the wire. Every transport reads its
 * answer here: GraphQL (extensions, and the HTTP status yoga sets from them),
 * plain HTTP JSON routes (status), and the WebSocket (close code). Typed over
 * every wire code, so a code added to contract/error-codes.ts without a row
 * does not compile.
 */
import { FAULT_CODE, type WireErrorCode } from '../../contract/error-codes.ts';
import { SocketCloseCode } from '../../contract/protocol.ts';

/** How one code looks on each wire. */
export interface ErrorWire {
  /** The status of a plain HTTP JSON answer (`{ error: { code, message, ...details } }`). */
  readonly httpStatus: number;
  /**
   * What a GraphQL error puts in `extensions.http`: yoga sets a GraphQL-over-HTTP
   * response's status and headers from it (and strips it from the body).
   * Absent: the code leaves the status to GraphQL (200 with `errors`), because
   * a response may hold data beside a user's mistake.
   */
  readonly graphqlHttp?: { readonly status: number; readonly headers?: Readonly<Record<string, string>> };
  /**
   * The close code when a socket closes for this error. null: a socket never
   * closes for it; it travels as the operation's GraphQL error and the socket
   * stays open for the next one.
   */
  readonly closeCode: number | null;
  /** The code GraphQL carries when it is not the table's key (the masked fault keeps yoga's own). */
  readonly graphqlCode?: string;
}

/** The codes a socket closes for: refused credentials, and a fault or an outage during the handshake. */
export type SocketClosingCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNAVAILABLE' | typeof FAULT_CODE;

export type ErrorTable = {
  readonly [C in WireErrorCode]: C extends SocketClosingCode ? ErrorWire & { readonly closeCode: number } : ErrorWire;
};

/** The Basic challenge: scripts and GraphiQL learn from it that credentials are wanted. */
export const basicChallenge: Readonly<Record<string, string>> = { 'WWW-Authenticate': 'Basic realm="ucp", charset="UTF-8"' };

/** How long a client should wait before retrying an UNAVAILABLE answer (seconds). */
export const retryAfter: Readonly<Record<string, string>> = { 'Retry-After': '1' };

export const errorTable: ErrorTable = {
  // No challenge on plain JSON routes: a browser's fetch of /auth/session would
  // pop up its own Basic dialog over the console's sign-in form.
  UNAUTHENTICATED: { httpStatus: 401, graphqlHttp: { status: 401, headers: basicChallenge }, closeCode: SocketCloseCode.Unauthorized },
  FORBIDDEN: { httpStatus: 403, graphqlHttp: { status: 403 }, closeCode: SocketCloseCode.Forbidden },
  VALIDATION_FAILED: { httpStatus: 422, closeCode: null },
  VERSION_CONFLICT: { httpStatus: 409, closeCode: null },
  // Locked: the environment refuses writes until the window ends.
  FROZEN: { httpStatus: 423, closeCode: null },
  // Sound as sent, refused by the environment's policy in its current state (like CONFLICT).
  APPROVAL_REQUIRED: { httpStatus: 409, closeCode: null },
  NOT_FOUND: { httpStatus: 404, closeCode: null },
  DEPRECATED: { httpStatus: 422, closeCode: null },
  CONFLICT: { httpStatus: 409, closeCode: null },
  BAD_REQUEST: { httpStatus: 400, closeCode: null },
  // The database is away: 503 on every HTTP answer (a GraphQL one too, so
  // proxies, load balancers and clients that only read statuses retry), and
  // 1013 on a socket, like a fault: clients reconnect with backoff.
  UNAVAILABLE: { httpStatus: 503, graphqlHttp: { status: 503, headers: retryAfter }, closeCode: SocketCloseCode.TryAgainLater },
  // Sign-in throttling (server/auth/sign-in-throttle.ts): 429 everywhere; a
  // socket whose Basic handshake is throttled closes as retryable (the block ends).
  RATE_LIMITED: { httpStatus: 429, graphqlHttp: { status: 429 }, closeCode: SocketCloseCode.TryAgainLater },
  // Too large, too deep or too costly (server/http/operation-limits.ts): 413 on
  // plain HTTP and on a GraphQL answer alike (application/json keeps GraphQL's
  // 200 for a document refused by validation, as GraphQL over HTTP asks). The
  // operation is refused, never the socket: the next one is served.
  LIMIT_EXCEEDED: { httpStatus: 413, graphqlHttp: { status: 413 }, closeCode: null },
  // 1013, not 4401/4403: a fault says nothing about the credential, so clients retry.
  // GraphQL keeps yoga's INTERNAL_SERVER_ERROR, which GraphQL clients already know.
  [FAULT_CODE]: { httpStatus: 500, closeCode: SocketCloseCode.TryAgainLater, graphqlCode: 'INTERNAL_SERVER_ERROR' },
};

/** The sentence a masked fault carries on every wire (yoga's own for GraphQL). */
export const faultMessage = 'Unexpected error.';
