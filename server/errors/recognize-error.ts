import type { AppError } from './app-error.ts';
import { databaseFault } from './database-fault.ts';
import { findAppError } from './find-app-error.ts';

/**
 * The domain error a failure stands for, on every wire: an AppError behind
 * whatever wrapped it, or what a database failure says about the request (the
 * database away: UNAVAILABLE; a value PostgreSQL refused: BAD_REQUEST).
 * undefined: a fault, masked and logged by the caller.
 */
export function recognizeError(error: unknown): AppError | undefined {
  return findAppError(error) ?? databaseFault(error);
}
