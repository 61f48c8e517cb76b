import type { User } from '../../generated/prisma/client.ts';
import { forbidden } from '../../errors/app-error.ts';

/** What the rule reads of an account. */
export type AccountHolders = Pick<User, 'id' | 'username' | 'credentialHolders'>;

/** Everyone who could act as `account`: itself, and whoever set one of its passwords (and those who could act as them). */
const actorsOf = (account: Pick<User, 'id' | 'credentialHolders'>) => new Set([account.id, ...account.credentialHolders]);

/**
 * The holders an account has once `setter` set its password (created the
 * account or reset it): the ones it had, the setter, and whoever could act as
 * the setter at that moment (an account an admin controls cannot launder
 * what it sets). A change of one's own password adds nobody and removes
 * nobody: whoever knew the old password could have made it.
 */
export function holdersAfterPasswordSetBy(account: Pick<User, 'credentialHolders'> | null, setter: Pick<User, 'id' | 'credentialHolders'>): string[] {
  return [...new Set([...(account?.credentialHolders ?? []), setter.id, ...setter.credentialHolders])];
}

/**
 * The two-person rule counts people, not accounts: an approval is refused
 * when one person could have acted as both the author and the approver
 * (they are the same account, one set the other's password, or a third
 * person set both).
 */
export function assertIndependentAccounts(author: AccountHolders, approver: AccountHolders): void {
  const authorActors = actorsOf(author);
  if ([...actorsOf(approver)].some((id) => authorActors.has(id))) {
    throw forbidden(
      `One person could act as both ${author.username} and ${approver.username} (one set the other's password, or someone set both), `
      + 'so this approval would not be a second person\'s. Another approver must approve, or an independent admin or approver confirm the accounts first.',
    );
  }
}

/**
 * A confirmation is a second person's word that `subject` alone now holds
 * its password, which empties its holders. It is refused from the subject
 * itself, from anyone who could act as the subject (or as whom the subject
 * could act), and before the subject changed the password it was given.
 */
export function assertCanConfirm(subject: AccountHolders & Pick<User, 'passwordSetById'>, confirmer: AccountHolders): void {
  if (confirmer.id === subject.id) throw forbidden('You cannot confirm your own account: ask another admin or approver.');
  if (subject.passwordSetById !== null && subject.passwordSetById !== subject.id) {
    throw forbidden(`${subject.username} still has the password someone else set: they change it first (setPassword with the current one), then you confirm.`);
  }
  const subjectActors = actorsOf(subject);
  if ([...actorsOf(confirmer)].some((id) => subjectActors.has(id))) {
    throw forbidden(`You, or someone who could act as you, set ${subject.username}'s password: another admin or approver must confirm.`);
  }
}
