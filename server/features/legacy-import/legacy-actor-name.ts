// Legacy authors are free text (an operator's handle, an e-mail, a DAG's
// name, or nothing). Each becomes an actor named `legacy:<author>`: never the
// name of a platform account, so a legacy "admin" is not mistaken for ours.

export const unknownLegacyAuthor = 'unknown';

export function legacyActorName(author: string | null): string {
  const name = (author ?? '').trim().replace(/\s+/g, ' ');
  return `legacy:${name === '' ? unknownLegacyAuthor : name.slice(0, 200)}`;
}
