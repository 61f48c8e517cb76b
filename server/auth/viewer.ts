import type { Role } from '../generated/prisma/enums.ts';

/** Who is calling: an operator (by session or Basic) or a worker/Grafana (by service token). */
export type Viewer =
  | {
      kind: 'user';
      userId: string;
      username: string;
      displayName: string;
      role: Role;
      via: 'session' | 'basic';
      sessionId?: string;
    }
  | {
      kind: 'service';
      tokenId: string;
      name: string;
      environmentId: string;
      environmentName: string;
    };

const roleRank: Record<Role, number> = { VIEWER: 0, EDITOR: 1, APPROVER: 2, ADMIN: 3 };

/** Roles are cumulative: an approver can do what an editor can, an admin everything. */
export function hasRole(viewer: Viewer | null, minimum: Role): boolean {
  return viewer?.kind === 'user' && roleRank[viewer.role] >= roleRank[minimum];
}

/** The name written into audit rows and version authorship. */
export function actorName(viewer: Viewer): string {
  return viewer.kind === 'user' ? viewer.username : `token:${viewer.name}`;
}
