import type { StoreLock } from '@/server/concurrency/keyed-mutex';
import { DomainError } from '@/server/errors';

// What a service needs to share a store with other consoles (#16): whether this console runs the
// side effects of a cluster now (server/leases/leadership.ts), and the lock that keeps two
// consoles' changes to one cluster apart (server/leases/store-lock.ts).
export interface ConsoleShare {
  /** Default: always (one console). */
  leads?: (cluster: string) => boolean;
  /** Default: none (one console). */
  storeLock?: StoreLock | null;
}

/** The error of an action that waited too long for another console's change to the same cluster. */
export function busyElsewhere(what: string): DomainError {
  return new DomainError('conflict', `another console is changing ${what}; try again in a moment`);
}
