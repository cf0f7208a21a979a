import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, SCRYPT_DEFAULTS, verifyNobody, verifyPassword } from './password';

describe('scrypt password hashes', () => {
  it('hashes with the default parameters stored in the string, and verifies', async () => {
    const h = await hashPassword('s3cret passphrase');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(parsePasswordHash(h)).toMatchObject(SCRYPT_DEFAULTS);
    expect(h).not.toContain('s3cret');
    await expect(verifyPassword('s3cret passphrase', h)).resolves.toBe(true);
    await expect(verifyPassword('s3cret passphrasE', h)).resolves.toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const p = { N: 1024, r: 8, p: 1 };
    expect(await hashPassword('x', p)).not.toBe(await hashPassword('x', p));
  });

  it('verifies hashes made with other parameters', async () => {
    const h = await hashPassword('pw', { N: 2048, r: 4, p: 2 });
    expect(h.startsWith('scrypt$2048$4$2$')).toBe(true);
    await expect(verifyPassword('pw', h)).resolves.toBe(true);
  });

  it('refuses malformed or hostile hashes (no match, no huge memory)', async () => {
    for (const bad of ['', 'pw', 'scrypt$1000$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5', 'scrypt$1073741824$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5', '$2b$10$abc']) {
      expect(parsePasswordHash(bad)).toBeNull();
      await expect(verifyPassword('pw', bad)).resolves.toBe(false);
    }
    await expect(verifyNobody('pw')).resolves.toBe(false);
  });

  it('refuses an empty password', async () => {
    await expect(hashPassword('')).rejects.toThrow(/empty/);
  });
});
