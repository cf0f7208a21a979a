// Failed-login limiter: at most `limit` failures per key (source address, user name) in a sliding
// window; beyond that every attempt on that key is refused until the oldest failure ages out. Pure
// (clock injected), in memory: a restart forgets, which is acceptable for a one-minute window.
//
// A login reserves its attempt (counted as a failure) before the password is checked, and gives it
// back when the password was right: checking first and counting after the (slow, asynchronous)
// hash would let any number of parallel guesses through while the first ones are still hashing.

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  now?: () => number;
  /** Keys remembered at most (oldest dropped first), so a flood of names cannot exhaust memory. */
  maxKeys?: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** An attempt counted in advance; `giveBack` uncounts it. */
export interface Reservation {
  readonly keys: readonly string[];
  readonly at: number;
}
export type ReserveDecision = { ok: true; reservation: Reservation } | { ok: false; retryAfterSeconds: number };

export class FailureRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly returned = new WeakSet<Reservation>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? (() => Date.now());
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  private recent(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((at) => at > t - this.opts.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Whether an attempt on all of these keys may proceed now. */
  check(keys: readonly string[]): RateDecision {
    const t = this.now();
    let wait = 0;
    for (const key of keys) {
      const list = this.recent(key, t);
      if (list.length >= this.opts.limit) {
        const oldest = list[list.length - this.opts.limit] ?? t;
        wait = Math.max(wait, oldest + this.opts.windowMs - t);
      }
    }
    return wait > 0 ? { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) } : { ok: true };
  }

  fail(keys: readonly string[]): void {
    this.record(keys, this.now());
  }

  /**
   * Check and count in one step (no await between them): an attempt that may proceed is counted as
   * a failure at once. Give it back with `giveBack` when it succeeded (or was never evaluated).
   */
  reserve(keys: readonly string[]): ReserveDecision {
    const decision = this.check(keys);
    if (!decision.ok) return decision;
    const at = this.now();
    this.record(keys, at);
    return { ok: true, reservation: { keys: [...keys], at } };
  }

  /** Uncounts a reserved attempt (once; a second call does nothing more than a first). */
  giveBack(r: Reservation): void {
    if (this.returned.has(r)) return;
    this.returned.add(r);
    for (const key of r.keys) {
      const list = this.failures.get(key);
      const i = list ? list.lastIndexOf(r.at) : -1;
      if (!list || i < 0) continue;
      list.splice(i, 1);
      if (list.length === 0) this.failures.delete(key);
    }
  }

  private record(keys: readonly string[], t: number): void {
    for (const key of keys) {
      const list = this.recent(key, t);
      list.push(t);
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > this.maxKeys) {
      const first = this.failures.keys().next();
      if (first.done) break;
      this.failures.delete(first.value);
    }
  }
}
