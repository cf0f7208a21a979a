import 'server-only';
import type { AuditEntry } from '@/lib/models/audit';
import type { ActionResult, DirectorResult, DrainAction, DrainPlan, DrainRequest, Intent, IntentList, RestoreRequest, WeightRequest } from '@/lib/models/drain';
import { DomainError } from '@/server/errors';
import type { AuditLog } from '@/server/audit/log';
import type { ClusterConfig, ConsoleConfig } from '@/server/config/schema';
import { outcomeOf, type Applier } from './apply';
import type { IntentStore } from './intent-store';
import { planAction, type Plan, type PlanContext, type PlanRequest } from './plan';
import { clusterConfig, guardPlan, snapshotOf, type ActingAs, type ClusterView } from './ports';

export { SYSTEM, type ActingAs, type ClusterView } from './ports';

// Drain, restore and re-weight, held until undone (issue #5). Every action: plan from the merged
// snapshot, refuse removing a service's last serving real server unless forced, write the audit's
// 'attempted' row (or change nothing: 503), record the intent, apply on every director in parallel
// and verify by re-reading (apply.ts), report per director, complete the audit with the outcome.
// Actions and repairs of one cluster are serialized (the Applier's lock). Elsewhere: the holds
// overlay on snapshots (holds-overlay.ts), progress and waiting (progress.ts), drift repair and
// lease expiry (reconciler.ts); wiring in compose.ts.

export interface DrainServiceDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'drain' | 'pollIntervalMs'>;
  store: IntentStore;
  audit: AuditLog;
  /** Applies plans; shared with the reconciler. */
  applier: Applier;
  /** The collector (a getter: the collector is built with the drain's hooks). */
  clusters: () => ClusterView;
  now?: () => number;
}

export class DrainService {
  private readonly now: () => number;

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

  // ---------------------------------------------------------------- actions

  async drain(cluster: string, body: DrainRequest, who: ActingAs): Promise<ActionResult> {
    return this.hold(cluster, 'drain', { ...body, weight: 0 }, who);
  }

  async setWeight(cluster: string, body: WeightRequest, who: ActingAs): Promise<ActionResult> {
    return this.hold(cluster, 'weight', body, who);
  }

  /**
   * Several weights on one host in one change (a rollout's ramp step): each real server named by
   * "service|realServer" gets its own weight, held like a re-weight, applied and verified together.
   */
  async setWeights(cluster: string, body: Omit<WeightRequest, 'weight' | 'service'> & { weights: ReadonlyMap<string, number> }, who: ActingAs): Promise<ActionResult> {
    return this.hold(cluster, 'weight', { ...body, weight: Math.max(0, ...body.weights.values()) }, who);
  }

  async restore(cluster: string, body: RestoreRequest, who: ActingAs): Promise<ActionResult> {
    const c = this.cluster(cluster);
    return this.deps.applier.mutex.run(cluster, async () => {
      await this.freshSnapshot(cluster);
      const plan = this.makePlan(cluster, { action: 'restore', target: body.target, service: body.service });
      if (body.dryRun) return this.dryRunResult('restore', cluster, plan.view);
      // Written before anything changes; if it cannot be, this throws 503 and nothing is sent.
      const attempt = this.attempt('restore', cluster, body.target, who, { reason: body.reason ?? null, service: body.service ?? null, entries: plan.view.entries });
      const results = await this.deps.applier.applyAndMemo(c, plan.steps, null);
      const at = this.now();
      const ended: Intent[] = [];
      for (const e of plan.view.entries) {
        if (e.existingIntentId === null) continue;
        const i = this.deps.store.end(e.existingIntentId, at, who.name, body.reason ?? 'restored');
        if (i) ended.push(i);
        this.deps.applier.forget(e.existingIntentId);
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
    body: Omit<WeightRequest, 'weight'> & { weight: number; weights?: ReadonlyMap<string, number> },
    who: ActingAs,
  ): Promise<ActionResult> {
    const c = this.cluster(cluster);
    return this.deps.applier.mutex.run(cluster, async () => {
      await this.freshSnapshot(cluster);
      const plan = this.makePlan(cluster, { action, target: body.target, service: body.service, weight: body.weight, weights: body.weights, force: body.force });
      if (body.dryRun) return this.dryRunResult(action, cluster, plan.view);
      if (plan.view.refusals.length > 0) {
        this.auditAction(action, cluster, body.target, 'refused', who, { reason: body.reason, refusals: plan.view.refusals, entries: plan.view.entries });
        throw new DomainError('conflict', `refused: ${plan.view.refusals.join('; ')}`, { refusals: plan.view.refusals, plan: plan.view });
      }
      const at = this.now();
      const expiresAt = body.expiresInMinutes === undefined ? null : at + body.expiresInMinutes * 60_000;
      // Written before the intent and the directors change; if it cannot be, this throws 503 and nothing changes.
      // What was asked, in both audit rows (the attempt and its outcome).
      const asked = { reason: body.reason, ticket: body.ticket ?? null, service: body.service ?? null, weight: body.weights ? Object.fromEntries(body.weights) : body.weight, force: body.force ?? false, expiresAt };
      const attempt = this.attempt(action, cluster, body.target, who, { ...asked, entries: plan.view.entries });
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
        if (r.replaced) this.deps.applier.forget(r.replaced.id);
        intents.push(r.intent);
      }
      const alreadyHeld = created === 0;
      const results = await this.deps.applier.applyAndMemo(c, plan.steps, intents);
      const outcome = outcomeOf(results);
      const audit = this.complete(attempt, outcome, {
        ...asked,
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

  // ---------------------------------------------------------------- helpers

  private cluster(name: string): ClusterConfig {
    return clusterConfig(this.deps.config, name);
  }

  /**
   * Right after an action the snapshot may still show the weights from before it (for up to one
   * refresh): plan the next action from data taken after the last one, refreshing now if needed.
   */
  private async freshSnapshot(cluster: string): Promise<void> {
    // What was verified is laid over the snapshot (makePlan); only an unverified change needs new data.
    const since = this.deps.applier.unverifiedSince(cluster);
    if (since === undefined) return;
    const stale = () => snapshotOf(this.deps.clusters(), cluster).directors.some((d) => d.live && d.takenAt !== null && d.takenAt - (d.refreshMs ?? 0) <= since);
    const deadline = this.now() + Math.max(15_000, 3 * this.deps.config.pollIntervalMs);
    while (stale() && this.now() < deadline) {
      await this.deps.clusters().refreshNow(cluster);
      if (stale()) await this.deps.clusters().nextUpdate(this.deps.config.pollIntervalMs);
    }
    if (!stale()) this.deps.applier.settled(cluster);
  }

  /**
   * What plans are made from: the snapshot with the weights this console verified laid over it, the
   * directors, the open intents and the capacity floor (rollouts judge whole batches with it).
   */
  planContext(cluster: string): PlanContext {
    const c = this.cluster(cluster);
    const snapshot = this.deps.applier.overlay(cluster, snapshotOf(this.deps.clusters(), cluster));
    if (snapshot.directors.every((d) => d.takenAt === null)) {
      throw new DomainError('unavailable', `no director of cluster ${cluster} has answered yet: nothing to plan from`);
    }
    return {
      snapshot,
      directors: c.directors.map((d) => ({ name: d.name, sudo: d.sudo })),
      intents: this.deps.store.open(cluster),
      minServingShare: c.drain?.minServingShare ?? this.deps.config.drain.minServingShare,
    };
  }

  private makePlan(cluster: string, req: PlanRequest): Plan {
    const ctx = this.planContext(cluster);
    return guardPlan(() => planAction(ctx, req));
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
    this.deps.clusters().invalidate(cluster);
    void this.deps.clusters().refreshNow(cluster).catch(() => undefined);
  }
}
