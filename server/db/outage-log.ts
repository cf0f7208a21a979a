// While the PostgreSQL store is away every poll's store reads fail the same way: say so once a
// minute per place, not once a poll; any other failure is logged each time.

const QUIET_MS = 60_000;
const lastSaid = new Map<string, number>();

/** The store did not answer (StoreError 'unreachable', 'lost', 'timeout'), by name: bundles may hold two copies of the class. */
export function isStoreDown(e: unknown): boolean {
  return e instanceof Error && e.name === 'StoreError' && ['unreachable', 'lost', 'timeout'].includes(String((e as { code?: unknown }).code));
}

/** Logs `what` failed: a store outage at most once a minute for this `what`, anything else always. */
export function logStoreFailure(what: string, e: unknown, now = Date.now()): void {
  if (isStoreDown(e)) {
    const last = lastSaid.get(what);
    if (last !== undefined && now - last < QUIET_MS) return;
    lastSaid.set(what, now);
    console.error(`${what} (the store is unreachable; said again in a minute if it still is): ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  console.error(what, e);
}
