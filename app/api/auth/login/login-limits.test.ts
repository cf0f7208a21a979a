import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { passwordGate } from '@/server/auth/password';
import { PASSWORDS, request, writeTestConfig } from '@/server/testing/console-env';
import { POST } from './route';

// Issue 14, item 2: the failed-login limit holds under parallel guesses (the attempt is counted
// before the password is hashed), and password checks beyond the hash gate are refused at once.

let configDir = '';

beforeAll(async () => {
  const { dir, file } = await writeTestConfig();
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

const login = (name: string, password: string, peer: string) => POST(request('/api/auth/login', { method: 'POST', body: { name, password }, peer }), { params: Promise.resolve({}) });


describe('login rate limit under parallel guesses', () => {
  it('40 parallel wrong logins: 5 are evaluated (401), the other 35 get 429', async () => {
    const before = passwordGate.runs;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login('otto', `wrong-guess-${i}`, '192.0.2.80')));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    // Only the five let through were hashed (a scrypt derivation each).
    expect(passwordGate.runs - before).toBe(5);
    // The right password is refused too now: the limit is reached.
    expect((await login('otto', PASSWORDS.otto, '192.0.2.80')).status).toBe(429);
  });

  it('a right password does not count against the limit', async () => {
    for (let i = 0; i < 8; i++) expect((await login('vera', PASSWORDS.vera, '192.0.2.81')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login('vera', `wrong-${i}`, '192.0.2.81')).status).toBe(401);
    expect((await login('vera', 'wrong-again', '192.0.2.81')).status).toBe(429);
  });

  it('when the password-hash gate is full, a login gets 503 at once and is not counted', async () => {
    const hold: (() => void)[] = [];
    const held = Array.from({ length: passwordGate.max + passwordGate.maxQueued }, () => passwordGate.run(() => new Promise<void>((resolve) => hold.push(resolve))));
    expect(passwordGate.queued).toBe(passwordGate.maxQueued);
    const busy = await login('ada', 'wrong-while-busy', '192.0.2.82');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(((await busy.json()) as { error: { message: string } }).error.message).toMatch(/too many logins at once/);
    // Release the gate: every held job runs and finishes.
    for (let i = 0; i < held.length; i++) {
      await vi.waitFor(() => expect(hold.length).toBeGreaterThan(0));
      hold.shift()?.();
    }
    await Promise.all(held);
    expect(passwordGate.running).toBe(0);
    // The refused attempt did not count: five wrong passwords are still evaluated.
    for (let i = 0; i < 5; i++) expect((await login('ada', `wrong-${i}`, '192.0.2.82')).status).toBe(401);
    expect((await login('ada', 'wrong-5', '192.0.2.82')).status).toBe(429);
  });
});
