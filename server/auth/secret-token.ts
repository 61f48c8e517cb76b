import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random bearer secret with a recognisable prefix (secret scanners catch `ucp_` leaks). */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens and session ids carry 256 random bits, so a fast hash is enough at
 * rest (unlike passwords, they cannot be guessed from a dictionary).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
