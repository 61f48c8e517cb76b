/**
 * The Relay global id the API hands out for a raw key (Pothos' encoding:
 * base64 of `Type:key`). The audit trail names subjects by their raw keys;
 * the console's pages and anchors use the graph's ids.
 */
export function globalId(typename: string, key: string): string {
  return btoa(`${typename}:${key}`);
}
