import { DEFAULT_JSON_LIMITS, jsonLimitViolation, type JsonLimits } from '../../../contract/validation/index.ts';
import { AppError } from '../../errors/app-error.ts';

export type { JsonLimits };

/**
 * Refuses a JSON input (run metadata, factors, a code version) that is larger
 * or deeper than `limits`, as VALIDATION_FAILED with one TOO_LARGE violation
 * naming the field. Runs and sets are history: what they hold is kept forever.
 */
export function assertJsonWithinLimits(value: unknown, field: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): void {
  const violation = jsonLimitViolation(value, field, limits);
  if (violation) throw new AppError('VALIDATION_FAILED', violation.message, { violations: [violation] });
}
