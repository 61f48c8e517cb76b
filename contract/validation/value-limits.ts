// How large a value may be. A value is copied into every later version of its
// environment (config_versions keeps full snapshots, append-only), so one
// oversized value costs its size again on every save, forever.

/**
 * The global ceiling when the server's setting (MAX_VALUE_LENGTH) says
 * nothing, in characters. The longest seeded value (a symbol list) has 40;
 * CEL validators are catalog fields, not values, and have their own cap.
 */
export const DEFAULT_MAX_VALUE_LENGTH = 4096;

/** No setting and no catalog override goes past this (the database's CHECK says the same). */
export const MAX_VALUE_LENGTH_LIMIT = 1_048_576;

/** The limit a value of `entry` is held to: its catalog override, else the ceiling given (if any). */
export function valueLengthLimit(entry: { maxLength?: number | null }, ceiling?: number): number | undefined {
  return entry.maxLength ?? ceiling;
}
