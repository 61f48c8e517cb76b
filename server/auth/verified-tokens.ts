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
 * - nothing is trusted while the LISTEN connection is down (a change could be
 *   missed; the bridge announces `all` when it is back), and an entry lives
 *   `ttlMs` at most whatever happens.
 */
export function createVerifiedTokens({ ttlMs = 5_000, maxEntries = 20_000, listening, now = Date.now }: {
  ttlMs?: number;
  maxEntries?: number;
  /** True while credential changes are being heard (the LISTEN connection is up). */
  listening: () => boolean;
  now?: () => number;
}) {
  // Keyed by the token's hash (what a request presents) and by its id (what a socket's viewer holds).
  const byHash = new Map<string, { viewer: TokenViewer; until: number }>();
  const liveIds = new Map<string, number>();
  let epoch = 0;
  const bounded = <K, V>(map: Map<K, V>) => {
    // Insertion order is age order: the oldest go first.
    while (map.size > maxEntries) map.delete(map.keys().next().value as K);
  };
  return {
    /** The current epoch: pass it back to `remember` for a read started now. */
    epoch: () => epoch,

    /** The viewer of a token hash verified within the TTL, if any. */
    viewerOf(hash: string): TokenViewer | undefined {
      const entry = byHash.get(hash);
      if (!entry) return undefined;
      if (entry.until > now() && listening()) return entry.viewer;
      byHash.delete(hash);
      return undefined;
    },

    /** True when the token was seen live within the TTL. */
    isLive(tokenId: string): boolean {
      const until = liveIds.get(tokenId);
      if (until === undefined) return false;
      if (until > now() && listening()) return true;
      liveIds.delete(tokenId);
      return false;
    },

    /** Remembers a verification read at `readEpoch`, unless a change was heard since or changes cannot be heard. */
    remember(readEpoch: number, tokenId: string, hash?: string, viewer?: TokenViewer): void {
      if (readEpoch !== epoch || !listening()) return;
      const until = now() + ttlMs;
      liveIds.delete(tokenId);
      liveIds.set(tokenId, until);
      bounded(liveIds);
      if (hash !== undefined && viewer !== undefined) {
        byHash.delete(hash);
        byHash.set(hash, { viewer, until });
        bounded(byHash);
      }
    },

    /** A credential changed: tokens are read from the database again (`all`: every one). */
    forget(change: CredentialChange): void {
      if (change.kind !== 'token' && change.kind !== 'all') return;
      epoch += 1;
      if (change.kind === 'all') {
        byHash.clear();
        liveIds.clear();
        return;
      }
      liveIds.delete(change.id);
      for (const [hash, entry] of byHash) if (entry.viewer.tokenId === change.id) byHash.delete(hash);
    },
  };
}

export type VerifiedTokens = ReturnType<typeof createVerifiedTokens>;
