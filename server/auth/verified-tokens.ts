import { createCredentialCache, type CredentialCacheOptions } from './credential-cache.ts';
import type { CredentialChange } from './credential-watch.ts';
import type { Viewer } from './viewer.ts';

type TokenViewer = Exclude<Viewer, { kind: 'user' }>;

/**
 * Service tokens verified in the last few seconds, so a fleet of workers
 * starting (a load, a registration and a socket each) or reporting (every
 * socket operation re-checks its caller) does not cost a database read per
 * request. It stays correct under revocation:
 *
 * - every credential change forgets (a revoked token's NOTIFY, on every
 *   replica within a notification's delay; this process's own revocations at
 *   once, through `forget`), and a read that started before a change is not
 *   remembered after it (the epoch), so a revoked token is refused on its
 *   next operation;
 * - nothing is trusted while the LISTEN connection is down, and an entry
 *   lives `ttlMs` at most whatever happens (credential-cache.ts).
 */
export function createVerifiedTokens(options: CredentialCacheOptions) {
  // Keyed by the token's hash (what a request presents) and by its id (what a socket's viewer holds).
  const cache = createCredentialCache<{ byHash: TokenViewer; liveIds: true }>(options);
  return {
    /** The current epoch: pass it back to `remember` for a read started now. */
    epoch: cache.epoch,

    /** The viewer of a token hash verified within the TTL, if any. */
    viewerOf: (hash: string): TokenViewer | undefined => cache.get('byHash', hash),

    /** True when the token was seen live within the TTL. */
    isLive: (tokenId: string): boolean => cache.get('liveIds', tokenId) === true,

    /** Remembers a verification read at `readEpoch`, unless a change was heard since or changes cannot be heard. */
    remember(readEpoch: number, tokenId: string, hash?: string, viewer?: TokenViewer): void {
      cache.remember(readEpoch, { liveIds: [tokenId, true], ...(hash !== undefined && viewer !== undefined ? { byHash: [hash, viewer] } : {}) });
    },

    /** A credential changed: tokens are read from the database again (`all`: every one). */
    forget(change: CredentialChange): void {
      if (change.kind === 'all') cache.forget();
      else if (change.kind === 'token') cache.forget({ liveIds: (_, id) => id === change.id, byHash: (viewer) => viewer.tokenId === change.id });
    },
  };
}

export type VerifiedTokens = ReturnType<typeof createVerifiedTokens>;
