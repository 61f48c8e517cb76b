import { useEffect, useState } from 'react';
import type { FreezeWindowFieldsFragment } from '../gql/graphql.ts';

export const formatTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

/**
 * The window that refuses saves right now, or null. The server's
 * activeFreezeWindow is a snapshot taken at query time: this drops it once its
 * end has passed, so saving comes back without a reload (the server still
 * answers FROZEN if the clocks disagree).
 */
export function useActiveFreeze(window: FreezeWindowFieldsFragment | null | undefined): FreezeWindowFieldsFragment | null {
  const [, setTick] = useState(0);
  const endsAt = window ? new Date(window.endsAt).getTime() : null;
  useEffect(() => {
    if (endsAt === null) return;
    const remaining = endsAt - Date.now();
    if (remaining <= 0) return;
    // setTimeout holds at most 2^31-1 ms; a longer freeze re-arms on the next render.
    const id = setTimeout(() => setTick((t) => t + 1), Math.min(remaining + 50, 2_147_483_647));
    return () => clearTimeout(id);
  }, [endsAt]);
  if (!window || endsAt === null || endsAt <= Date.now()) return null;
  return window;
}

/** Why saving is disabled: the environment is in a freeze window (reason, until when). */
export function FreezeBanner({ environment, window }: { environment: string; window: FreezeWindowFieldsFragment }) {
  return (
    <div className="banner frozen" role="status" data-testid="freeze-banner">
      <strong>Saving is disabled: {environment} is frozen until <time dateTime={window.endsAt}>{formatTime(window.endsAt)}</time>.</strong>{' '}
      <span>Reason: {window.reason}</span>
      <span className="muted"> Saves, restores and promotions to {environment} are refused until then; you can still review and prepare changes.</span>
    </div>
  );
}
