import { describe, expect, it } from 'vitest';
import { FailureRateLimiter } from './rate-limit';

describe('FailureRateLimiter', () => {
  it('allows `limit` failures per key in the window, then refuses with the wait, then allows again', () => {
    let t = 1_000_000;
    const rl = new FailureRateLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    const keys = ['address:192.0.2.1', 'user:ada'];
    for (let i = 0; i < 3; i++) {
      expect(rl.check(keys)).toEqual({ ok: true });
      rl.fail(keys);
      t += 1000;
    }
    expect(rl.check(keys)).toEqual({ ok: false, retryAfterSeconds: 57 });
    // Another address, same user name: still refused (per user name); another user, same address too.
    expect(rl.check(['address:192.0.2.9', 'user:ada']).ok).toBe(false);
    expect(rl.check(['address:192.0.2.1', 'user:bob']).ok).toBe(false);
    expect(rl.check(['address:192.0.2.9', 'user:bob']).ok).toBe(true);
    t += 57_000;
    expect(rl.check(keys).ok).toBe(true);
  });

  it('forgets the oldest keys beyond maxKeys', () => {
    const rl = new FailureRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 5 });
    rl.fail(['a']);
    rl.fail(['b']);
    rl.fail(['c']);
    expect(rl.check(['a']).ok).toBe(true);
    expect(rl.check(['c']).ok).toBe(false);
  });
});

describe('FailureRateLimiter.reserve (issue 14, item 2: no race between check and count)', () => {
  it('counts an attempt when it is let through: 40 reservations back to back, only `limit` pass', () => {
    const rl = new FailureRateLimiter({ limit: 5, windowMs: 60_000, now: () => 1_000 });
    const keys = ['address:192.0.2.1', 'user:ada'];
    const decisions = Array.from({ length: 40 }, () => rl.reserve(keys));
    expect(decisions.filter((d) => d.ok)).toHaveLength(5);
    expect(decisions.filter((d) => !d.ok)).toHaveLength(35);
  });

  it('giveBack uncounts one reserved attempt (a right password), once', () => {
    const rl = new FailureRateLimiter({ limit: 2, windowMs: 60_000, now: () => 1_000 });
    const a = rl.reserve(['k']);
    const b = rl.reserve(['k']);
    expect(rl.reserve(['k']).ok).toBe(false);
    if (!a.ok || !b.ok) throw new Error('the first two must pass');
    rl.giveBack(a.reservation);
    rl.giveBack(a.reservation); // a second give-back of the same reservation changes nothing more...
    const c = rl.reserve(['k']);
    expect(c.ok).toBe(true);
    expect(rl.reserve(['k']).ok).toBe(false); // ...than one: b and c count
  });
});
