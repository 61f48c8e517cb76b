import type { LegacySnapshot } from './legacy-rows.ts';

// A history row without its snapshot is rebuilt from the one before and the
// row's own diff, in whichever of the shapes the legacy tool wrote:
// { key: { old, new } }, { before, after }, { from, to }, [old, new], or the
// new value itself. A new value of null removes the key. Null when the diff
// says nothing usable.
export function applyLegacyDiff(previous: LegacySnapshot, diff: unknown): LegacySnapshot | null {
  if (diff === null || typeof diff !== 'object' || Array.isArray(diff)) return null;
  const next: LegacySnapshot = { ...previous };
  for (const [key, change] of Object.entries(diff as Record<string, unknown>)) {
    let after: unknown = change;
    if (Array.isArray(change) && change.length === 2) after = change[1];
    else if (change !== null && typeof change === 'object') {
      const c = change as Record<string, unknown>;
      if ('new' in c) after = c.new;
      else if ('after' in c) after = c.after;
      else if ('to' in c) after = c.to;
    }
    if (after === null || after === undefined) delete next[key];
    else next[key] = after;
  }
  return next;
}
