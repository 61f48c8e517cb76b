import type { PrismaClient, Role, User } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { hasRole, type Viewer } from '../../auth/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { forbidden } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import { assertCanConfirm } from './account-independence.ts';

/**
 * `updateUser(id, role)` with the role the user already has, and nothing
 * else, is a confirmation (the schema has no mutation of its own for it):
 * an admin or approver independent of the account states that its owner
 * alone holds its password now, which empties its credential holders
 * (account-independence.ts). Returns undefined when the call is not one
 * (another role: a role change, for admins only).
 */
export function createAccountConfirmation({ prisma, logger }: { prisma: PrismaClient; logger: Logger }) {
  return async function confirm(viewer: Viewer, input: { id: string; role: Role }): Promise<User | undefined> {
    if (viewer.kind !== 'user' || !hasRole(viewer, 'APPROVER')) return undefined;
    const notAdmin = !hasRole(viewer, 'ADMIN');
    const outcome = await inTransaction(prisma, async (tx) => {
      const locked = isUuid(input.id) ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM users WHERE id = ${input.id}::uuid FOR UPDATE` : [];
      // An approver learns nothing about accounts it may not change.
      if (!locked[0]) return notAdmin ? forbidden('Only an admin can change users.') : undefined;
      const subject = await tx.user.findUniqueOrThrow({ where: { id: input.id } });
      if (subject.role !== input.role) return undefined;
      // Nothing to confirm: the same no-op as before.
      if (subject.credentialHolders.length === 0) return { user: subject, confirmed: false };
      const confirmer = await tx.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { id: true, username: true, credentialHolders: true } });
      assertCanConfirm(subject, confirmer);
      const user = await tx.user.update({ where: { id: subject.id }, data: { credentialHolders: [] } });
      await appendAudit(tx, [{
        action: 'user_confirmed', actor: confirmer.username, subjectId: subject.id,
        details: { username: subject.username, role: subject.role, formerHolders: subject.credentialHolders },
      }]);
      return { user, confirmed: true };
    });
    if (outcome instanceof Error) throw outcome;
    if (outcome?.confirmed) logger.info({ event: 'user_confirmed', user: outcome.user.username, confirmed_by: viewer.username }, 'account confirmed by a second person');
    return outcome?.user;
  };
}
