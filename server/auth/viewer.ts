import { forbidden } from '../errors/app-error.ts';
import type { Role } from '../generated/prisma/enums.ts';

/**
 * Who is calling: an operator (by session or Basic), a worker or Grafana by a
 * service token of one environment, or Grafana by a token of no environment
 * (`monitor`: reads every environment and can do nothing else, because no
 * role check and no service-token check ever accepts it).
 */
export type Viewer =
  | {
      kind: 'user';
      userId: string;
      username: string;
      displayName: string;
      role: Role;
      via: 'session' | 'basic';
      sessionId?: string;
      /** Basic only: the password version checked, so a socket opened with it ends when it changes. */
      passwordVersion?: number;
    }
  | {
      kind: 'service';
      tokenId: string;
      name: string;
      environmentId: string;
      environmentName: string;
    }
  | {
      kind: 'monitor';
      tokenId: string;
      name: string;
    };

/** An operator: a signed-in user (session or Basic), never a service token. */
export type Operator = Extract<Viewer, { kind: 'user' }>;

export const roleRank: Record<Role, number> = { VIEWER: 0, EDITOR: 1, APPROVER: 2, ADMIN: 3 };
const roleHolder: Record<Role, string> = { VIEWER: 'a viewer', EDITOR: 'an editor', APPROVER: 'an approver', ADMIN: 'an admin' };

/** Roles are cumulative: an approver can do what an editor can, an admin everything. */
export function hasRole(viewer: Viewer | null, minimum: Role): boolean {
  return viewer?.kind === 'user' && roleRank[viewer.role] >= roleRank[minimum];
}

/**
 * The operator if they hold `minimum` (or a higher role); FORBIDDEN otherwise,
 * worded "Only an admin can <what>." Service tokens hold no role.
 */
export function requireRole(viewer: Viewer | null, minimum: Role, what: string): Operator {
  if (viewer?.kind !== 'user' || !hasRole(viewer, minimum)) throw forbidden(`Only ${roleHolder[minimum]} can ${what}.`);
  return viewer;
}

/** The name written into audit rows and version authorship. */
export function actorName(viewer: Viewer): string {
  return viewer.kind === 'user' ? viewer.username : `token:${viewer.name}`;
}
