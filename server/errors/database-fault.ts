/**
 * Reads what a database failure says about the request. Two kinds are not
 * faults of ours and must not be masked as one:
 * - the database is away (refused, terminated, restarting, dropped the
 *   connection): UNAVAILABLE, so clients retry instead of giving up;
 * - PostgreSQL refused a value the caller sent (a key that is not a UUID, a
 *   NUL character, a number out of range): BAD_REQUEST.
 * Anything else is a fault. The shapes read are Prisma's (known request
 * errors with `meta.driverAdapterError.cause`), adapter-pg's causes and raw
 * `pg` / Node socket errors; nothing here imports them, it reads their fields.
 */
import { AppError, badRequest, unavailable } from './app-error.ts';

/** Prisma's codes for a database it cannot reach or that closed on it. */
const prismaUnavailable = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** Prisma's codes for a value the database refused. */
const prismaBadInput = new Set(['P2000', 'P2007', 'P2020', 'P2023']);
/** adapter-pg's kinds for the same two. */
const kindUnavailable = new Set(['DatabaseNotReachable', 'DatabaseDoesNotExist', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const kindBadInput = new Set(['InvalidInputValue', 'LengthMismatch', 'ValueOutOfRange']);
/** SQLSTATEs: the server shutting down or refusing connections, too many of them, the database gone. */
const sqlStateUnavailable = new Set(['57P01', '57P02', '57P03', '53300', '3D000']);
/**
 * SQLSTATEs for a value the caller sent: NUL and untranslatable characters,
 * malformed text for the column's type (a UUID), too long, out of range.
 */
const sqlStateBadInput = new Set(['22021', '22P05', '22P02', '22001', '22003', '22007', '22008']);
/** Node's socket errors. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What `pg` and its pool say when a connection is gone or cannot be had. */
const pgConnectionMessages = /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Cannot use a pool after calling end/i;

type Verdict = { kind: 'unavailable' } | { kind: 'bad-input'; detail: string };

function verdictOf(node: Record<string, unknown>): Verdict | undefined {
  const code = typeof node.code === 'string' ? node.code : undefined;
  const originalCode = typeof node.originalCode === 'string' ? node.originalCode : undefined;
  const kind = typeof node.kind === 'string' ? node.kind : undefined;
  const message = typeof node.message === 'string' ? node.message : '';
  const detail = typeof node.originalMessage === 'string' ? node.originalMessage : message;
  if (code && prismaUnavailable.has(code)) return { kind: 'unavailable' };
  if (kind && kindUnavailable.has(kind)) return { kind: 'unavailable' };
  if (code && socketCodes.has(code)) return { kind: 'unavailable' };
  const sqlState = originalCode ?? (code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined);
  if (sqlState && (sqlStateUnavailable.has(sqlState) || sqlState.startsWith('08'))) return { kind: 'unavailable' };
  // A FATAL or PANIC report ends the session: whatever it says, the
  // connection is gone (e.g. 55000 "not currently accepting connections").
  if (node.severity === 'FATAL' || node.severity === 'PANIC') return { kind: 'unavailable' };
  if (sqlState && sqlStateBadInput.has(sqlState)) return { kind: 'bad-input', detail };
  if (kind && kindBadInput.has(kind)) return { kind: 'bad-input', detail };
  if (code && prismaBadInput.has(code)) return { kind: 'bad-input', detail: '' };
  if (pgConnectionMessages.test(message)) return { kind: 'unavailable' };
  return undefined;
}

/** The objects a failure is made of: itself, what it wraps, and Prisma's driver error and its cause. */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth += 1) {
    const node = current as Record<string, unknown>;
    const driverError = (node.meta as { driverAdapterError?: { cause?: unknown } } | undefined)?.driverAdapterError;
    // The most precise reading first: the driver's cause, then its wrapper, then the node.
    if (driverError?.cause && typeof driverError.cause === 'object') yield driverError.cause as Record<string, unknown>;
    yield node;
    current = node.originalError ?? node.cause;
  }
}

/** Keeps what PostgreSQL said about the value (it names the type and echoes the value), nothing of the query. */
function badInputMessage(detail: string): string {
  const said = detail.split('\n')[0]?.trim().slice(0, 200);
  return said ? `A value in the request is malformed: ${said}.` : 'A value in the request is malformed.';
}

/** UNAVAILABLE or BAD_REQUEST when a failure is one of those two, else undefined (a fault). */
export function databaseFault(error: unknown): AppError<'UNAVAILABLE'> | AppError<'BAD_REQUEST'> | undefined {
  for (const node of chain(error)) {
    if (node instanceof AppError) return undefined;
    const verdict = verdictOf(node);
    if (verdict?.kind === 'unavailable') return unavailable();
    if (verdict?.kind === 'bad-input') return badRequest(badInputMessage(verdict.detail));
  }
  return undefined;
}
