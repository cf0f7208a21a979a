import 'server-only';
import { DirectorMaintenance } from '@/lib/models/maintenance';
import type { Db } from '@/server/db';
import { EndableStore, fromRow } from '@/server/db/rows';

// Directors held in maintenance (table director_maintenance): at most one open row per cluster and
// director (a partial unique index), ended when the director is given back.

const toMaintenance = (raw: unknown): DirectorMaintenance => fromRow(DirectorMaintenance, raw);

export interface NewMaintenance {
  cluster: string;
  director: string;
  actor: string;
  reason: string;
  ticket: string | null;
  createdAt: number;
  expiresAt: number | null;
}

export class MaintenanceStore extends EndableStore<DirectorMaintenance> {
  constructor(db: Db) {
    super(db, 'director_maintenance', toMaintenance);
  }

  findOpen(cluster: string, director: string): DirectorMaintenance | null {
    const r = this.db.prepare('SELECT * FROM director_maintenance WHERE ended_at IS NULL AND cluster = ? AND director = ?').get(cluster, director);
    return r === undefined ? null : toMaintenance(r);
  }

  /** Open rows whose lease ran out by `now`, every cluster. */
  expired(now: number): DirectorMaintenance[] {
    return this.db.prepare('SELECT * FROM director_maintenance WHERE ended_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY id').all(now).map(toMaintenance);
  }

  /** Open and recently ended rows of a cluster, newest first. */
  history(cluster: string, limit = 100): DirectorMaintenance[] {
    return this.db.prepare('SELECT * FROM director_maintenance WHERE cluster = ? ORDER BY id DESC LIMIT ?').all(cluster, limit).map(toMaintenance);
  }

  /** Open a row; an open one for the same director is returned as it is (created false). */
  openFor(n: NewMaintenance): { maintenance: DirectorMaintenance; created: boolean } {
    return this.db.transaction(() => {
      const cur = this.findOpen(n.cluster, n.director);
      if (cur) return { maintenance: cur, created: false };
      const id = this.db
        .prepare('INSERT INTO director_maintenance (cluster, director, actor, reason, ticket, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(n.cluster, n.director, n.actor, n.reason, n.ticket, n.createdAt, n.expiresAt).lastInsertRowid;
      return { maintenance: toMaintenance(this.db.prepare('SELECT * FROM director_maintenance WHERE id = ?').get(Number(id))), created: true };
    })();
  }

  /** End the open row of a director; the ended row, or null when none was open. */
  end(cluster: string, director: string, at: number, by: string, reason: string): DirectorMaintenance | null {
    const cur = this.findOpen(cluster, director);
    if (!cur || !this.endRow(cur.id, at, by, reason)) return null;
    return { ...cur, endedAt: at, endedBy: by, endReason: reason };
  }
}
