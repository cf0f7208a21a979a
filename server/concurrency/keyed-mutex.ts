// A keyed mutex: one holder per key (per cluster), others queue in arrival order. In-process by
// itself; with a StoreLock (server/leases/store-lock.ts) the holder also holds the key across every
// console sharing the store, so two consoles never interleave changes to one cluster.

/** A lock shared by the consoles of one store. */
export interface StoreLock {
  /** Takes the key's lock, or false at once when another console holds it. */
  tryAcquire(key: string): boolean;
  release(key: string): void;
}

export interface KeyedMutexOptions {
  /** Held with the in-process lock; keys are prefixed with `scope` (e.g. 'lvs:lab'). */
  storeLock?: StoreLock | null;
  scope?: string;
  /** How long run() waits for another console's hold before giving up (default 30 s). */
  storeWaitMs?: number;
  /** Thrown when run() gives up waiting for another console. */
  busy?: (key: string) => Error;
}

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly held = new Set<string>();

  constructor(private readonly opts: KeyedMutexOptions = {}) {}

  isLocked(key: string): boolean {
    return this.held.has(key);
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.queue(key, async () => {
      await this.acquireStore(key);
      try {
        return await fn();
      } finally {
        this.releaseStore(key);
      }
    });
  }

  /** Run only if nobody holds or waits for the key, here or on another console; otherwise resolve undefined at once. */
  async tryRun<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.tails.has(key)) return undefined;
    return this.queue(key, async () => {
      const lock = this.opts.storeLock;
      if (lock && !lock.tryAcquire(this.storeKey(key))) return undefined;
      try {
        return await fn();
      } finally {
        this.releaseStore(key);
      }
    });
  }

  private async queue<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    this.held.add(key);
    try {
      return await fn();
    } finally {
      this.held.delete(key);
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  private storeKey(key: string): string {
    return `${this.opts.scope ?? 'mutex'}:${key}`;
  }

  private async acquireStore(key: string): Promise<void> {
    const lock = this.opts.storeLock;
    if (!lock) return;
    const deadline = Date.now() + (this.opts.storeWaitMs ?? 30_000);
    for (let pause = 50; !lock.tryAcquire(this.storeKey(key)); pause = Math.min(pause * 2, 500)) {
      if (Date.now() >= deadline) throw this.opts.busy?.(key) ?? new Error(`another console is changing ${key}`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  private releaseStore(key: string): void {
    this.opts.storeLock?.release(this.storeKey(key));
  }
}
