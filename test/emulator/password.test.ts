import { randomBytes, scryptSync } from 'node:crypto';
import { generatePassword, hashPassword, PASSWORD_HASH_PATTERN, verifyPassword } from '../../lib/emulator/password';

describe('emulator password hashes', () => {
  it('stores a salted HMAC-SHA-256 that verifies only the same password', async () => {
    const password = generatePassword();
    const hash = await hashPassword(password);
    expect(hash).toMatch(/^hmac-sha256\$/);
    expect(hash).toMatch(PASSWORD_HASH_PATTERN);
    expect(hash).not.toContain(password);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password}x`, hash)).toBe(false);
    // a fresh salt per hash
    expect(await hashPassword(password)).not.toBe(hash);
  });

  it('still verifies scrypt hashes written by older emulator state files', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('old-secret', salt, 32, { N: 1024, r: 8, p: 1 });
    const old = ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(old).toMatch(PASSWORD_HASH_PATTERN);
    expect(await verifyPassword('old-secret', old)).toBe(true);
    expect(await verifyPassword('other', old)).toBe(false);
  });

  it('refuses hashes of an unknown or broken shape', async () => {
    expect(await verifyPassword('x', 'plain$x')).toBe(false);
    expect(await verifyPassword('x', 'hmac-sha256$abc$short')).toBe(false);
    expect('md5$a$b').not.toMatch(PASSWORD_HASH_PATTERN);
  });
});
