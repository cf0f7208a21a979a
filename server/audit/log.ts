import 'server-only';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuditEntry, type AuditOutcome, type NewAuditEntry } from '@/lib/models/audit';
import { DomainError } from '@/server/errors';
import type { Db } from '@/server/db';
import type { AuditKey } from './key';
import { RefusalAudit, type RefusalOptions } from './refusals';

// Append-only audit log (table `audit`, migration 3). SQLite triggers refuse UPDATE and DELETE;
// each row's hash covers its fields and the previous row's hash, so an edit made behind the
// console's back (triggers dropped, file patched) breaks the chain and `verify()` names the row.
// Changes are audited fail-closed: attempt() writes an 'attempted' row before the change and throws
// (503, nothing may be changed) when it cannot; complete() adds the outcome row naming the attempt.
//
// Keyed chain (issue 14, item 9): with the audit key (server/audit/key.ts, kept outside the
// database) every new row is scheme 2, its hash an HMAC-SHA256 over all its fields, so rewriting
// a row needs the key as well as the database. Rows written before the key existed stay scheme 1
// (plain SHA-256) and are never rewritten; the first keyed row's HMAC covers their head, and no
// unkeyed row may follow a keyed one. Removing the newest rows leaves a valid shorter chain:
// that is caught against an anchor, the head (`[audit] head id=N hash=H`) exported to the log and
// webhooks (server/audit/anchor.ts), with verify({ anchors }).

const GENESIS = '0'.repeat(64);

/** 1: SHA-256 (rows from before the audit key); 2: HMAC-SHA256 with the audit key. */
const Scheme = z.union([z.literal(1), z.literal(2)]);

/** A stored row: the entry's own fields (lib/models/audit.ts, a zod/mini schema: its shape taken into a classic object) and the chain's columns. */
const Row = z.object(AuditEntry.shape).pick({ at: true, actor: true, role: true, source: true, action: true, cluster: true, target: true, outcome: true }).extend({
  id: z.number().int(),
  detail: z.string(),
  prev_hash: z.string(),
  hash: z.string(),
  /** Migration 7: the 'attempted' row this row completes. */
  attempt_id: z.number().int().nullable(),
  /** Migration 8. */
  scheme: Scheme,
  /** Migration 8: which key made a scheme-2 row (AuditKey.id); null for scheme 1. */
  key_id: z.string().nullable(),
});
type Row = z.infer<typeof Row>;

/** A listed row, with the id of the row that completed it (for 'attempted' rows). */
const ListedRow = Row.extend({ outcome_id: z.number().int().nullable() });

function sha256Hash(r: Omit<Row, 'hash'>): string {
  // attempt_id joined the row later: covered when set, so rows from before it keep their hashes.
  const fields: unknown[] = [r.id, r.at, r.actor, r.role, r.source, r.action, r.cluster, r.target, r.outcome, r.detail, r.prev_hash];
  if (r.attempt_id !== null) fields.push(r.attempt_id);
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function hmacHash(r: Omit<Row, 'hash'>, key: AuditKey): string {
  const fields = [2, r.key_id, r.id, r.at, r.actor, r.role, r.source, r.action, r.cluster, r.target, r.outcome, r.detail, r.prev_hash, r.attempt_id];
  return createHmac('sha256', key.key).update(JSON.stringify(fields)).digest('hex');
}

/** Equal hashes, compared in constant time. */
function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
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
      /** Rows 1..unkeyed are scheme 1 (from before the audit key); the rest are keyed. */
      unkeyed: number;
      /** The anchors the chain reached (each matched). */
      anchors: number;
    }
  | { ok: false; count: number; badId: string; reason: string };

/** A head exported earlier: the row with this id must still have this hash (or a hash starting so). */
export interface AuditAnchor {
  id: number;
  hash: string;
}

/** The newest row, as exported for anchors. */
export interface AuditHead {
  id: number;
  hash: string;
  at: number;
}

/** A change whose 'attempted' row could not be written: the change must not be made. */
export function auditUnavailable(e: unknown): DomainError {
  return new DomainError('unavailable', `the audit log cannot be written (${e instanceof Error ? e.message : String(e)}): nothing was changed`);
}

/** The newest keyed row's id and key id (which key this log is being written with), or null. */
export function newestKeyedRow(db: Db): { id: number; keyId: string } | null {
  const r = db.prepare('SELECT id, key_id FROM audit WHERE scheme = 2 ORDER BY id DESC LIMIT 1').get() as { id: number; key_id: string } | undefined;
  return r ? { id: r.id, keyId: r.key_id } : null;
}

export interface AuditQuery {
  cluster?: string | null;
  /** Only entries with id below this (paging backwards). */
  beforeId?: number;
  limit?: number;
  action?: string;
  /** Rows a rollout caused: its own changes (source "rollout #ID", its callback) and its start and actions. */
  rollout?: string;
}

export interface AuditLogOptions {
  /**
   * The audit key: new rows are keyed (HMAC) and verify() checks keyed rows. The console and lvsctl
   * always pass it; without one (tests) rows are unkeyed, and none can be added after a keyed one.
   */
  key?: AuditKey | null;
  /** How refused requests are counted (server/audit/refusals.ts). */
  refusals?: RefusalOptions;
  /**
   * The console writing (its id in the consoles table), stored beside each row so a store shared by
   * several consoles says which wrote what. Outside the hash: the chain's scheme is unchanged.
   */
  console?: string | null;
}

export class AuditLog {
  /** Refused requests: one row per source and minute, plus a count (not one row each). */
  readonly refusals: RefusalAudit;

  private readonly key: AuditKey | null;
  private readonly console: string | null;

  /** The id of the audit key this log writes and verifies with (null: none). */
  get keyId(): string | null {
    return this.key?.id ?? null;
  }

  constructor(
    private readonly db: Db,
    opts: AuditLogOptions = {},
  ) {
    this.key = opts.key ?? null;
    this.console = opts.console ?? null;
    this.refusals = new RefusalAudit((e) => this.append(e), opts.refusals);
  }

  append(e: NewAuditEntry, attemptId: string | null = null): AuditEntry {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT id, hash, scheme FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string; scheme: number } | undefined;
      if (!this.key && last !== undefined && last.scheme !== 1) {
        throw new Error('the audit log is keyed: rows can only be added with the audit key (audit.key or stateDir/audit.key)');
      }
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
        scheme: this.key ? (2 as const) : (1 as const),
        key_id: this.key?.id ?? null,
      };
      const hash = this.key ? hmacHash(row, this.key) : sha256Hash(row);
      this.db
        .prepare(
          'INSERT INTO audit (id, at, actor, role, source, action, cluster, target, outcome, detail, prev_hash, hash, attempt_id, scheme, key_id, console) VALUES (@id, @at, @actor, @role, @source, @action, @cluster, @target, @outcome, @detail, @prev_hash, @hash, @attempt_id, @scheme, @key_id, @console)',
        )
        .run({ ...row, hash, console: this.console });
      return toEntry(Row.parse({ ...row, hash }));
    }, { exclusive: 'audit' })();
  }

  /**
   * The 'attempted' row of a change, written before the change. Throws DomainError 'unavailable' (503) when it
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
    if (q.rollout !== undefined) {
      // detail is JSON text: the rollout's number read out of it (each dialect's JSON function).
      const rolloutOf = this.db.dialect === 'postgres' ? "(a.detail::jsonb ->> 'rollout')" : "CAST(json_extract(a.detail, '$.rollout') AS TEXT)";
      where.push(`(a.source IN (@rolloutSource, @rolloutCallback) OR (a.action IN ('rollout-start', 'rollout-action') AND ${rolloutOf} = @rollout))`);
      Object.assign(args, { rollout: String(q.rollout), rolloutSource: `rollout #${q.rollout}`, rolloutCallback: `rollout #${q.rollout} callback` });
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

  /** The newest row (what anchors export), or null for an empty log. */
  head(): AuditHead | null {
    const r = this.db.prepare('SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1').get() as AuditHead | undefined;
    return r ?? null;
  }

  /**
   * Walks the whole chain in id order; the first row whose hash or link does not hold is named.
   * Keyed rows need the key this log was opened with. Each anchor must be reached with its hash:
   * a chain that ends before an anchor was truncated.
   */
  verify(opts: { anchors?: readonly AuditAnchor[] } = {}): VerifyResult {
    const anchors = new Map<number, string>();
    for (const a of opts.anchors ?? []) {
      if (!Number.isInteger(a.id) || a.id < 1 || !/^[0-9a-f]{16,64}$/i.test(a.hash)) throw new Error(`not an anchor: ${a.id}:${a.hash} (a row id and at least 16 hex digits of its hash)`);
      const seen = anchors.get(a.id);
      if (seen !== undefined && !seen.startsWith(a.hash.toLowerCase()) && !a.hash.toLowerCase().startsWith(seen)) {
        return { ok: false, count: 0, badId: String(a.id), reason: `two anchors disagree about #${a.id}` };
      }
      if (seen === undefined || a.hash.length > seen.length) anchors.set(a.id, a.hash.toLowerCase());
    }
    let prev = GENESIS;
    let count = 0;
    let expectedId = 1;
    let unkeyed = 0;
    let reached = 0;
    /** 'attempted' rows not completed yet. */
    const open = new Set<number>();
    const bad = (id: number | string, reason: string): VerifyResult => ({ ok: false, count, badId: String(id), reason });
    for (const raw of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate()) {
      const parsed = Row.safeParse(raw);
      if (!parsed.success) return bad((raw as { id?: unknown }).id as number, 'row does not have the audit shape');
      const r = parsed.data;
      if (r.id !== expectedId) return bad(r.id, `row ${expectedId} is missing (deleted?)`);
      if (r.prev_hash !== prev) return bad(r.id, 'link to the previous row does not match (a row before it was changed or removed)');
      if (r.scheme === 1) {
        if (unkeyed !== count) return bad(r.id, 'an unkeyed row after keyed rows (forged, or written without the audit key)');
        if (r.key_id !== null || !sameHash(sha256Hash(r), r.hash)) return bad(r.id, 'row content does not match its hash (edited)');
        unkeyed++;
      } else {
        if (!this.key) {
          return bad(r.id, `rows from #${r.id} on are keyed (HMAC, key id ${r.key_id ?? '?'}): verifying them needs the audit key (audit.key, or the key file, default stateDir/audit.key)`);
        }
        if (r.key_id !== this.key.id) {
          return bad(r.id, `written with another audit key (key id ${r.key_id ?? 'none'}); the key from ${this.key.source} has id ${this.key.id}: wrong key, or the row was forged`);
        }
        if (!sameHash(hmacHash(r, this.key), r.hash)) return bad(r.id, 'row content does not match its HMAC (edited)');
      }
      if (r.attempt_id !== null) {
        if (r.outcome === 'attempted' || !open.has(r.attempt_id)) return bad(r.id, `it completes #${r.attempt_id}, which is not an earlier attempted row without an outcome`);
        open.delete(r.attempt_id);
      }
      if (r.outcome === 'attempted') open.add(r.id);
      const anchor = anchors.get(r.id);
      if (anchor !== undefined) {
        if (!r.hash.startsWith(anchor)) return bad(r.id, `does not match the anchor (hash ${anchor.slice(0, 16)}… was exported for #${r.id}, the row now has ${r.hash.slice(0, 16)}…): rewritten`);
        reached++;
      }
      prev = r.hash;
      count++;
      expectedId++;
    }
    const beyond = [...anchors.keys()].filter((id) => id > count);
    if (beyond.length > 0) {
      return bad(count + 1, `the chain ends at #${count} but an anchor names #${Math.max(...beyond)}: rows from #${count + 1} on were removed (truncated)`);
    }
    return { ok: true, count, head: prev, unfinished: [...open].map(String), unkeyed, anchors: reached };
  }
}
