/**
 * Agents' passwords, hashed with scrypt (node:crypto): `scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash base64url),
 * the form `switchboard agent hash-password` prints and bot.yaml's `agents[].password_hash` holds. Checking is
 * constant-time; a malformed stored hash never matches.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
/** The shape of a stored hash (checked by the config's validation too). */
export const PASSWORD_HASH = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, bytes, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

/**
 * A new hash of `password` (a random 16-byte salt).
 *
 * @example await hashPassword('correct horse') // 'scrypt$16384$8$1$…$…'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P, KEY_BYTES);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `password` matches `stored` (a hash from {@link hashPassword}); false for a malformed `stored`. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PASSWORD_HASH.exec(stored);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounded cost: a hash with absurd parameters is refused rather than run.
  if (n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const want = Buffer.from(m[5], 'base64url');
  try {
    const got = await derive(password, Buffer.from(m[4], 'base64url'), n, r, p, want.length);
    return timingSafeEqual(got, want);
  } catch {
    return false;
  }
}
