import 'server-only';
import type { AuditEntry } from '@/lib/models/audit';
import type { Actor } from '@/lib/models/auth';
import {
  HaproxyActionRequest,
  haproxyImpact,
  type HaproxyActionResult,
  type HaproxyHoldList,
  type HaproxyInstanceOutcome,
  type HaproxyInstanceView,
  type HaproxyServer,
  type HaproxyView,
} from '@/lib/models/haproxy';
import { DomainError } from '@/server/errors';
import type { AuditLog } from '@/server/audit/log';
import { haproxySetState, haproxySetWeight, haproxyShowStat } from '@/server/commands/haproxy';
import type { ClusterConfig, HaproxyInstanceConfig } from '@/server/config/schema';
import { KeyedMutex } from '@/server/concurrency/keyed-mutex';
import { busyElsewhere, type ConsoleShare } from '@/server/leases/gate';
import { parseHaproxyStat } from '@/server/parsers/haproxy-stat';
import { exec } from '@/server/ssh/exec';
import type { ChannelPriority } from '@/server/ssh/connection';
import type { SshPool } from '@/server/ssh/pool';
import { SharedReads } from '@/server/ssh/shared-reads';
import { adminState, findHoldDrift, holdMemoKey, type HoldDrift, type HoldMemo } from './drift';
import type { HaproxyHoldStore } from './hold-store';

// HAProxy pools beside LVS: read every configured instance's `show stat` over its director's SSH
// connection, and act on one server on every instance of the cluster at once (as LVS drains act on
// every director): check the target exists everywhere first (else nothing is sent), send the one
// socket line, re-read, verify the new state on each instance, and audit who did what and how it went
// (an 'attempted' row before anything is sent: if it cannot be written, nothing is sent; 503).
//
// Intent: drain, maint and weight open a hold (SQLite) that outlives HAProxy's memory: a reload or
// restart brings the server back as the configuration says, and the reconciler (every interval,
// only while a cluster has open holds) re-applies the hold on the instance that forgot it, audited
// as "system". ready ends the state hold; release ends every hold of the server and sends nothing.
// Operator actions and re-applies of one cluster never interleave (a per-cluster mutex).

export interface HaproxyDeps {
  clusters: readonly ClusterConfig[];
  pool: SshPool;
  audit: AuditLog;
  holds: HaproxyHoldStore;
  commandTimeoutMs: number;
  /** How often the reconciler looks (the poll interval). */
  intervalMs: number;
  /** Re-apply drifted holds (config drain.reconcile; off on a read-only follower). */
  reconcile: boolean;
  now?: () => number;
  /** Runs a command on a director (default: over SSH, server/ssh/exec.ts); unit tests pass a fake. */
  exec?: typeof exec;
  /** Several consoles on one store: only the cluster's leader re-applies holds; actions lock across consoles. */
  share?: ConsoleShare;
}

export { adminState };

/** A cluster's `show stat` views younger than this are answered again to viewers (the page polls every 2 s). */
export const HAPROXY_VIEW_REUSE_MS = 1000;

export class HaproxyService {
  private readonly mutex: KeyedMutex;
  private readonly memo = new Map<string, HoldMemo>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running = false;
  private closed = false;
  /**
   * Viewers' reads (GET): one `show stat` round per cluster at a time, as low-priority SSH reads,
   * a recent one answered again. Actions and the reconciler read fresh at normal priority, and
   * drop this cache when they changed something.
   */
  private readonly views = new SharedReads<HaproxyInstanceView[]>(HAPROXY_VIEW_REUSE_MS);

  constructor(private readonly deps: HaproxyDeps) {
    this.mutex = new KeyedMutex({ storeLock: deps.share?.storeLock ?? null, scope: 'haproxy', busy: (c) => busyElsewhere(`the HAProxy pools of cluster ${c}`) });
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private run(...args: Parameters<typeof exec>): ReturnType<typeof exec> {
    return (this.deps.exec ?? exec)(...args);
  }

  private cluster(name: string): ClusterConfig {
    const c = this.deps.clusters.find((x) => x.name === name);
    if (!c) throw new DomainError('not-found', `no cluster named "${name}" is configured`);
    return c;
  }

  private async readOne(c: ClusterConfig, h: HaproxyInstanceConfig, priority: ChannelPriority = 'normal'): Promise<HaproxyInstanceView> {
    const director = c.directors.find((d) => d.name === h.director);
    const base = { name: h.name, director: h.director, frontends: [], backends: [] };
    if (!director) return { ...base, readAt: null, error: `no director named "${h.director}"` };
    try {
      const r = await this.run(director, haproxyShowStat(h.socket), { timeoutMs: this.deps.commandTimeoutMs, pool: this.deps.pool, priority });
      const stats = parseHaproxyStat(r.stdout);
      return { ...base, ...stats, readAt: Date.now(), error: null };
    } catch (e) {
      return { ...base, readAt: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** What viewers see (GET /api/clusters/:cluster/haproxy): shared and briefly reused reads; holds from the database. */
  async read(cluster: string): Promise<HaproxyView> {
    const c = this.cluster(cluster);
    const instances = await this.views.get(cluster, () => Promise.all(c.haproxy.map((h) => this.readOne(c, h, 'low'))));
    return { cluster, instances, holds: this.deps.holds.open(cluster) };
  }

  /** The open holds of a cluster, from the database alone (no instance is read): the overview's list. */
  holds(cluster: string): HaproxyHoldList {
    this.cluster(cluster);
    return { cluster, holds: this.deps.holds.open(cluster) };
  }

  async act(cluster: string, body: unknown, actor: Actor): Promise<HaproxyActionResult> {
    const c = this.cluster(cluster);
    const req = HaproxyActionRequest.parse(body);
    if (c.haproxy.length === 0) throw new DomainError('not-found', `cluster "${cluster}" has no HAProxy instances configured`);
    return this.mutex.run(cluster, () => (req.action === 'release' ? Promise.resolve(this.release(cluster, req, actor)) : this.apply(c, req, actor)));
  }

  /** End every open hold of the server; HAProxy is not touched (it keeps whatever it has now). */
  private release(cluster: string, req: HaproxyActionRequest, actor: Actor): HaproxyActionResult {
    const target = `${req.backend}/${req.server}`;
    const held = this.deps.holds.openFor(cluster, req.backend, req.server);
    if (held.length === 0) throw new DomainError('not-found', `nothing is held on ${target} in cluster "${cluster}"`);
    const detail = { reason: req.reason, released: held.map((h) => ({ id: h.id, aspect: h.aspect, state: h.state, weight: h.weight, by: h.actor })) };
    // Before the holds end; if it cannot be written, this throws 503 and nothing changes.
    const attempt = this.deps.audit.attempt({ actor: actor.name, role: actor.role, source: actor.source, action: 'haproxy-release', cluster, target, detail });
    this.deps.holds.end(cluster, req.backend, req.server, ['state', 'weight'], this.now(), actor.name, req.reason || 'released');
    const auditId = this.deps.audit.complete(attempt, 'ok', detail)?.id ?? attempt.id;
    return { cluster, action: 'release', backend: req.backend, server: req.server, weight: null, ok: true, auditId, instances: [], holds: [] };
  }

  private async apply(c: ClusterConfig, req: HaproxyActionRequest, actor: Actor): Promise<HaproxyActionResult> {
    const cluster = c.name;
    const target = `${req.backend}/${req.server}`;
    const state = req.action === 'weight' || req.action === 'release' ? null : req.action;
    const who = { actor: actor.name, role: actor.role, source: actor.source, action: `haproxy-${req.action}`, cluster, target };

    // Every instance must answer and know the server before anything is sent.
    const before = await Promise.all(c.haproxy.map((h) => this.readOne(c, h)));
    const find = (v: HaproxyInstanceView): HaproxyServer | undefined => v.backends.find((b) => b.name === req.backend)?.servers.find((s) => s.name === req.server);
    const unreadable = before.filter((v) => v.error !== null);
    const missing = before.filter((v) => v.error === null && !find(v));
    if (unreadable.length > 0 || missing.length > 0) {
      const why = [
        ...unreadable.map((v) => `${v.name} (on ${v.director}) did not answer: ${v.error}`),
        ...missing.map((v) => `${v.name} (on ${v.director}) has no server ${target}`),
      ].join('; ');
      this.deps.audit.append({ ...who, outcome: 'refused', detail: { reason: req.reason, why, weight: req.weight ?? null } });
      throw new DomainError(missing.length > 0 && unreadable.length === 0 ? 'not-found' : 'director-failed', `nothing was changed: ${why}`);
    }

    // Never the last serving server of a backend out (on any instance) unless forced: refused,
    // audited, nothing sent (as the LVS drain refuses a service's last serving real server).
    const impact = haproxyImpact(before, req.backend, req.server, req.action, req.weight);
    const force = req.force ?? false;
    if (impact.refusals.length > 0 && !force) {
      this.deps.audit.append({ ...who, outcome: 'refused', detail: { reason: req.reason, weight: req.weight ?? null, force, refusals: impact.refusals } });
      throw new DomainError('conflict', `refused, nothing was changed: ${impact.refusals.join('; ')}`, { refusals: impact.refusals });
    }

    // Before anything is sent; if it cannot be written, this throws 503 and nothing changes.
    const forced = force && impact.refusals.length > 0 ? { forced: impact.refusals } : {};
    const attempt = this.deps.audit.attempt({ ...who, detail: { reason: req.reason, weight: req.weight ?? null, force, ...forced, instances: c.haproxy.map((h) => h.name) } });
    const outcomes: HaproxyInstanceOutcome[] = await Promise.all(
      c.haproxy.map(async (h, i): Promise<HaproxyInstanceOutcome> => {
        const director = c.directors.find((d) => d.name === h.director);
        const was = find(before[i] as HaproxyInstanceView);
        const beforeState = was ? { status: was.status, weight: was.weight } : null;
        if (!director) return { instance: h.name, director: h.director, ok: false, before: beforeState, after: null, error: 'no such director' };
        try {
          const cmd = state === null ? haproxySetWeight(h.socket, req.backend, req.server, req.weight ?? 0) : haproxySetState(h.socket, req.backend, req.server, state);
          const r = await this.run(director, cmd, { timeoutMs: this.deps.commandTimeoutMs, pool: this.deps.pool });
          // The runtime API answers nothing on success, and a sentence when it refuses.
          const answer = r.stdout.trim();
          const now = find(await this.readOne(c, h));
          const after = now ? { status: now.status, weight: now.weight } : null;
          const verified =
            now !== undefined && (req.action === 'weight' ? now.weight === req.weight : adminState(now.status) === req.action);
          const error = answer !== '' ? `HAProxy answered: ${answer}` : verified ? null : `re-read shows ${after ? `${after.status}, weight ${after.weight}` : 'no such server'}`;
          return { instance: h.name, director: h.director, ok: answer === '' && verified, before: beforeState, after, error };
        } catch (e) {
          return { instance: h.name, director: h.director, ok: false, before: beforeState, after: null, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    this.views.invalidate((k) => k === cluster); // viewers' next read shows the change
    const okCount = outcomes.filter((o) => o.ok).length;
    const outcome = okCount === outcomes.length ? 'ok' : okCount === 0 ? 'failed' : 'partial';
    // The intent stands once it took somewhere (a partial one is completed by the reconciler); a
    // wholly failed action holds nothing, so the console does not keep retrying what HAProxy refused.
    const base = { cluster, backend: req.backend, server: req.server, actor: actor.name, reason: req.reason, createdAt: this.now() };
    let hold: string | null = null;
    if (outcome !== 'failed') {
      if (req.action === 'drain' || req.action === 'maint') hold = this.deps.holds.set({ ...base, aspect: 'state', state: req.action }).id;
      else if (req.action === 'weight') hold = this.deps.holds.set({ ...base, aspect: 'weight', weight: req.weight ?? 0 }).id;
      else this.deps.holds.end(cluster, req.backend, req.server, ['state'], base.createdAt, actor.name, req.reason || 'ready');
    }
    const auditId = this.deps.audit.complete(attempt, outcome, { reason: req.reason, weight: req.weight ?? null, force, ...forced, hold, instances: outcomes })?.id ?? attempt.id;
    const holds = this.deps.holds.openFor(cluster, req.backend, req.server);
    return { cluster, action: req.action, backend: req.backend, server: req.server, weight: req.weight ?? null, ok: outcome === 'ok', auditId, instances: outcomes, holds };
  }

  // ---------------------------------------------------------------- the reconciler

  /** Look every `intervalMs` (only clusters with HAProxy instances and open holds cost a read). */
  start(): void {
    if (this.timer || !this.deps.reconcile) return;
    this.timer = setInterval(() => void this.reconcileAll(), Math.max(1000, this.deps.intervalMs));
    this.timer.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over every cluster. Never throws; a pass still running makes the next one skip. */
  async reconcileAll(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      for (const c of this.deps.clusters) {
        // After close() the database may be closed too.
        if (this.closed) return;
        if (c.haproxy.length === 0 || !(this.deps.share?.leads?.(c.name) ?? true) || this.deps.holds.open(c.name).length === 0) continue;
        await this.mutex.tryRun(c.name, () => this.reconcile(c));
      }
    } catch (e) {
      if (!this.closed) console.error('[haproxy] reconcile failed', e);
    } finally {
      this.running = false;
    }
  }

  /** Read every instance and re-apply the holds that drifted (holds re-read under the mutex). */
  private async reconcile(c: ClusterConfig): Promise<void> {
    const holds = this.deps.holds.open(c.name);
    if (holds.length === 0) return;
    const views = await Promise.all(c.haproxy.map((h) => this.readOne(c, h)));
    const { due } = findHoldDrift(views, holds, this.memo, this.now(), this.deps.intervalMs);
    for (const d of due) await this.reapply(c, d);
  }

  private async reapply(c: ClusterConfig, d: HoldDrift): Promise<void> {
    const h = c.haproxy.find((x) => x.name === d.instance);
    const director = h ? c.directors.find((x) => x.name === h.director) : undefined;
    const hold = d.hold;
    const wanted = hold.aspect === 'weight' ? `weight ${hold.weight}` : hold.state;
    const detail = { hold: hold.id, heldBy: hold.actor, instance: d.instance, director: h?.director ?? null, found: d.found, wanted };
    let attempt: AuditEntry;
    try {
      attempt = this.deps.audit.attempt({ actor: 'system', role: null, source: 'reconciler', action: 'haproxy-reapply', cluster: c.name, target: `${hold.backend}/${hold.server}`, detail });
    } catch (e) {
      // Not re-applied while it cannot be audited; the next pass tries again.
      console.error(`[haproxy] not re-applying hold ${hold.id} on ${d.instance}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    let error: string | null = null;
    if (!h || !director) error = `no instance ${d.instance}`;
    else {
      try {
        const cmd = hold.aspect === 'weight' ? haproxySetWeight(h.socket, hold.backend, hold.server, hold.weight ?? 0) : haproxySetState(h.socket, hold.backend, hold.server, hold.state ?? 'drain');
        const answer = (await this.run(director, cmd, { timeoutMs: this.deps.commandTimeoutMs, pool: this.deps.pool })).stdout.trim();
        if (answer !== '') error = `HAProxy answered: ${answer}`;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    this.views.invalidate((k) => k === c.name);
    const at = this.now();
    const key = holdMemoKey(hold.id, d.instance);
    this.memo.set(key, { lastFinishedAt: at, failures: error === null ? 0 : (this.memo.get(key)?.failures ?? 0) + 1 });
    this.deps.holds.noteReapply(hold.id, at, error);
    this.deps.audit.complete(attempt, error === null ? 'ok' : 'failed', { ...detail, error });
  }
}
