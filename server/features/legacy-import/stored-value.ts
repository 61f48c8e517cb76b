import canonicalize from 'canonicalize';

// ADR-59: every value is a string. A legacy base_env mostly holds strings,
// but JSONB let numbers, booleans, null and the odd object in; each becomes
// one string, the same every time, and the report lists every conversion.

export interface StoredValue {
  value: string;
  /** False when the legacy value was already that string. */
  converted: boolean;
}

export function storedValue(legacy: unknown): StoredValue {
  if (typeof legacy === 'string') return { value: legacy, converted: false };
  // null has no text of its own: the empty string is what an unset env var reads as.
  if (legacy === null || legacy === undefined) return { value: '', converted: true };
  if (typeof legacy === 'number' || typeof legacy === 'boolean') return { value: String(legacy), converted: true };
  return { value: canonicalize(legacy) ?? '', converted: true };
}

/** How a legacy value is shown in the report: its JSON. */
export function legacyText(legacy: unknown): string {
  return legacy === undefined ? 'undefined' : JSON.stringify(legacy);
}
