import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { SignInLockout } from '../../auth/index.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';

/**
 * Audits each sign-in block as it starts (server/auth/sign-in-throttle.ts):
 * which account (by name, only when it exists) or address, after how many
 * failures, until when. Never a password, and never a name that matches no
 * account (it may be a password typed into the wrong field).
 */
export function createSignInLockoutRecorder({ prisma, logger }: { prisma: PrismaClient; logger: Logger }) {
  return async (lockout: SignInLockout): Promise<void> => {
    const details = {
      scope: lockout.scope,
      username: lockout.username,
      source: lockout.source,
      failures: lockout.failures,
      blockedUntil: lockout.blockedUntil.toISOString(),
    };
    await appendAudit(prisma, [{ action: 'sign_in_throttled', actor: 'system:sign-in-throttle', reason: `${lockout.failures} failed sign-ins`, details }]);
    logger.warn({ event: 'sign_in_throttled', ...details }, 'sign-ins blocked after repeated failures');
  };
}
