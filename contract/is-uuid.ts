const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A key PostgreSQL would accept as a uuid; anything else names no row (and must not reach a ::uuid cast). */
export function isUuid(id: string): boolean {
  return uuidPattern.test(id);
}
