import 'server-only';
import type { AuditEntry } from '@/lib/models/audit';
import type { ClusterSnapshot, Finding } from '@/lib/models/cluster';
import type {
  ActionResult,
  ConnectionDetail,
  DirectorResult,
  DrainAction,
  DrainPlan,
  DrainProgress,
  DrainRequest,
  Intent,
  IntentList,
  RestoreRequest,
  WaitRequest,
  WeightRequest,
} from '@/lib/models/drain';
import { DomainError } from '@/server/errors';
import type { AuditLog } from '@/server/audit/log';
import { ipvsadmConnections } from '@/server/commands/catalogue';
import { describeRefreshError } from '@/server/ssh/describe-error';
import type { ConsoleConfig, ClusterConfig } from '@/server/config/schema';
import type { EventStore } from '@/server/events/store';
import { summarizeConnections } from '@/server/parsers/ipvsadm-connections';
import { execStream } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { SharedReads } from '@/server/ssh/shared-reads';
import { applyPlanSteps, outcomeOf } from './apply';
import { drainFindings, withHolds } from './findings';
import type { IntentStore } from './intent-store';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { overlayVerified, parseTarget, planAction, PlanError, type VerifiedEntry, type DirectorSteps, type Plan, type PlanRequest } from './plan';
import { connectionDetail, estimate, overallState, progressEntries, ProgressSeries } from './progress';
import { expired, findDrift, memoKey, type Drift, type MemoKey, type RepairMemo } from './reconcile';

// Drain, restore and re-weight, held until undone (issue #5). Every action: plan from the merged
// snapshot, refuse removing a service's last serving real server unless forced, write the audit's
// 'attempted' row (or change nothing: 503), record the intent, apply on every director in parallel
// and verify by re-reading, report per director, complete the audit with the outcome.
// On every collector tick: re-apply held weights that drifted, act on expired leases, sample
// drain progress. Actions and repairs of one cluster are serialized.

/** Who acts: a person or token (from the route's Actor), or the console itself. */
export interface ActingAs {
  name: string;
  role: string | null;
  source: string;
}

export const SYSTEM: ActingAs = { name: 'system', role: null, source: 'reconciler' };

export interface ClusterView {
  snapshot(cluster: string): ClusterSnapshot | undefined;
  refreshNow(cluster: string): Promise<ClusterSnapshot | undefined>;
  nextUpdate(timeoutMs: number): Promise<void>;
  /** The holds changed: the next read must re-merge. */
  invalidate(cluster: string): void;
}

export interface DrainServiceDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'drain' | 'pollIntervalMs'>;
  store: IntentStore;
  audit: AuditLog;
  events: EventStore;
  pool: SshPool;
  /** The collector (a getter: the collector is built with this service's hooks). */
  clusters: () => ClusterView;
  now?: () => number;
  /** Per-command timeout for actions (default the pool's). */
  timeoutMs?: number;
  /** Runs the steps on the directors (default: over SSH, apply.ts); tests pass a fake. */
  apply?: (cluster: ClusterConfig, steps: DirectorSteps[]) => Promise<DirectorResult[]>;
}

/** Wait no longer than this per wait call; clients loop for longer waits. */
export const MAX_WAIT_MS = 300_000;

/** A -Lnc summary younger than this is answered again (the page polls every 2 s; each answer has its takenAt). */
export const CONNECTIONS_REUSE_MS = 5000;

export class DrainService {
  private readonly mutex = new KeyedMutex();
  private readonly memo = new Map<MemoKey, RepairMemo>();
  private readonly series = new ProgressSeries();
  private readonly findingSince = new Map<string, number>();
  /** Weights this console set and verified, per cluster (laid over older snapshot data when planning). */
  private readonly verified = new Map<string, VerifiedEntry[]>();
  /** When the last change that could not be verified on some director finished, per cluster. */
  private readonly unverified = new Map<string, number>();
  private readonly now: () => number;
  private closed = false;
  /**
   * -Lnc summaries, per cluster|director|destination: however many viewers poll the progress with
   * connections=1, one `ipvsadm -Lnc` per key runs at a time, as a low-priority SSH read.
   */
  private readonly connectionReads = new SharedReads<ConnectionDetail>(CONNECTIONS_REUSE_MS);

  constructor(private readonly deps: DrainServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---------------------------------------------------------------- reads

  intents(cluster: string, history = false): IntentList {
    this.cluster(cluster);
    return { cluster, intents: history ? this.deps.store.history(cluster) : this.deps.store.open(cluster) };
  }

  /** The impact of an action without doing it (what the dialog shows, and dry runs). */
  plan(cluster: string, req: PlanRequest): DrainPlan {
    return this.makePlan(cluster, req).view;
  }

  /** The snapshot with holds and drain findings (the collector calls this on every merge). */
  /** Stop reconciling (shutdown: refreshes still in flight must not touch the closing database). */
  close(): void {
    this.closed = true;
  }

  augment(snapshot: ClusterSnapshot): ClusterSnapshot {
    if (this.closed) return snapshot;
    let intents: Intent[];
    try {
      intents = this.deps.store.open(snapshot.name);
    } catch (e) {
      // The database is closing (shutdown while a refresh was in flight): show the directors' data as is.
      console.error('[drain] cannot read intents', e instanceof Error ? e.message : e);
      return snapshot;
    }
    const now = this.now();
    const raw = drainFindings(snapshot, intents, { now, oldAfterMs: this.deps.config.drain.oldAfterHours * 3_600_000, memo: this.memo });
    const prefix = `${snapshot.name}|`;
    const ids = new Set<string>();
    const findings: Finding[] = raw.map((f) => {
      const key = prefix + f.id;
      ids.add(key);
      const since = f.since ?? this.findingSince.get(key) ?? now;
      this.findingSince.set(key, since);
      return { ...f, since };
    });
    for (const k of this.findingSince.keys()) if (k.startsWith(prefix) && !ids.has(k)) this.findingSince.delete(k);
    return withHolds(snapshot, intents, findings);
  }

  // ---------------------------------------------------------------- actions

  async drain(cluster: string, body: DrainRequest, who: ActingAs): Promise<ActionResult> {
    return this.hold(cluster, 'drain', { ...body, weight: 0 }, who);
  }

  async setWeight(cluster: string, body: WeightRequest, who: ActingAs): Promise<ActionResult> {
    return this.hold(cluster, 'weight', body, who);
  }

  async restore(cluster: string, body: RestoreRequest, who: ActingAs): Promise<ActionResult> {
    const c = this.cluster(cluster);
    return this.mutex.run(cluster, async () => {
      await this.freshSnapshot(cluster);
      const plan = this.makePlan(cluster, { action: 'restore', target: body.target, service: body.service });
      if (body.dryRun) return this.dryRunResult('restore', cluster, plan.view);
      // Written before anything changes; if it cannot be, this throws 503 and nothing is sent.
      const attempt = this.attempt('restore', cluster, body.target, who, { reason: body.reason ?? null, service: body.service ?? null, entries: plan.view.entries });
      const results = await this.applyAndMemo(c, plan.steps, null);
      const at = this.now();
      const ended: Intent[] = [];
      for (const e of plan.view.entries) {
        if (e.existingIntentId === null) continue;
        const i = this.deps.store.end(e.existingIntentId, at, who.name, body.reason ?? 'restored');
        if (i) ended.push(i);
        this.forget(e.existingIntentId);
      }
      const outcome = outcomeOf(results);
      const audit = this.complete(attempt, outcome, {
        reason: body.reason ?? null,
        service: body.service ?? null,
        entries: plan.view.entries,
        endedIntents: ended.map((i) => i.id),
        directors: results,
      });
      this.kickRefresh(cluster);
      return {
        action: 'restore',
        cluster,
        dryRun: false,
        outcome,
        message: this.message('restore', plan.view, results, outcome, false),
        plan: plan.view,
        intents: ended,
        alreadyHeld: false,
        directors: results,
        auditId: audit,
      };
    });
  }

  private async hold(
    cluster: string,
    action: 'drain' | 'weight',
    body: Omit<WeightRequest, 'weight'> & { weight: number },
    who: ActingAs,
  ): Promise<ActionResult> {
    const c = this.cluster(cluster);
    return this.mutex.run(cluster, async () => {
      await this.freshSnapshot(cluster);
      const plan = this.makePlan(cluster, { action, target: body.target, service: body.service, weight: body.weight, force: body.force });
      if (body.dryRun) return this.dryRunResult(action, cluster, plan.view);
      if (plan.view.refusals.length > 0) {
        this.auditAction(action, cluster, body.target, 'refused', who, { reason: body.reason, refusals: plan.view.refusals, entries: plan.view.entries });
        throw new DomainError('conflict', `refused: ${plan.view.refusals.join('; ')}`, { refusals: plan.view.refusals, plan: plan.view });
      }
      const at = this.now();
      const expiresAt = body.expiresInMinutes === undefined ? null : at + body.expiresInMinutes * 60_000;
      // Written before the intent and the directors change; if it cannot be, this throws 503 and nothing changes.
      const attempt = this.attempt(action, cluster, body.target, who, {
        reason: body.reason,
        ticket: body.ticket ?? null,
        service: body.service ?? null,
        weight: body.weight,
        force: body.force ?? false,
        expiresAt,
        entries: plan.view.entries,
      });
      const intents: Intent[] = [];
      let created = 0;
      for (const e of plan.view.entries) {
        const r = this.deps.store.openIntent({
          cluster,
          service: e.service,
          realServer: e.realServer,
          kind: action,
          weight: e.targetWeight,
          restoreWeight: e.restoreWeight,
          mechanism: e.mechanism,
          actor: who.name,
          reason: body.reason,
          ticket: body.ticket ?? null,
          createdAt: at,
          expiresAt,
          onExpiry: expiresAt === null ? null : (body.onExpiry ?? 'restore'),
        });
        if (r.created) created++;
        if (r.replaced) this.forget(r.replaced.id);
        intents.push(r.intent);
      }
      const alreadyHeld = created === 0;
      const results = await this.applyAndMemo(c, plan.steps, intents);
      const outcome = outcomeOf(results);
      const audit = this.complete(attempt, outcome, {
        reason: body.reason,
        ticket: body.ticket ?? null,
        service: body.service ?? null,
        weight: body.weight,
        force: body.force ?? false,
        expiresAt,
        alreadyHeld,
        intents: intents.map((i) => i.id),
        entries: plan.view.entries,
        directors: results,
      });
      this.kickRefresh(cluster);
      return {
        action,
        cluster,
        dryRun: false,
        outcome,
        message: this.message(action, plan.view, results, outcome, alreadyHeld),
        plan: plan.view,
        intents,
        alreadyHeld,
        directors: results,
        auditId: audit,
      };
    });
  }

  // ---------------------------------------------------------------- progress

  async progress(cluster: string, target: string, service: string | undefined, withConnections: boolean): Promise<DrainProgress> {
    const c = this.cluster(cluster);
    const snapshot = this.snapshotOf(cluster);
    const entries = this.guard(() => progressEntries(snapshot, target, service, (s, r) => this.series.get(`${cluster}|${s}|${r}`)));
    const connections: ConnectionDetail[] = [];
    if (withConnections) {
      const t = parseTarget(target);
      const byDirector = new Set(entries.map((e) => e.director).filter((d): d is string => d !== null));
      await Promise.all(
        [...byDirector].map(async (name) => {
          const d = c.directors.find((x) => x.name === name);
          if (!d) return;
          const key = `${cluster}|${name}|${t.address}|${t.port ?? ''}`;
          connections.push(await this.connectionReads.get(key, () => this.readConnections(d, name, t)));
        }),
      );
    }
    const est = estimate(connections);
    const state = overallState(entries);
    return {
      cluster,
      target,
      service: service ?? null,
      state,
      entries,
      estimatedSecondsToZero: state === 'drained' ? 0 : est.seconds,
      estimateNote: state === 'drained' ? null : est.note,
      connections,
      takenAt: snapshot.takenAt,
    };
  }

  /** One `ipvsadm -Lnc` on a director, summarized for the target (errors as a value). */
  private async readConnections(d: ClusterConfig['directors'][number], name: string, t: ReturnType<typeof parseTarget>): Promise<ConnectionDetail> {
    try {
      const lines = execStream(d, ipvsadmConnections(), { pool: this.deps.pool, priority: 'low' });
      const s = await summarizeConnections(lines, { destination: { address: t.address, ...(t.port === null ? {} : { port: t.port }) } });
      return connectionDetail(name, s, this.now());
    } catch (e) {
      const err = describeRefreshError(e);
      return { director: name, entries: 0, templates: 0, byState: {}, maxExpiresInSeconds: null, clients: [], distinctClients: 0, takenAt: this.now(), error: err.message };
    }
  }

  /**
   * Long-poll until the drain is complete (or the server stops being drained), or time runs out.
   * Waiting holds the HTTP request, never an SSH channel: each round reads the collector's snapshot
   * and sleeps on its next update; only a wait that times out reads -Lnc once (shared, as above).
   */
  async wait(cluster: string, req: WaitRequest): Promise<DrainProgress> {
    const deadline = this.now() + Math.min(req.timeoutSeconds * 1000, MAX_WAIT_MS);
    for (;;) {
      const p = await this.progress(cluster, req.target, req.service, false);
      // 'serving' ends the wait only when nothing holds these servers at 0: right after a drain the
      // snapshot may predate it for one refresh.
      const held = new Set(this.deps.store.open(cluster).filter((i) => i.weight === 0).map((i) => `${i.service}|${i.realServer}`));
      const servingUnheld = p.state === 'serving' && !p.entries.some((e) => e.state === 'serving' && held.has(`${e.service}|${e.realServer}`));
      if (p.state === 'drained' || servingUnheld) return { ...p, timedOut: false };
      const left = deadline - this.now();
      if (left <= 0) return { ...(await this.progress(cluster, req.target, req.service, true)), timedOut: true };
      await this.deps.clusters().nextUpdate(Math.min(left, this.deps.config.pollIntervalMs * 2));
    }
  }

  // ---------------------------------------------------------------- the reconciler

  /** Whether the cluster has open intents (the reconciler has something to look at). */
  holdsAnything(cluster: string): boolean {
    // After close() the database may be closed too (a refresh that was in flight reports late).
    return !this.closed && this.deps.store.open(cluster).length > 0;
  }

  /** Called on every collector tick with the cluster's merged snapshot. Never throws. */
  async onTick(snapshot: ClusterSnapshot): Promise<void> {
    if (this.closed) return;
    try {
      this.sample(snapshot);
    } catch (e) {
      console.error('[drain] progress sampling failed', e);
    }
    await this.reconcile(snapshot);
  }

  /**
   * Re-apply drifted holds and act on expired leases. Called on every tick and after every director
   * report (so a server keepalived re-added is caught by the refresh that first sees it). Never throws.
   */
  async reconcile(snapshot: ClusterSnapshot): Promise<void> {
    if (this.closed) return;
    try {
      const c = this.deps.config.clusters.find((x) => x.name === snapshot.name);
      if (!c) return;
      const intents = this.deps.store.open(snapshot.name);
      if (intents.length === 0) return;
      await this.mutex.tryRun(snapshot.name, async () => {
        await this.expire(snapshot.name, expired(intents, this.now()));
        if (!this.deps.config.drain.reconcile) return;
        const fresh = this.deps.store.open(snapshot.name);
        const { due } = findDrift(snapshot, fresh, this.memo, this.now());
        if (due.length > 0) await this.repair(c, snapshot, due);
      });
    } catch (e) {
      console.error('[drain] reconcile failed', e);
    }
  }

  private async repair(c: ClusterConfig, snapshot: ClusterSnapshot, drifts: Drift[]): Promise<void> {
    // One plan per intent (its own target weight), applied only on the drifted directors.
    const byDirector = new Map<string, Drift[]>();
    for (const d of drifts) byDirector.set(d.director, [...(byDirector.get(d.director) ?? []), d]);
    await Promise.all(
      [...byDirector.entries()].map(async ([director, list]) => {
        const steps: DirectorSteps[] = [];
        for (const d of list) {
          try {
            const plan = planAction(
              { snapshot, directors: c.directors.filter((x) => x.name === director).map((x) => ({ name: x.name, sudo: x.sudo })), intents: [d.intent] },
              { action: 'weight', target: d.intent.realServer, service: d.intent.service, weight: d.intent.weight, force: true },
            );
            steps.push(...plan.steps);
          } catch (e) {
            console.error(`[drain] cannot plan the repair of intent ${d.intent.id}`, e);
          }
        }
        // One attempted row per intent before anything is sent; without them, no repair (next tick retries).
        const attempts = new Map<Drift, AuditEntry>();
        try {
          for (const d of list) {
            attempts.set(
              d,
              this.attempt('drift-repair', c.name, `${d.intent.service} -> ${d.intent.realServer}`, SYSTEM, {
                intent: d.intent.id,
                director,
                found: d.found,
                held: d.intent.weight,
                mechanism: d.intent.mechanism,
              }),
            );
          }
        } catch (e) {
          console.error(`[drain] not repairing ${director} of cluster ${c.name}: ${e instanceof Error ? e.message : String(e)}`);
          for (const a of attempts.values()) this.deps.audit.complete(a, 'failed', { error: 'not applied: the audit log could not be written' });
          return;
        }
        const merged = mergeSteps(director, steps);
        const [result] = await this.applySteps(c, [merged]);
        const finished = this.now();
        if (result) this.recordApplied(c.name, [result], finished);
        for (const d of list) {
          const k = memoKey(d.intent.id, director);
          const prev = this.memo.get(k);
          const ok = result?.status === 'ok' || result?.status === 'skipped';
          this.memo.set(k, { lastFinishedAt: finished, failures: ok ? 0 : (prev?.failures ?? 0) + 1, lastError: ok ? null : (result?.error?.message ?? 'unknown') });
          const what = `${d.intent.realServer} in ${d.intent.service}`;
          const message = ok
            ? `${director} had ${what} at weight ${d.found}; re-applied the held ${d.intent.weight} (${d.intent.kind} #${d.intent.id} by ${d.intent.actor}: "${d.intent.reason}") via ${d.intent.mechanism}`
            : `${director} has ${what} at weight ${d.found}; re-applying the held ${d.intent.weight} failed: ${result?.error?.message ?? 'unknown error'}`;
          const attempt = attempts.get(d);
          if (attempt) {
            this.complete(attempt, ok ? 'ok' : 'failed', {
              intent: d.intent.id,
              director,
              found: d.found,
              held: d.intent.weight,
              mechanism: d.intent.mechanism,
              result,
            });
          }
          try {
            this.deps.events.add({
              cluster: c.name,
              kind: 'drift-repair',
              director,
              instance: null,
              fromState: String(d.found),
              toState: String(d.intent.weight),
              fromMaster: null,
              toMaster: null,
              at: finished,
              endedAt: null,
              durationMs: null,
              cause: message,
              service: d.intent.service,
              realServer: d.intent.realServer,
              logLines: [],
              source: 'observed',
            });
          } catch (e) {
            console.error('[drain] recording the drift event failed', e);
          }
        }
      }),
    );
    this.kickRefresh(c.name);
  }

  private async expire(cluster: string, due: readonly Intent[]): Promise<void> {
    for (const i of due) {
      if (i.onExpiry !== 'restore') continue; // 'alert': stays held, flagged by a drain-expired finding
      const c = this.cluster(cluster);
      const target = `${i.service} -> ${i.realServer}`;
      let attempt: AuditEntry;
      try {
        attempt = this.attempt('restore', cluster, target, SYSTEM, { intent: i.id, why: 'lease expired', restoreWeight: i.restoreWeight });
      } catch (e) {
        // Still held; the next tick tries again.
        console.error(`[drain] the lease of intent ${i.id} expired; not restoring it yet: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      let results: DirectorResult[] = [];
      try {
        const plan = this.makePlan(cluster, { action: 'restore', target: i.realServer, service: i.service });
        results = await this.applyAndMemo(c, plan.steps, null);
      } catch (e) {
        console.error(`[drain] restoring expired intent ${i.id}`, e);
      }
      this.deps.store.end(i.id, this.now(), SYSTEM.name, 'lease expired: restored');
      this.forget(i.id);
      const outcome = results.length === 0 ? 'failed' : outcomeOf(results);
      this.complete(attempt, outcome, { intent: i.id, why: 'lease expired', restoreWeight: i.restoreWeight, directors: results });
      try {
        this.deps.events.add({
          cluster,
          kind: 'hold-expired',
          director: null,
          instance: null,
          fromState: String(i.weight),
          toState: String(i.restoreWeight),
          fromMaster: null,
          toMaster: null,
          at: this.now(),
          endedAt: null,
          durationMs: null,
          cause: `the ${i.kind} of ${i.realServer} in ${i.service} by ${i.actor} ("${i.reason}") expired: restored to weight ${i.restoreWeight} (${outcome})`,
          service: i.service,
          realServer: i.realServer,
          logLines: [],
          source: 'observed',
        });
      } catch (e) {
        console.error('[drain] recording the expiry event failed', e);
      }
    }
  }

  /** Record drain progress points for open drains (counts on the VIP holder). */
  private sample(snapshot: ClusterSnapshot): void {
    const keys = new Set<string>();
    for (const i of this.deps.store.open(snapshot.name)) {
      const svc = snapshot.services.find((s) => s.key === i.service);
      const rs = svc?.realServers.find((r) => r.key === i.realServer);
      const key = `${snapshot.name}|${i.service}|${i.realServer}`;
      keys.add(key);
      if (!svc || !rs || svc.activeDirector === null) continue;
      const on = rs.perDirector[svc.activeDirector];
      if (!on?.present) continue;
      this.series.add(key, { t: snapshot.takenAt, active: on.activeConns ?? 0, inactive: on.inactiveConns ?? 0, persistent: on.persistentConns ?? 0 });
    }
    const prefix = `${snapshot.name}|`;
    this.series.retainWhere((k) => !k.startsWith(prefix) || keys.has(k));
  }

  // ---------------------------------------------------------------- helpers

  private cluster(name: string): ClusterConfig {
    const c = this.deps.config.clusters.find((x) => x.name === name);
    if (!c) throw new DomainError('not-found', `no cluster named "${name}" is configured`);
    return c;
  }

  private snapshotOf(cluster: string): ClusterSnapshot {
    const s = this.deps.clusters().snapshot(cluster);
    if (!s) throw new DomainError('not-found', `no cluster named "${cluster}" is configured`);
    return s;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof PlanError) throw new DomainError(e.code === 'not-found' ? 'not-found' : 'invalid', e.message);
      throw e;
    }
  }

  /**
   * Right after an action the snapshot may still show the weights from before it (for up to one
   * refresh): plan the next action from data taken after the last one, refreshing now if needed.
   */
  private async freshSnapshot(cluster: string): Promise<void> {
    // What was verified is laid over the snapshot (makePlan); only an unverified change needs new data.
    const since = this.unverified.get(cluster);
    if (since === undefined) return;
    const stale = () => this.snapshotOf(cluster).directors.some((d) => d.live && d.takenAt !== null && d.takenAt - (d.refreshMs ?? 0) <= since);
    const deadline = this.now() + Math.max(15_000, 3 * this.deps.config.pollIntervalMs);
    while (stale() && this.now() < deadline) {
      await this.deps.clusters().refreshNow(cluster);
      if (stale()) await this.deps.clusters().nextUpdate(this.deps.config.pollIntervalMs);
    }
    if (!stale()) this.unverified.delete(cluster);
  }

  /** Remember what an apply verified (and whether anything could not be), for the next plan. */
  private recordApplied(cluster: string, results: readonly DirectorResult[], at: number): void {
    const snapshot = this.deps.clusters().snapshot(cluster);
    const started = new Map((snapshot?.directors ?? []).map((d) => [d.name, d.takenAt === null ? -Infinity : d.takenAt - (d.refreshMs ?? 0)]));
    // Keep only entries some director's data still predates.
    const kept = (this.verified.get(cluster) ?? []).filter((e) => (started.get(e.director) ?? Infinity) <= e.at);
    for (const r of results) {
      for (const v of r.verified) kept.push({ at, director: r.director, service: v.service, realServer: v.realServer, weight: v.actual });
    }
    this.verified.set(cluster, kept);
    if (results.some((r) => r.status === 'failed')) this.unverified.set(cluster, at);
  }

  private makePlan(cluster: string, req: PlanRequest): Plan {
    const c = this.cluster(cluster);
    const snapshot = overlayVerified(this.snapshotOf(cluster), this.verified.get(cluster) ?? []);
    if (snapshot.directors.every((d) => d.takenAt === null)) {
      throw new DomainError('unavailable', `no director of cluster ${cluster} has answered yet: nothing to plan from`);
    }
    return this.guard(() =>
      planAction({ snapshot, directors: c.directors.map((d) => ({ name: d.name, sudo: d.sudo })), intents: this.deps.store.open(cluster) }, req),
    );
  }

  private async applyAndMemo(c: ClusterConfig, steps: DirectorSteps[], intents: Intent[] | null): Promise<DirectorResult[]> {
    const results = await this.applySteps(c, steps);
    const finished = this.now();
    this.recordApplied(c.name, results, finished);
    // The reconciler waits for data taken after this, so it does not "repair" from stale figures.
    for (const i of intents ?? []) {
      for (const r of results) {
        const prev = this.memo.get(memoKey(i.id, r.director));
        this.memo.set(memoKey(i.id, r.director), {
          lastFinishedAt: finished,
          failures: r.status === 'failed' ? (prev?.failures ?? 0) + 1 : 0,
          lastError: r.error?.message ?? null,
        });
      }
    }
    return results;
  }

  private applySteps(c: ClusterConfig, steps: DirectorSteps[]): Promise<DirectorResult[]> {
    if (this.deps.apply) return this.deps.apply(c, steps);
    return applyPlanSteps(c.directors, steps, { pool: this.deps.pool, ...(this.deps.timeoutMs === undefined ? {} : { timeoutMs: this.deps.timeoutMs }) });
  }

  private forget(intentId: string): void {
    for (const k of this.memo.keys()) if (k.startsWith(`${intentId}|`)) this.memo.delete(k);
  }

  private dryRunResult(action: DrainAction, cluster: string, plan: DrainPlan): ActionResult {
    return {
      action,
      cluster,
      dryRun: true,
      outcome: 'ok',
      message: `dry run: ${plan.entries.length} real server${plan.entries.length === 1 ? '' : 's'} in ${new Set(plan.entries.map((e) => e.service)).size} service(s); nothing was changed${plan.refusals.length ? `; would be refused: ${plan.refusals.join('; ')}` : ''}`,
      plan,
      intents: [],
      alreadyHeld: false,
      directors: [],
      auditId: null,
    };
  }

  private message(action: DrainAction, plan: DrainPlan, results: DirectorResult[], outcome: string, alreadyHeld: boolean): string {
    const what = plan.entries.length === 1 ? `${plan.entries[0]?.realServer} in ${plan.entries[0]?.service}` : `${plan.target} in ${plan.entries.length} services`;
    const verb = action === 'drain' ? 'drained' : action === 'restore' ? 'restored' : `set to weight ${plan.entries[0]?.targetWeight ?? '?'}`;
    const failed = results.filter((r) => r.status === 'failed');
    const okDirs = results.filter((r) => r.status === 'ok').map((r) => r.director);
    const base = `${what} ${verb}${alreadyHeld ? ' (already held: same intent)' : ''}`;
    if (outcome === 'ok') return `${base}; verified on ${okDirs.length ? okDirs.join(', ') : 'no director (absent everywhere; the hold applies when it returns)'}`;
    const fails = failed.map((r) => `${r.director}: ${r.error?.message ?? 'failed'}`).join('; ');
    if (action === 'restore') return `${base} ${outcome === 'partial' ? `only on ${okDirs.join(', ')}` : 'on no director'}; failed on ${fails} — retry the restore`;
    return `${base} ${outcome === 'partial' ? `and verified on ${okDirs.join(', ')}` : 'but verified on no director'}; failed on ${fails} — the intent is recorded and re-applied when the director answers (or retry)`;
  }

  /** The 'attempted' row of a change: throws 503 (change nothing) when it cannot be written. */
  private attempt(action: string, cluster: string, target: string, who: ActingAs, detail: unknown): AuditEntry {
    return this.deps.audit.attempt({ actor: who.name, role: who.role, source: who.source, action, cluster, target, detail });
  }

  /** The outcome row of an attempt; its id (or the attempt's, when the outcome could not be written). */
  private complete(attempt: AuditEntry, outcome: 'ok' | 'partial' | 'failed', detail: unknown): string {
    return this.deps.audit.complete(attempt, outcome, detail)?.id ?? attempt.id;
  }

  /** A row for something refused before any change (nothing to attempt). */
  private auditAction(action: string, cluster: string, target: string, outcome: 'refused', who: ActingAs, detail: unknown): string | null {
    try {
      return this.deps.audit.append({ actor: who.name, role: who.role, source: who.source, action, cluster, target, outcome, detail }).id;
    } catch (e) {
      console.error('[drain] audit append failed', e);
      return null;
    }
  }

  private kickRefresh(cluster: string): void {
    this.connectionReads.invalidate((k) => k.startsWith(`${cluster}|`));
    this.deps.clusters().invalidate(cluster);
    void this.deps.clusters().refreshNow(cluster).catch(() => undefined);
  }
}

/** Several repair plans for one director as one set of steps (one round trip). */
export function mergeSteps(director: string, steps: readonly DirectorSteps[]): DirectorSteps {
  const out: DirectorSteps = { director, sudo: steps[0]?.sudo ?? false, edits: [], tracks: [], verify: [], absent: [] };
  for (const s of steps) {
    out.edits.push(...s.edits);
    out.tracks.push(...s.tracks);
    out.absent.push(...s.absent);
    for (const v of s.verify) {
      const have = out.verify.find((x) => x.service === v.service);
      if (have) have.expect.push(...v.expect);
      else out.verify.push({ ...v, expect: [...v.expect] });
    }
  }
  return out;
}
