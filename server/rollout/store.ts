import 'server-only';
import { Rollout } from '@/lib/models/rollout';
import type { Db } from '@/server/db';

// Rollouts in SQLite (table rollouts): the whole Rollout model as one JSON document per row,
// validated by its schema on every read, with cluster and state in columns for the queries. The
// engine and the actions save a rollout after every transition, so a restarted console resumes
// each one where it was.

const LOG_MAX = 200;

type Row = { id: number; doc: string };

function toRollout(r: Row): Rollout {
  return Rollout.parse({ ...JSON.parse(r.doc), id: String(r.id) });
}

export type NewRollout = Omit<Rollout, 'id'>;

export class RolloutStore {
  constructor(private readonly db: Db) {}

  /** Stores a new rollout; `callbackHash`: the SHA-256 (hex) of its callback secret, if it has one. */
  create(r: NewRollout, callbackHash: string | null = null): Rollout {
    const id = this.db
      .prepare('INSERT INTO rollouts (cluster, state, doc, created_at, updated_at, callback_hash) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.cluster, r.state, JSON.stringify(r), r.createdAt, r.updatedAt, callbackHash).lastInsertRowid;
    return { ...r, id: String(id) };
  }

  /** The SHA-256 (hex) of a rollout's callback secret; null when it has none (or no such rollout). */
  callbackHash(cluster: string, id: string): string | null {
    if (!/^\d{1,15}$/.test(id)) return null;
    const r = this.db.prepare('SELECT callback_hash FROM rollouts WHERE id = ? AND cluster = ?').get(Number(id), cluster) as { callback_hash: string | null } | undefined;
    return r?.callback_hash ?? null;
  }

  get(cluster: string, id: string): Rollout | null {
    if (!/^\d{1,15}$/.test(id)) return null;
    const r = this.db.prepare('SELECT id, doc FROM rollouts WHERE id = ? AND cluster = ?').get(Number(id), cluster) as Row | undefined;
    return r === undefined ? null : toRollout(r);
  }

  /** Running or paused rollouts (of one cluster, or every cluster), oldest first. */
  active(cluster?: string): Rollout[] {
    const rows = (
      cluster === undefined
        ? this.db.prepare("SELECT id, doc FROM rollouts WHERE state IN ('running', 'paused') ORDER BY id").all()
        : this.db.prepare("SELECT id, doc FROM rollouts WHERE state IN ('running', 'paused') AND cluster = ? ORDER BY id").all(cluster)
    ) as Row[];
    return rows.map(toRollout);
  }

  /** The newest rollouts of a cluster, whatever their state, newest first. */
  recent(cluster: string, limit = 50): Rollout[] {
    return (this.db.prepare('SELECT id, doc FROM rollouts WHERE cluster = ? ORDER BY id DESC LIMIT ?').all(cluster, limit) as Row[]).map(toRollout);
  }

  /** Writes the rollout as it is now (the log trimmed to its last LOG_MAX lines). */
  save(r: Rollout): Rollout {
    const kept = r.log.length > LOG_MAX ? { ...r, log: r.log.slice(-LOG_MAX) } : r;
    const { id, ...doc } = kept;
    this.db.prepare('UPDATE rollouts SET state = ?, doc = ?, updated_at = ? WHERE id = ?').run(kept.state, JSON.stringify(doc), kept.updatedAt, Number(id));
    return kept;
  }
}
