import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '../generated/prisma/enums.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import { forbidden, unauthenticated } from '../errors/app-error.ts';
import type { VerifiedTokens } from './verified-tokens.ts';
import { roleRank, type Viewer } from './viewer.ts';

/** A user's row as a long-lived connection's viewer is judged against. */
interface UserState {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  disabled: boolean;
  password_version: number;
  live_sessions: string[];
}

/**
 * The viewer as it stands now, or the refusal: a disabled user, an ended
 * session, a Basic password that changed and a revoked token are
 * UNAUTHENTICATED; a role lowered since `viewer` was checked is FORBIDDEN
 * (what it was allowed to start, it no longer is). A raised role is simply
 * the new role.
 */
export function judgeViewer(viewer: Viewer, state: { user?: UserState; tokenLive?: boolean }): Viewer {
  if (viewer.kind !== 'user') {
    if (!state.tokenLive) throw unauthenticated('The service token was revoked.');
    return viewer;
  }
  const { user } = state;
  if (!user || user.disabled) throw unauthenticated('Your account was disabled. Ask an admin.');
  if (viewer.sessionId !== undefined && !user.live_sessions.includes(viewer.sessionId)) {
    throw unauthenticated('Your session has ended. Sign in again.');
  }
  if (viewer.via === 'basic' && viewer.passwordVersion !== undefined && viewer.passwordVersion !== user.password_version) {
    throw unauthenticated('Your password was changed: connect again with the new one.');
  }
  if (roleRank[user.role] < roleRank[viewer.role]) {
    throw forbidden(`Your role was changed to ${user.role.toLowerCase()}: connect again to continue with it.`);
  }
  return { ...viewer, role: user.role, username: user.username, displayName: user.display_name };
}

/**
 * Re-reads the caller of every operation on a socket (and of every open
 * stream when its credential changes): the database, not a cache, decides,
 * so a change is in force for the next operation on every replica. Checks
 * arriving together (a thousand workers reporting the same version) are
 * answered by one batch: one query for users and their sessions, one for
 * tokens, whatever their number. A check submitted while a batch runs waits
 * for the next one, so it always reads after it was asked.
 */
export function createCurrentViewer({ prisma, verifiedTokens }: { prisma: PrismaClient; verifiedTokens?: VerifiedTokens }): (viewer: Viewer) => Promise<Viewer> {
  const batch = createGroupCommit<Viewer, Viewer>(async (viewers) => {
    const epoch = verifiedTokens?.epoch() ?? 0;
    const userIds = [...new Set(viewers.flatMap((v) => (v.kind === 'user' ? [v.userId] : [])))];
    const sessionIds = [...new Set(viewers.flatMap((v) => (v.kind === 'user' && v.sessionId ? [v.sessionId] : [])))];
    // A token verified live moments ago (verified-tokens.ts) is not read again.
    const known = new Set<string>();
    const asked = new Set<string>();
    for (const v of viewers) {
      if (v.kind === 'user' || known.has(v.tokenId) || asked.has(v.tokenId)) continue;
      if (verifiedTokens?.isLive(v.tokenId)) known.add(v.tokenId);
      else asked.add(v.tokenId);
    }
    const tokenIds = [...asked];
    const [users, tokens] = await Promise.all([
      userIds.length
        ? prisma.$queryRaw<UserState[]>`
            SELECT u.id::text, u.username, u.display_name, u.role::text AS role, u.disabled, u.password_version,
                   COALESCE(array_agg(s.id::text) FILTER (WHERE s.id IS NOT NULL), '{}') AS live_sessions
            FROM users u
            LEFT JOIN sessions s ON s.user_id = u.id AND s.id = ANY(${sessionIds}::uuid[]) AND s.expires_at > now()
            WHERE u.id = ANY(${userIds}::uuid[])
            GROUP BY u.id`
        : [],
      // One statement shape whatever the number of tokens.
      tokenIds.length ? prisma.$queryRaw<{ id: string }[]>`SELECT id::text FROM service_tokens WHERE id = ANY(${tokenIds}::uuid[]) AND revoked_at IS NULL` : [],
    ]);
    const byId = new Map(users.map((user) => [user.id, user]));
    const liveTokens = new Set(tokens.map((token) => token.id));
    for (const id of liveTokens) verifiedTokens?.remember(epoch, id);
    const live = (tokenId: string) => liveTokens.has(tokenId) || known.has(tokenId);
    return viewers.map((viewer) => {
      try {
        return viewer.kind === 'user'
          ? judgeViewer(viewer, { user: byId.get(viewer.userId) })
          : judgeViewer(viewer, { tokenLive: live(viewer.tokenId) });
      } catch (error) {
        return error as Error;
      }
    });
  });
  // A token verified live moments ago is judged at once, as the batch would
  // judge it without reading it: a thousand workers' reports per save skip
  // the batch's turn and its bookkeeping.
  return (viewer) => (viewer.kind === 'service' && verifiedTokens?.isLive(viewer.tokenId) ? Promise.resolve(viewer) : batch.submit(viewer));
}
