import { AppError } from '../../errors/app-error.ts';

/** Every change says why (architecture §12): an empty or whitespace reason is refused. */
export function assertReason(reason: string): void {
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > 2000) {
    const message = trimmed.length === 0 ? 'Give a reason for the change.' : 'Keep the reason under 2,000 characters.';
    throw new AppError('VALIDATION_FAILED', message, { violations: [{ code: 'REQUIRED', field: 'reason', message }] });
  }
}
