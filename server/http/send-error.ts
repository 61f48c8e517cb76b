import type { ServerResponse } from 'node:http';
import { toHttpError } from '../errors/index.ts';
import { sendJson } from './send-json.ts';

/**
 * Answers a plain HTTP route's error as `{ error: { code, message, ...details } }`
 * with the error table's status. `status` overrides it only where HTTP has a
 * more precise word for the same code (405 for a method, with its Allow header).
 */
export function sendError(res: ServerResponse, error: unknown, { status, headers }: { status?: number; headers?: Record<string, string | string[]> } = {}): void {
  const answer = toHttpError(error);
  // A throttled sign-in says when to come back in HTTP's own words too.
  const retryAfter = (answer.body.error as { retryAfterSeconds?: number }).retryAfterSeconds;
  sendJson(res, status ?? answer.status, answer.body, { ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}), ...headers });
}
