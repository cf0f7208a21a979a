import { describe, expect, it, vi } from 'vitest';
import { HashGate, hashPassword, isPasswordHashBusy, parsePasswordHash, SCRYPT_DEFAULTS, verifyNobody, verifyPassword } from './password';

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

describe('HashGate (issue 14, item 2: bounded concurrent password hashes)', () => {
  it('runs at most `max` at once, queues at most `maxQueued`, refuses the rest at once, hands slots over', async () => {
    const gate = new HashGate(2, 3);
    const releases: (() => void)[] = [];
    let peak = 0;
    let running = 0;
    const job = () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return 'done';
      });
    const accepted = Array.from({ length: 5 }, job);
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(3);
    // The sixth is refused without waiting for anything.
    const refused = await job().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isPasswordHashBusy(refused)).toBe(true);
    // Let them finish one by one; never more than two run.
    for (let i = 0; i < 5; i++) {
      await vi.waitFor(() => expect(releases.length).toBeGreaterThan(0));
      expect(gate.running).toBe(Math.min(2, 5 - i));
      releases.shift()?.();
    }
    await expect(Promise.all(accepted)).resolves.toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(gate.running).toBe(0);
    expect(gate.queued).toBe(0);
  });

  it('frees the slot when the job fails', async () => {
    const gate = new HashGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
