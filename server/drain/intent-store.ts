import 'server-only';
import { Intent } from '@/lib/models/drain';
import type { Db } from '@/server/db';
import { EndableStore, fromRow } from '@/server/db/rows';

// Drain and weight intents in SQLite (table `intents`, migration 5). At most one open intent per
// cluster + service + real server (a partial unique index): opening one where one is open either
// returns the same one (identical request) or ends the old one in the same transaction.

function toIntent(raw: unknown): Intent {
  // restore_weight is null in rows from before it was recorded: the held weight.
  return fromRow(Intent, raw, (f) => ({ ...f, restoreWeight: f.restoreWeight ?? f.weight }));
}

export interface NewIntent {
  cluster: string;
  service: string;
  realServer: string;
  kind: Intent['kind'];
  weight: number;
  restoreWeight: number;
  mechanism: Intent['mechanism'];
  actor: string;
  reason: string;
  ticket: string | null;
  createdAt: number;
  expiresAt: number | null;
  onExpiry: Intent['onExpiry'];
}

export type OpenResult = { intent: Intent; created: boolean; replaced: Intent | null };

export class IntentStore extends EndableStore<Intent> {
  constructor(db: Db) {
    super(db, 'intents', toIntent);
  }

  /** Open and recently ended intents of a cluster, newest first. */
  history(cluster: string, limit = 200): Intent[] {
    return this.db.prepare('SELECT * FROM intents WHERE cluster = ? ORDER BY id DESC LIMIT ?').all(cluster, limit).map(toIntent);
  }

  get(id: string): Intent | null {
    const r = this.db.prepare('SELECT * FROM intents WHERE id = ?').get(Number(id));
    return r === undefined ? null : toIntent(r);
  }

  findOpen(cluster: string, service: string, realServer: string): Intent | null {
    const r = this.db.prepare('SELECT * FROM intents WHERE ended_at IS NULL AND cluster = ? AND service = ? AND real_server = ?').get(cluster, service, realServer);
    return r === undefined ? null : toIntent(r);
  }

  /**
   * Open an intent. An open one with the same kind and weight is kept (created false: a repeated or
   * concurrent request); any other open one on the same real server is ended as replaced.
   */
  openIntent(n: NewIntent): OpenResult {
    return this.db.transaction((): OpenResult => {
      const cur = this.findOpen(n.cluster, n.service, n.realServer);
      if (cur && cur.kind === n.kind && cur.weight === n.weight && cur.mechanism === n.mechanism) return { intent: cur, created: false, replaced: null };
      if (cur) this.endRow(cur.id, n.createdAt, n.actor, `replaced by a ${n.kind} to weight ${n.weight}`);
      const info = this.db
        .prepare(
          `INSERT INTO intents (cluster, service, real_server, kind, weight, restore_weight, mechanism, actor, reason, ticket, created_at, expires_at, on_expiry)
           VALUES (@cluster, @service, @realServer, @kind, @weight, @restoreWeight, @mechanism, @actor, @reason, @ticket, @createdAt, @expiresAt, @onExpiry)`,
        )
        .run(n);
      const intent = this.get(String(info.lastInsertRowid));
      if (!intent) throw new Error('intent vanished after insert');
      return { intent, created: true, replaced: cur };
    })();
  }

  /** End an open intent; returns it as ended, or null when it was not open. */
  end(id: string, at: number, by: string, reason: string): Intent | null {
    return this.db.transaction(() => (this.endRow(id, at, by, reason) ? this.get(id) : null))();
  }
}
