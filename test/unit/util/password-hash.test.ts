import { describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_HASH, verifyPassword } from '../../../src/util/password-hash.ts';

describe('password hashes (scrypt)', () => {
  it('a hash verifies its password only, is salted, and never contains the password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(PASSWORD_HASH);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse battery', b)).toBe(true);
    expect(await verifyPassword('Correct horse battery', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('a malformed or absurdly expensive stored hash never matches', async () => {
    const good = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', good.replace('scrypt$', 'bcrypt$'))).toBe(false);
    expect(await verifyPassword('correct horse battery', good.replace('$16384$', '$1073741824$'))).toBe(false);
    expect(await verifyPassword('correct horse battery', good.replace('$16384$', '$1000$'))).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain text')).toBe(false);
  });
});
