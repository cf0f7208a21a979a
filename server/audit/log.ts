import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AuditOutcome, type AuditEntry, type NewAuditEntry } from '@/lib/models/audit';
import { ApiError } from '@/server/api/errors';
import type { Db } from '@/server/db';
import { RefusalAudit, type RefusalOptions } from './refusals';

// Append-only audit log (table `audit`, migration 3). SQLite triggers refuse UPDATE and DELETE;
// each row's hash covers its fields and the previous row's hash, so an edit made behind the
// console's back (triggers dropped, file patched) breaks the chain and `verify()` names the row.
// Changes are audited fail-closed: attempt() writes an 'attempted' row before the change and throws
// (503, nothing may be changed) when it cannot; complete() adds the outcome row naming the attempt.

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
  /** Migration 7: the 'attempted' row this row completes. */
  attempt_id: z.number().int().nullable(),
});
type Row = z.infer<typeof Row>;

/** A listed row, with the id of the row that completed it (for 'attempted' rows). */
const ListedRow = Row.extend({ outcome_id: z.number().int().nullable() });

function rowHash(r: Omit<Row, 'id' | 'hash'> & { id: number }): string {
  // attempt_id joined the row later: covered when set, so rows from before it keep their hashes.
  const fields: unknown[] = [r.id, r.at, r.actor, r.role, r.source, r.action, r.cluster, r.target, r.outcome, r.detail, r.prev_hash];
  if (r.attempt_id !== null) fields.push(r.attempt_id);
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function toEntry(r: Row, outcomeId: number | null = null): AuditEntry {
  let detail: unknown;
  try {
    detail = JSON.parse(r.detail);
  } catch {
    detail = r.detail;
  }
  return {
    id: String(r.id),
    at: r.at,
    actor: r.actor,
    role: r.role,
    source: r.source,
    action: r.action,
    cluster: r.cluster,
    target: r.target,
    outcome: r.outcome,
    attemptId: r.attempt_id === null ? null : String(r.attempt_id),
    outcomeId: outcomeId === null ? null : String(outcomeId),
    detail,
    hash: r.hash,
  };
}

export type VerifyResult =
  | {
      ok: true;
      count: number;
      head: string;
      /** Ids of 'attempted' rows no outcome row completes (still running, or the outcome was lost). */
      unfinished: string[];
    }
  | { ok: false; count: number; badId: string; reason: string };

/** A change whose 'attempted' row could not be written: the change must not be made. */
export function auditUnavailable(e: unknown): ApiError {
  return new ApiError('unavailable', `the audit log cannot be written (${e instanceof Error ? e.message : String(e)}): nothing was changed`);
}

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

  append(e: NewAuditEntry, attemptId: string | null = null): AuditEntry {
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
        attempt_id: attemptId === null ? null : Number(attemptId),
      };
      const hash = rowHash(row);
      this.db
        .prepare(
          'INSERT INTO audit (id, at, actor, role, source, action, cluster, target, outcome, detail, prev_hash, hash, attempt_id) VALUES (@id, @at, @actor, @role, @source, @action, @cluster, @target, @outcome, @detail, @prev_hash, @hash, @attempt_id)',
        )
        .run({ ...row, hash });
      return toEntry(Row.parse({ ...row, hash }));
    }).immediate();
  }

  /**
   * The 'attempted' row of a change, written before the change. Throws a 503 ApiError when it
   * cannot be written: the caller must then change nothing.
   */
  attempt(e: Omit<NewAuditEntry, 'outcome'>): AuditEntry {
    try {
      return this.append({ ...e, outcome: 'attempted' });
    } catch (err) {
      console.error('[audit] cannot write the attempted row: the change is refused', err);
      throw auditUnavailable(err);
    }
  }

  /**
   * The outcome row of an attempt (same actor, action and target; `detail` says how it went).
   * Never throws: the change has been made; if this row cannot be written, the attempt stays
   * without an outcome (shown as "no outcome recorded") and the error goes to the server log.
   */
  complete(attempt: AuditEntry, outcome: Exclude<AuditOutcome, 'attempted'>, detail: unknown): AuditEntry | null {
    try {
      const { actor, role, source, action, cluster, target } = attempt;
      return this.append({ actor, role, source, action, cluster, target, outcome, detail }, attempt.id);
    } catch (err) {
      console.error(`[audit] cannot write the outcome (${outcome}) of attempt #${attempt.id} (${attempt.action} ${attempt.target ?? ''})`, err);
      return null;
    }
  }

  list(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: Math.min(Math.max(q.limit ?? 200, 1), 5000) };
    if (q.cluster) {
      where.push('a.cluster = @cluster');
      args.cluster = q.cluster;
    }
    if (q.beforeId !== undefined) {
      where.push('a.id < @beforeId');
      args.beforeId = q.beforeId;
    }
    if (q.action) {
      where.push('a.action = @action');
      args.action = q.action;
    }
    const completedBy = "(SELECT o.id FROM audit o WHERE o.attempt_id = a.id ORDER BY o.id LIMIT 1)";
    const sql = `SELECT a.*, CASE WHEN a.outcome = 'attempted' THEN ${completedBy} END AS outcome_id FROM audit a ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT @limit`;
    return this.db
      .prepare(sql)
      .all(args)
      .map((r) => {
        const row = ListedRow.parse(r);
        return toEntry(row, row.outcome_id);
      });
  }

  /** Walks the whole chain in id order; the first row whose hash or link does not hold is named. */
  verify(): VerifyResult {
    let prev = GENESIS;
    let count = 0;
    let expectedId = 1;
    /** 'attempted' rows not completed yet. */
    const open = new Set<number>();
    for (const raw of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate()) {
      const parsed = Row.safeParse(raw);
      if (!parsed.success) return { ok: false, count, badId: String((raw as { id?: unknown }).id), reason: 'row does not have the audit shape' };
      const r = parsed.data;
      if (r.id !== expectedId) return { ok: false, count, badId: String(r.id), reason: `row ${expectedId} is missing (deleted?)` };
      if (r.prev_hash !== prev) return { ok: false, count, badId: String(r.id), reason: 'link to the previous row does not match (a row before it was changed or removed)' };
      if (rowHash(r) !== r.hash) return { ok: false, count, badId: String(r.id), reason: 'row content does not match its hash (edited)' };
      if (r.attempt_id !== null) {
        if (r.outcome === 'attempted' || !open.has(r.attempt_id)) {
          return { ok: false, count, badId: String(r.id), reason: `it completes #${r.attempt_id}, which is not an earlier attempted row without an outcome` };
        }
        open.delete(r.attempt_id);
      }
      if (r.outcome === 'attempted') open.add(r.id);
      prev = r.hash;
      count++;
      expectedId++;
    }
    return { ok: true, count, head: prev, unfinished: [...open].map(String) };
  }
}
