import { decodeGlobalID } from '@pothos/plugin-relay';

/**
 * Mutations accept either the raw key or the Relay global id of `typename`
 * (what the graph hands out as `id`). Anything else passes through unchanged
 * and is then simply not found.
 */
export function localId(id: string | number, typename: string): string {
  const raw = String(id);
  try {
    const decoded = decodeGlobalID(raw);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // not a global id: a raw one
  }
  return raw;
}
