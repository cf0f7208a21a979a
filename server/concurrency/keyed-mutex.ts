// A keyed mutex: one holder per key (per cluster), others queue in arrival order. In-process only:
// one console process owns a cluster's actions (the SQLite unique index backs it up).

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly held = new Set<string>();

  isLocked(key: string): boolean {
    return this.held.has(key);
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
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

  /** Run only if nobody holds or waits for the key; otherwise resolve undefined at once. */
  async tryRun<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.tails.has(key)) return undefined;
    return this.run(key, fn);
  }
}
