import 'server-only';
import type { Db } from '@/server/db';

// The rows behind several consoles on one store (migration: consoles, leases). One tick of a
// console is one transaction under an exclusive lock: its heartbeat, the renewal of what it holds,
// and the leases it takes or gives back. Times are the database's clock, so consoles whose clocks
// disagree still agree on when a lease ran out.

export interface ConsoleRow {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  seenAt: number;
}

export interface LeaseRow {
  name: string;
  holder: string;
  acquiredAt: number;
  renewedAt: number;
  expiresAt: number;
}

export interface Me {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
}

export interface TickResult {
  /** The database's clock at the tick (epoch ms). */
  now: number;
  /** The names this console holds after the tick. */
  mine: string[];
  consoles: ConsoleRow[];
  leases: LeaseRow[];
}

const toConsole = (r: Record<string, unknown>): ConsoleRow => ({ id: String(r.id), host: String(r.host), pid: Number(r.pid), startedAt: Number(r.started_at), seenAt: Number(r.seen_at) });
const toLease = (r: Record<string, unknown>): LeaseRow => ({ name: String(r.name), holder: String(r.holder), acquiredAt: Number(r.acquired_at), renewedAt: Number(r.renewed_at), expiresAt: Number(r.expires_at) });

/** A console not seen for this long is forgotten (its row deleted). */
const FORGET_AFTER_MS = 24 * 3_600_000;

export class LeaseStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      now: db.prepare(
        db.dialect === 'postgres'
          ? 'SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS now'
          : "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now",
      ),
      beat: db.prepare('INSERT INTO consoles (id, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at'),
      forget: db.prepare('DELETE FROM consoles WHERE seen_at < ?'),
      consoles: db.prepare('SELECT * FROM consoles ORDER BY started_at, id'),
      leases: db.prepare('SELECT * FROM leases ORDER BY name'),
      renew: db.prepare('UPDATE leases SET renewed_at = ?, expires_at = ? WHERE name = ? AND holder = ?'),
      take: db.prepare(
        'INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at',
      ),
      release: db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?'),
      leave: db.prepare('DELETE FROM consoles WHERE id = ?'),
    };
  }

  /**
   * One tick: heartbeat; renew what this console holds; take the names nobody holds (or whose
   * holder let the lease run out) up to its fair share of the live consoles (all of them when a
   * name has had no holder for a whole lease); give one back when it holds more than its share, so
   * a console that comes back gets work again.
   */
  tick(me: Me, names: readonly string[], ttlMs: number): TickResult {
    return this.db.transaction(
      (): TickResult => {
        const now = Number((this.s.now.get() as { now: number }).now);
        this.s.beat.run(me.id, me.host, me.pid, me.startedAt, now);
        this.s.forget.run(now - FORGET_AFTER_MS);
        const consoles = (this.s.consoles.all() as Record<string, unknown>[]).map(toConsole);
        const live = consoles.filter((c) => c.seenAt > now - ttlMs);
        const byName = new Map((this.s.leases.all() as Record<string, unknown>[]).map((r) => [String(r.name), toLease(r)]));
        const fair = Math.ceil(names.length / Math.max(1, live.length));
        const mine = names.filter((n) => {
          const l = byName.get(n);
          return l !== undefined && l.holder === me.id && l.expiresAt > now;
        });
        for (const n of mine) this.s.renew.run(now, now + ttlMs, n, me.id);
        for (const n of names) {
          if (mine.includes(n)) continue;
          const l = byName.get(n);
          const free = l === undefined || l.expiresAt <= now;
          // Unheld for a whole lease (its holder gone, the others full): anyone takes it.
          const abandoned = l === undefined || l.expiresAt <= now - ttlMs;
          if (free && (mine.length < fair || abandoned)) {
            this.s.take.run(n, me.id, now, now, now + ttlMs);
            mine.push(n);
          }
        }
        if (mine.length > fair && live.length > 1) {
          // The store's housekeeping goes first, then the most recently taken cluster (the others keep
          // their warm state).
          const rank = (n: string) => [n.startsWith('@') ? 0 : 1, -(byName.get(n)?.acquiredAt ?? now), n] as const;
          const newest = [...mine].sort((a, b) => {
            const [x, y] = [rank(a), rank(b)];
            return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
          })[0]!;
          this.s.release.run(now, newest, me.id);
          mine.splice(mine.indexOf(newest), 1);
        }
        const leases = (this.s.leases.all() as Record<string, unknown>[]).map(toLease);
        return { now, mine, consoles, leases };
      },
      { exclusive: 'leases' },
    )();
  }

  /** Gives everything back at once (a clean shutdown: the others take over at their next tick). */
  leave(me: Me, names: readonly string[]): void {
    this.db.transaction(
      () => {
        const now = Number((this.s.now.get() as { now: number }).now);
        for (const n of names) this.s.release.run(now, n, me.id);
        this.s.leave.run(me.id);
      },
      { exclusive: 'leases' },
    )();
  }
}
