import 'server-only';
import { HaproxyHold } from '@/lib/models/haproxy';
import type { Db } from '@/server/db';
import { EndableStore, fromRow } from '@/server/db/rows';

// HAProxy holds in SQLite (table `haproxy_holds`, migration 6). At most one open hold per cluster +
// backend + server + aspect (a partial unique index): setting one where one is open ends the old one
// in the same transaction, unless it asks for the same thing (then the open one is kept).

function toHold(raw: unknown): HaproxyHold {
  return fromRow(HaproxyHold, raw);
}

export type NewHold = { cluster: string; backend: string; server: string; actor: string; reason: string; createdAt: number } & (
  | { aspect: 'state'; state: 'drain' | 'maint' }
  | { aspect: 'weight'; weight: number }
);

export class HaproxyHoldStore extends EndableStore<HaproxyHold> {
  constructor(db: Db) {
    super(db, 'haproxy_holds', toHold);
  }

  /** Open holds of one server. */
  openFor(cluster: string, backend: string, server: string): HaproxyHold[] {
    return this.db
      .prepare('SELECT * FROM haproxy_holds WHERE ended_at IS NULL AND cluster = ? AND backend = ? AND server = ? ORDER BY id')
      .all(cluster, backend, server)
      .map(toHold);
  }

  /** Open a hold, ending any other open one of the same aspect; the same request keeps the open one. */
  set(n: NewHold): HaproxyHold {
    return this.db.transaction((): HaproxyHold => {
      const state = n.aspect === 'state' ? n.state : null;
      const weight = n.aspect === 'weight' ? n.weight : null;
      const cur = this.openFor(n.cluster, n.backend, n.server).find((h) => h.aspect === n.aspect);
      if (cur && cur.state === state && cur.weight === weight) return cur;
      if (cur) this.endRow(cur.id, n.createdAt, n.actor, `replaced by ${n.aspect === 'state' ? n.state : `weight ${weight}`}`);
      const info = this.db
        .prepare(
          `INSERT INTO haproxy_holds (cluster, backend, server, aspect, state, weight, actor, reason, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(n.cluster, n.backend, n.server, n.aspect, state, weight, n.actor, n.reason, n.createdAt);
      const row = this.db.prepare('SELECT * FROM haproxy_holds WHERE id = ?').get(info.lastInsertRowid);
      return toHold(row);
    })();
  }

  /** End the server's open holds of these aspects; returns how many were ended. */
  end(cluster: string, backend: string, server: string, aspects: readonly HaproxyHold['aspect'][], at: number, by: string, reason: string): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const h of this.openFor(cluster, backend, server)) if (aspects.includes(h.aspect) && this.endRow(h.id, at, by, reason)) n++;
      return n;
    })();
  }

  /** Record a re-apply attempt (error null when it worked). */
  noteReapply(id: string, at: number, error: string | null): void {
    if (error === null) {
      this.db.prepare('UPDATE haproxy_holds SET reapplied = reapplied + 1, last_reapplied_at = ?, last_error = NULL WHERE id = ?').run(at, Number(id));
    } else {
      this.db.prepare('UPDATE haproxy_holds SET last_error = ? WHERE id = ?').run(error, Number(id));
    }
  }
}
