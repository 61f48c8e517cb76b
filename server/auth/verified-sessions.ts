import type { Role } from '../generated/prisma/enums.ts';
import type { CredentialChange } from './credential-watch.ts';

/** A session row as the authenticator reads it: who it is, its CSRF token and when it ends. */
export interface VerifiedSession {
  sessionId: string;
  csrfToken: string;
  expiresMs: number;
  userId: string;
  username: string;
  displayName: string;
  role: Role;
}

/**
 * Console sessions read in the last few seconds, so a console request (a save
 * above all) does not pay a database round trip for its session on top of its
 * own work. The same rules as verified tokens (verified-tokens.ts) keep it
 * correct under sign-out, disabling, demotion and password resets:
 *
 * - every credential change forgets: a deleted session (sign-out, a disabled
 *   user's or a reset password's sessions: the sessions trigger's NOTIFY), a
 *   changed user (role, disabled, password: the users trigger's), on every
 *   replica within a notification's delay; this process's own changes at
 *   once, through `forget`; a read that started before a change is not
 *   remembered after it (the epoch);
 * - nothing is trusted while the LISTEN connection is down (the bridge
 *   announces `all` when it is back), an entry lives `ttlMs` at most, and the
 *   session's own expiry and CSRF token are checked on every use by the caller.
 */
export function createVerifiedSessions({ ttlMs = 5_000, maxEntries = 20_000, listening, now = Date.now }: {
  ttlMs?: number;
  maxEntries?: number;
  /** True while credential changes are being heard (the LISTEN connection is up). */
  listening: () => boolean;
  now?: () => number;
}) {
  // Keyed by the session token's hash, what a request presents.
  const byHash = new Map<string, { session: VerifiedSession; until: number }>();
  let epoch = 0;
  return {
    /** The current epoch: pass it back to `remember` for a read started now. */
    epoch: () => epoch,

    /** The session of a token hash read within the TTL, if any. */
    sessionOf(hash: string): VerifiedSession | undefined {
      const entry = byHash.get(hash);
      if (!entry) return undefined;
      if (entry.until > now() && listening()) return entry.session;
      byHash.delete(hash);
      return undefined;
    },

    /** Remembers a session read at `readEpoch`, unless a change was heard since or changes cannot be heard. */
    remember(readEpoch: number, hash: string, session: VerifiedSession): void {
      if (readEpoch !== epoch || !listening()) return;
      byHash.delete(hash);
      byHash.set(hash, { session, until: now() + ttlMs });
      // Insertion order is age order: the oldest go first.
      while (byHash.size > maxEntries) byHash.delete(byHash.keys().next().value as string);
    },

    /** A credential changed: the sessions it concerns are read from the database again (`all`: every one). */
    forget(change: CredentialChange): void {
      if (change.kind === 'token') return;
      epoch += 1;
      if (change.kind === 'all') {
        byHash.clear();
        return;
      }
      for (const [hash, { session }] of byHash) {
        if (change.kind === 'session' ? session.sessionId === change.id : session.userId === change.id) byHash.delete(hash);
      }
    },
  };
}

export type VerifiedSessions = ReturnType<typeof createVerifiedSessions>;
