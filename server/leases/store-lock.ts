import 'server-only';
import type { StoreLock } from '@/server/concurrency/keyed-mutex';
import { advisoryKey, type Db } from '@/server/db';
import { DomainError } from '@/server/errors';

// The per-cluster lock across consoles: a PostgreSQL session advisory lock on the console's one
// connection (never waited on in the database: the caller polls, so the thread that runs the
// store is never blocked by another console). SQLite has one console per file: no lock needed.

export function storeLockFor(db: Db): StoreLock | null {
  if (db.dialect !== 'postgres') return null;
  const unreachable = (e: unknown) => new DomainError('unavailable', `the store is unreachable, so no change can be made: ${e instanceof Error ? e.message : String(e)}`);
  const take = db.prepare('SELECT pg_try_advisory_lock(CAST(? AS BIGINT)) AS ok');
  const give = db.prepare('SELECT pg_advisory_unlock(CAST(? AS BIGINT)) AS ok');
  return {
    tryAcquire: (key) => {
      try {
        return (take.get(advisoryKey(key)) as { ok: boolean }).ok;
      } catch (e) {
        throw unreachable(e);
      }
    },
    release: (key) => {
      try {
        give.get(advisoryKey(key));
      } catch {
        // A lost connection has released it already.
      }
    },
  };
}
