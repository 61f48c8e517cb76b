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

/** The codes a socket closes for: refused credentials, and a fault during the handshake. */
export type SocketClosingCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | typeof FAULT_CODE;

export type ErrorTable = {
  readonly [C in WireErrorCode]: C extends SocketClosingCode ? ErrorWire & { readonly closeCode: number } : ErrorWire;
};

/** The Basic challenge: scripts and GraphiQL learn from it that credentials are wanted. */
export const basicChallenge: Readonly<Record<string, string>> = { 'WWW-Authenticate': 'Basic realm="ucp", charset="UTF-8"' };

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
  // 1013, not 4401/4403: a fault says nothing about the credential, so clients retry.
  // GraphQL keeps yoga's INTERNAL_SERVER_ERROR, which GraphQL clients already know.
  [FAULT_CODE]: { httpStatus: 500, closeCode: SocketCloseCode.TryAgainLater, graphqlCode: 'INTERNAL_SERVER_ERROR' },
};

/** The sentence a masked fault carries on every wire (yoga's own for GraphQL). */
export const faultMessage = 'Unexpected error.';
