// Size and depth limits of a JSON input (run metadata, a parameter set's
// factors and code version): descriptors, not payloads. Each is kept in an
// immutable or append-only row, so a limit at the door is the only limit.

import type { Violation } from './violation.ts';

export interface JsonLimits {
  /** UTF-8 bytes of the value serialised as JSON. */
  maxBytes: number;
  /** Nesting of objects and arrays: {} is 1, { "a": [1] } is 2, a scalar 0. */
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 16 };

/** The deepest nesting of `value`, counted without recursion (a hostile input cannot overflow the stack); stops past `limit`. */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, level]);
  }
  return deepest;
}

const encoder = new TextEncoder();

/**
 * Why `value` is too large or too deep for `field`, as a TOO_LARGE violation
 * naming the field; null when it fits. Depth is checked first, so the
 * serialisation that measures the size never meets a hostile nesting.
 */
export function jsonLimitViolation(value: unknown, field: string, { maxBytes, maxDepth }: JsonLimits = DEFAULT_JSON_LIMITS): Violation | null {
  const depth = jsonDepth(value, maxDepth);
  if (depth > maxDepth) {
    return { code: 'TOO_LARGE', field, message: `${field} nests deeper than ${maxDepth} levels.` };
  }
  const bytes = encoder.encode(JSON.stringify(value) ?? '').length;
  if (bytes > maxBytes) {
    return { code: 'TOO_LARGE', field, message: `${field} is ${bytes} bytes of JSON; at most ${maxBytes} are accepted.` };
  }
  return null;
}
