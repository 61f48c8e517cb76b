import { AppError } from '../../errors/app-error.ts';
import type { Violation } from '../../../contract/validation/index.ts';

/**
 * Turns validator output into the error a client sees. Writing a deprecated
 * parameter or value is reported as DEPRECATED even when rules fail too: the
 * rule failures are its consequence, and the #673 class of mistake deserves
 * its own code. Every violation stays listed either way.
 */
export function violationsError(violations: Violation[]): AppError {
  const deprecated = violations.filter((v) => v.code === 'DEPRECATED_PARAMETER' || v.code === 'DEPRECATED_VALUE');
  const summary = (deprecated.length ? deprecated : violations).map((v) => v.message).join(' ');
  return new AppError(deprecated.length ? 'DEPRECATED' : 'VALIDATION_FAILED', summary, { violations });
}
