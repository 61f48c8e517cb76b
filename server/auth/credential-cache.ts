/** What every credential cache is built with. */
export interface CredentialCacheOptions {
  /** How long an entry is trusted at most, whatever is heard. */
  ttlMs?: number;
  /** The most entries kept; the oldest go first. */
  maxEntries?: number;
  /** True while credential changes are being heard (the LISTEN connection is up). */
  listening: () => boolean;
  now?: () => number;
}

/**
 * The mechanics shared by the caches of verified credentials (tokens,
 * sessions): entries remembered for a few seconds so a request does not pay
 * a database read for its caller, kept correct under revocation by three
 * rules that live here so that no cache can forget one of them:
 *
 * - an entry is trusted only while changes can be heard (`listening`): a
 *   change could be missed while the LISTEN connection is down, and the
 *   bridge announces that everything changed when it is back;
 * - a read that started before a change is not remembered after it: the
 *   caller takes `epoch()` before its read and passes it to `remember`, and
 *   every `forget` advances the epoch;
 * - an entry lives `ttlMs` at most and the map holds `maxEntries` at most.
 *
 * One epoch covers every map of a cache (a token cache keeps two: by hash
 * and by id), so `maps` names them.
 */
export function createCredentialCache<Maps extends Record<string, unknown>>({ ttlMs = 5_000, maxEntries = 20_000, listening, now = Date.now }: CredentialCacheOptions) {
  const maps = new Map<keyof Maps, Map<string, { value: unknown; until: number }>>();
  const mapOf = (name: keyof Maps) => {
    let map = maps.get(name);
    if (!map) maps.set(name, (map = new Map()));
    return map;
  };
  let epoch = 0;
  return {
    /** The current epoch: pass it back to `remember` for a read started now. */
    epoch: () => epoch,

    /** The value remembered under `key` within the TTL while changes are heard, if any. */
    get<M extends keyof Maps>(name: M, key: string): Maps[M] | undefined {
      const map = mapOf(name);
      const entry = map.get(key);
      if (!entry) return undefined;
      if (entry.until > now() && listening()) return entry.value as Maps[M];
      map.delete(key);
      return undefined;
    },

    /** Remembers values read at `readEpoch`, unless a change was heard since or changes cannot be heard. */
    remember(readEpoch: number, entries: { [M in keyof Maps]?: [key: string, value: Maps[M]] }): void {
      if (readEpoch !== epoch || !listening()) return;
      const until = now() + ttlMs;
      for (const name of Object.keys(entries) as (keyof Maps)[]) {
        const entry = entries[name];
        if (!entry) continue;
        const map = mapOf(name);
        map.delete(entry[0]);
        map.set(entry[0], { value: entry[1], until });
        // Insertion order is age order: the oldest go first.
        while (map.size > maxEntries) map.delete(map.keys().next().value as string);
      }
    },

    /** A change was heard: advances the epoch and drops the entries `drop` picks (no predicate: every one). */
    forget(drop?: { [M in keyof Maps]?: (value: Maps[M], key: string) => boolean }): void {
      epoch += 1;
      for (const [name, map] of maps) {
        const picks = drop?.[name] as ((value: unknown, key: string) => boolean) | undefined;
        if (!drop) map.clear();
        else if (picks) for (const [key, { value }] of map) if (picks(value, key)) map.delete(key);
      }
    },
  };
}

export type CredentialCache<Maps extends Record<string, unknown>> = ReturnType<typeof createCredentialCache<Maps>>;
