import { FAULT_CODE } from '../../contract/error-codes.ts';
import { recognizeError } from './recognize-error.ts';
import { errorTable } from './error-table.ts';

export interface SocketClose {
  code: number;
  reason: string;
}

// A close frame's reason is at most 123 bytes.
const reasonOf = (message: string) => message.slice(0, 100);

/**
 * How a socket closes when its connection is refused for `error`. A code the
 * table never closes a socket for cannot end a handshake today (authenticating
 * throws only UNAUTHENTICATED and FORBIDDEN, or UNAVAILABLE when the database
 * is away); should one, the refusal is final like FORBIDDEN's. A fault closes
 * as retryable, without its cause.
 */
export function toSocketClose(error: unknown): SocketClose {
  const appError = recognizeError(error);
  if (!appError) return { code: errorTable[FAULT_CODE].closeCode, reason: 'Try again' };
  return { code: errorTable[appError.code].closeCode ?? errorTable.FORBIDDEN.closeCode, reason: reasonOf(appError.message) };
}
