import type { Role } from '../generated/prisma/enums.ts';
import { createCredentialCache, type CredentialCacheOptions } from './credential-cache.ts';
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
export function createVerifiedSessions(options: CredentialCacheOptions) {
  // Keyed by the session token's hash, what a request presents.
  const cache = createCredentialCache<{ byHash: VerifiedSession }>(options);
  return {
    /** The current epoch: pass it back to `remember` for a read started now. */
    epoch: cache.epoch,

    /** The session of a token hash read within the TTL, if any. */
    sessionOf: (hash: string): VerifiedSession | undefined => cache.get('byHash', hash),

    /** Remembers a session read at `readEpoch`, unless a change was heard since or changes cannot be heard. */
    remember(readEpoch: number, hash: string, session: VerifiedSession): void {
      cache.remember(readEpoch, { byHash: [hash, session] });
    },

    /** A credential changed: the sessions it concerns are read from the database again (`all`: every one). */
    forget(change: CredentialChange): void {
      if (change.kind === 'all') cache.forget();
      else if (change.kind === 'session') cache.forget({ byHash: (session) => session.sessionId === change.id });
      else if (change.kind === 'user') cache.forget({ byHash: (session) => session.userId === change.id });
    },
  };
}

export type VerifiedSessions = ReturnType<typeof createVerifiedSessions>;
