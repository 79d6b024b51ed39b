/**
 * Token passwords: random, strong, and stored only as a salted hash. A password is 256 random bits,
 * so a fast salted HMAC-SHA-256 is as safe to store as a slow KDF; scrypt (N=16384) cost ~90 ms of
 * CPU per create, which made the emulator, not the clients, the bottleneck of a benchmark. Hashes
 * written by older versions (`scrypt$...`, in saved state files) still verify.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** 32 random bytes as base64url: 43 characters. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

const hmac = (password: string, salt: Buffer): Buffer => createHmac('sha256', salt).update(password, 'utf8').digest();

/** `hmac-sha256$salt$hash` (salt and hash base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return ['hmac-sha256', salt.toString('base64url'), hmac(password, salt).toString('base64url')].join('$');
}

/** True when `password` matches a hash made by {@link hashPassword}; false for any other hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length === 3 && parts[0] === 'hmac-sha256') {
    const expected = Buffer.from(parts[2], 'base64url');
    const key = hmac(password, Buffer.from(parts[1], 'base64url'));
    return expected.length === key.length && timingSafeEqual(key, expected);
  }
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (!n || !r || !p || expected.length !== KEY_LENGTH) return false;
  const key = await scryptAsync(password, salt, n, r, p);
  return timingSafeEqual(key, expected);
}

/** The shape of a stored hash, for checking a state file. */
export const PASSWORD_HASH_PATTERN = /^(scrypt\$\d+\$\d+\$\d+\$|hmac-sha256\$)[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/;
