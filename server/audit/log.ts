import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AuditOutcome, type AuditEntry, type NewAuditEntry } from '@/lib/models/audit';
import type { Db } from '@/server/db';
import { RefusalAudit, type RefusalOptions } from './refusals';

// Append-only audit log (table `audit`, migration 3). SQLite triggers refuse UPDATE and DELETE;
// each row's hash covers its fields and the previous row's hash, so an edit made behind the
// console's back (triggers dropped, file patched) breaks the chain and `verify()` names the row.

const GENESIS = '0'.repeat(64);

const Row = z.object({
  id: z.number().int(),
  at: z.number(),
  actor: z.string(),
  role: z.string().nullable(),
  source: z.string(),
  action: z.string(),
  cluster: z.string().nullable(),
  target: z.string().nullable(),
  outcome: AuditOutcome,
  detail: z.string(),
  prev_hash: z.string(),
  hash: z.string(),
});
type Row = z.infer<typeof Row>;

function rowHash(r: Omit<Row, 'id' | 'hash'> & { id: number }): string {
  const canonical = JSON.stringify([r.id, r.at, r.actor, r.role, r.source, r.action, r.cluster, r.target, r.outcome, r.detail, r.prev_hash]);
  return createHash('sha256').update(canonical).digest('hex');
}

function toEntry(r: Row): AuditEntry {
  let detail: unknown;
  try {
    detail = JSON.parse(r.detail);
  } catch {
    detail = r.detail;
  }
  return { id: String(r.id), at: r.at, actor: r.actor, role: r.role, source: r.source, action: r.action, cluster: r.cluster, target: r.target, outcome: r.outcome, detail, hash: r.hash };
}

export type VerifyResult = { ok: true; count: number; head: string } | { ok: false; count: number; badId: string; reason: string };

export interface AuditQuery {
  cluster?: string | null;
  /** Only entries with id below this (paging backwards). */
  beforeId?: number;
  limit?: number;
  action?: string;
}

export interface AuditLogOptions {
  /** How refused requests are counted (server/audit/refusals.ts). */
  refusals?: RefusalOptions;
}

export class AuditLog {
  /** Refused requests: one row per source and minute, plus a count (not one row each). */
  readonly refusals: RefusalAudit;

  constructor(
    private readonly db: Db,
    opts: AuditLogOptions = {},
  ) {
    this.refusals = new RefusalAudit((e) => this.append(e), opts.refusals);
  }

  append(e: NewAuditEntry): AuditEntry {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
      const id = (last?.id ?? 0) + 1;
      const row = {
        id,
        at: e.at ?? Date.now(),
        actor: e.actor,
        role: e.role,
        source: e.source,
        action: e.action,
        cluster: e.cluster,
        target: e.target,
        outcome: e.outcome,
        detail: JSON.stringify(e.detail ?? null),
        prev_hash: last?.hash ?? GENESIS,
      };
      const hash = rowHash(row);
      this.db
        .prepare(
          'INSERT INTO audit (id, at, actor, role, source, action, cluster, target, outcome, detail, prev_hash, hash) VALUES (@id, @at, @actor, @role, @source, @action, @cluster, @target, @outcome, @detail, @prev_hash, @hash)',
        )
        .run({ ...row, hash });
      return toEntry(Row.parse({ ...row, hash }));
    }).immediate();
  }

  list(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: Math.min(Math.max(q.limit ?? 200, 1), 5000) };
    if (q.cluster) {
      where.push('cluster = @cluster');
      args.cluster = q.cluster;
    }
    if (q.beforeId !== undefined) {
      where.push('id < @beforeId');
      args.beforeId = q.beforeId;
    }
    if (q.action) {
      where.push('action = @action');
      args.action = q.action;
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return this.db
      .prepare(sql)
      .all(args)
      .map((r) => toEntry(Row.parse(r)));
  }

  /** Walks the whole chain in id order; the first row whose hash or link does not hold is named. */
  verify(): VerifyResult {
    let prev = GENESIS;
    let count = 0;
    let expectedId = 1;
    for (const raw of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate()) {
      const parsed = Row.safeParse(raw);
      if (!parsed.success) return { ok: false, count, badId: String((raw as { id?: unknown }).id), reason: 'row does not have the audit shape' };
      const r = parsed.data;
      if (r.id !== expectedId) return { ok: false, count, badId: String(r.id), reason: `row ${expectedId} is missing (deleted?)` };
      if (r.prev_hash !== prev) return { ok: false, count, badId: String(r.id), reason: 'link to the previous row does not match (a row before it was changed or removed)' };
      if (rowHash(r) !== r.hash) return { ok: false, count, badId: String(r.id), reason: 'row content does not match its hash (edited)' };
      prev = r.hash;
      count++;
      expectedId++;
    }
    return { ok: true, count, head: prev };
  }
}
