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

/** Types whose ids the audit trail names as subjects (a set's hash, a catalog entry's name and a rule's id included). */
const subjectTypes = new Set(['Run', 'ParameterSet', 'ChangeRequest', 'Rule', 'CatalogEntry', 'ServiceToken', 'User', 'Worker', 'FreezeWindow', 'Environment']);

/** The raw key behind a Relay global id of any of those types; anything else passes through unchanged. */
export function anyLocalId(id: string): string {
  try {
    const decoded = decodeGlobalID(id);
    if (subjectTypes.has(decoded.typename)) return decoded.id;
  } catch {
    // not a global id: a raw one
  }
  return id;
}
