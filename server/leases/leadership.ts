import 'server-only';
import crypto from 'node:crypto';
import os from 'node:os';
import type { Db } from '@/server/db';
import { LeaseStore, type ConsoleRow, type LeaseRow, type Me } from './store';
import { STORE_LEASE } from '@/lib/models/consoles';

// Which clusters this console leads: per cluster, one console of those sharing the store runs the
// side effects (drain and HAProxy reconcilers, events and their back-fill, webhooks, rollouts,
// history); every console serves every page and action. A lease is renewed every interval and
// lasts ttlMs; this console counts it as its own only until ttlMs - margin after the tick that
// renewed it began, so it has stopped before another console can take it. A tick that fails (the
// store unreachable) drops every lease at once.

export { STORE_LEASE };

export interface LeadershipOptions {
  db: Db;
  /** The clusters' names (STORE_LEASE is added). */
  clusters: readonly string[];
  ttlMs: number;
  intervalMs: number;
  /** Called when this console takes a name (e.g. to back-fill a cluster's events). */
  onAcquire?: (name: string) => void;
  log?: (line: string) => void;
  /** A monotonic clock (default performance.now). */
  clock?: () => number;
}

export interface LeadershipView {
  self: string;
  ttlMs: number;
  storeReachable: boolean;
  storeError: string | null;
  consoles: (ConsoleRow & { self: boolean; live: boolean; leads: string[] })[];
  leases: (LeaseRow & { ageMs: number; expiresInMs: number })[];
  /** The database clock at the last tick, and how long ago that tick was (ms). */
  at: number;
}

/** This console stops this long before its lease runs out in the store (at most a quarter of it). */
const MARGIN_MS = 1_000;

export class Leadership {
  readonly me: Me;
  private readonly store: LeaseStore;
  private readonly names: string[];
  private readonly clock: () => number;
  private mine = new Set<string>();
  private validUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private last: { now: number; consoles: ConsoleRow[]; leases: LeaseRow[]; at: number } | null = null;
  private error: string | null = null;
  private closed = false;

  constructor(private readonly opts: LeadershipOptions) {
    this.store = new LeaseStore(opts.db);
    this.names = [...opts.clusters, STORE_LEASE];
    this.clock = opts.clock ?? (() => performance.now());
    const host = os.hostname();
    this.me = { id: `${host}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, host, pid: process.pid, startedAt: Date.now() };
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Whether this console runs the side effects of `name` (a cluster, or STORE_LEASE) now. */
  leads(name: string): boolean {
    return this.mine.has(name) && this.clock() < this.validUntil;
  }

  /** One heartbeat: renew, take, give back (also run by start() and tests). */
  tick(): void {
    if (this.closed) return;
    const began = this.clock();
    try {
      const r = this.store.tick(this.me, this.names, this.opts.ttlMs);
      const before = this.mine;
      this.mine = new Set(r.mine);
      this.validUntil = began + this.opts.ttlMs - Math.min(MARGIN_MS, this.opts.ttlMs / 4);
      this.last = { now: r.now, consoles: r.consoles, leases: r.leases, at: this.clock() };
      if (this.error !== null) this.opts.log?.(`[leases] the store answers again; leading ${[...this.mine].join(', ') || 'nothing'}`);
      this.error = null;
      for (const n of r.mine) {
        if (!before.has(n)) {
          this.opts.log?.(`[leases] ${this.me.id} now leads ${n}`);
          this.opts.onAcquire?.(n);
        }
      }
      for (const n of before) if (!this.mine.has(n)) this.opts.log?.(`[leases] ${this.me.id} no longer leads ${n}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (this.error === null) this.opts.log?.(`[leases] the store is unreachable; side effects stop until it answers: ${message}`);
      this.error = message;
      this.mine = new Set();
      this.validUntil = 0;
    }
  }

  view(): LeadershipView {
    const l = this.last;
    const since = l === null ? 0 : this.clock() - l.at;
    const now = (l?.now ?? 0) + since;
    const leases = (l?.leases ?? []).map((x) => ({ ...x, ageMs: Math.max(0, now - x.renewedAt), expiresInMs: x.expiresAt - now }));
    return {
      self: this.me.id,
      ttlMs: this.opts.ttlMs,
      storeReachable: this.error === null,
      storeError: this.error,
      consoles: (l?.consoles ?? []).map((c) => ({
        ...c,
        self: c.id === this.me.id,
        live: c.seenAt > now - this.opts.ttlMs,
        leads: leases.filter((x) => x.holder === c.id && x.expiresInMs > 0).map((x) => x.name),
      })),
      leases,
      at: now,
    };
  }

  /** Stops ticking and gives everything back, so the other consoles take over at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.mine = new Set();
    this.validUntil = 0;
    try {
      this.store.leave(this.me, this.names);
    } catch {
      // The store is gone: the leases run out by themselves.
    }
  }
}
