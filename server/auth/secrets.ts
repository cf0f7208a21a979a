import 'server-only';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Random identifiers (session ids, CSRF tokens, API tokens) and the hashes stored in their place.
// They carry 256 bits of randomness, so one SHA-256 is enough (no KDF needed).

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
