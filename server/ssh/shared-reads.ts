import 'server-only';

// Reads that viewers trigger (drain progress -Lnc, HAProxy show stat) cost a director's SSH channel
// each. However many viewers ask, one read per key runs at a time (the others await the same
// promise), and a result younger than `reuseMs` is answered again, as server/api/diagnostics.ts
// does for "check this cluster". After a change the caller invalidates the keys it affects: their
// results are dropped, and a read still in flight is neither joined nor remembered.

interface Flight<V> {
  promise: Promise<V>;
  stale: boolean;
}

export interface SharedReadStats {
  /** Loads started (each one is a real read). */
  loads: number;
  /** Answers served from a read in flight or a recent result. */
  shared: number;
}

export class SharedReads<V> {
  private readonly flights = new Map<string, Flight<V>>();
  private readonly recent = new Map<string, { at: number; value: V }>();
  private readonly counts: SharedReadStats = { loads: 0, shared: 0 };

  constructor(
    /** A finished result younger than this is answered again (0: only reads in flight are shared). */
    private readonly reuseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value for `key`: a recent result, the read in flight, or a new read by `load`. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const t = this.now();
    for (const [k, r] of this.recent) if (t - r.at >= this.reuseMs) this.recent.delete(k);
    const r = this.recent.get(key);
    if (r) {
      this.counts.shared++;
      return Promise.resolve(r.value);
    }
    const f = this.flights.get(key);
    if (f) {
      this.counts.shared++;
      return f.promise;
    }
    this.counts.loads++;
    const flight: Flight<V> = { promise: Promise.resolve().then(load), stale: false };
    this.flights.set(key, flight);
    flight.promise.then(
      (value) => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
        if (!flight.stale && this.reuseMs > 0) this.recent.set(key, { at: this.now(), value });
      },
      () => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      },
    );
    return flight.promise;
  }

  /** Forget results and in-flight reads of the matching keys (default: all). */
  invalidate(match: (key: string) => boolean = () => true): void {
    for (const k of [...this.recent.keys()]) if (match(k)) this.recent.delete(k);
    for (const [k, f] of [...this.flights]) {
      if (!match(k)) continue;
      f.stale = true;
      this.flights.delete(k);
    }
  }

  stats(): SharedReadStats {
    return { ...this.counts };
  }
}
