import 'server-only';
import type { AuditEntry } from '@/lib/models/audit';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { DirectorResult, Intent } from '@/lib/models/drain';
import type { AuditLog } from '@/server/audit/log';
import type { ClusterConfig, ConsoleConfig } from '@/server/config/schema';
import type { EventStore } from '@/server/events/store';
import { outcomeOf, type Applier } from './apply';
import { driftRepairEvent, holdExpiredEvent } from './events';
import type { IntentStore } from './intent-store';
import { planAction, type DirectorSteps } from './plan';
import { clusterConfig, snapshotOf, SYSTEM, type ClusterView } from './ports';
import { expired, findDrift, memoKey, type Drift } from './reconcile';

// The drain reconciler: re-applies held weights that drifted and acts on expired leases. The
// collector's refresh and tick hooks call reconcile() (wired in server/runtime.ts); nothing on the
// action path calls it. It shares the per-cluster lock, the repair memo and what was verified with
// the actions through the Applier (apply.ts).

export interface ReconcilerDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'drain'>;
  store: IntentStore;
  audit: AuditLog;
  events: EventStore;
  applier: Applier;
  clusters: () => ClusterView;
  now: () => number;
}

export class Reconciler {
  private closed = false;

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Stop reconciling (shutdown: refreshes still in flight must not touch the closing database). */
  close(): void {
    this.closed = true;
  }

  /** Whether the cluster has open intents (the reconciler has something to look at). */
  holdsAnything(cluster: string): boolean {
    // After close() the database may be closed too (a refresh that was in flight reports late).
    return !this.closed && this.deps.store.open(cluster).length > 0;
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
      await this.deps.applier.mutex.tryRun(snapshot.name, async () => {
        await this.expire(snapshot.name, expired(intents, this.deps.now()));
        if (!this.deps.config.drain.reconcile) return;
        const fresh = this.deps.store.open(snapshot.name);
        const { due } = findDrift(snapshot, fresh, this.deps.applier.memo, this.deps.now());
        if (due.length > 0) await this.repair(c, snapshot, due);
      });
    } catch (e) {
      console.error('[drain] reconcile failed', e);
    }
  }

  private async repair(c: ClusterConfig, snapshot: ClusterSnapshot, drifts: Drift[]): Promise<void> {
    const { applier, audit } = this.deps;
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
              this.attempt('drift-repair', c.name, `${d.intent.service} -> ${d.intent.realServer}`, {
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
          for (const a of attempts.values()) audit.complete(a, 'failed', { error: 'not applied: the audit log could not be written' });
          return;
        }
        const merged = mergeSteps(director, steps);
        const [result] = await applier.apply(c, [merged]);
        const finished = this.deps.now();
        if (result) applier.recordApplied(c.name, [result], finished);
        for (const d of list) {
          const k = memoKey(d.intent.id, director);
          const prev = applier.memo.get(k);
          const ok = result?.status === 'ok' || result?.status === 'skipped';
          applier.memo.set(k, { lastFinishedAt: finished, failures: ok ? 0 : (prev?.failures ?? 0) + 1, lastError: ok ? null : (result?.error?.message ?? 'unknown') });
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
            this.deps.events.add(driftRepairEvent(c.name, director, d, finished, message));
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
      const c = clusterConfig(this.deps.config, cluster);
      const target = `${i.service} -> ${i.realServer}`;
      let attempt: AuditEntry;
      try {
        attempt = this.attempt('restore', cluster, target, { intent: i.id, why: 'lease expired', restoreWeight: i.restoreWeight });
      } catch (e) {
        // Still held; the next tick tries again.
        console.error(`[drain] the lease of intent ${i.id} expired; not restoring it yet: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      let results: DirectorResult[] = [];
      try {
        const snapshot = this.deps.applier.overlay(cluster, snapshotOf(this.deps.clusters(), cluster));
        if (snapshot.directors.every((d) => d.takenAt === null)) throw new Error(`no director of cluster ${cluster} has answered yet: nothing to plan from`);
        const plan = planAction(
          { snapshot, directors: c.directors.map((d) => ({ name: d.name, sudo: d.sudo })), intents: this.deps.store.open(cluster) },
          { action: 'restore', target: i.realServer, service: i.service },
        );
        results = await this.deps.applier.applyAndMemo(c, plan.steps, null);
      } catch (e) {
        console.error(`[drain] restoring expired intent ${i.id}`, e);
      }
      this.deps.store.end(i.id, this.deps.now(), SYSTEM.name, 'lease expired: restored');
      this.deps.applier.forget(i.id);
      const outcome = results.length === 0 ? 'failed' : outcomeOf(results);
      this.complete(attempt, outcome, { intent: i.id, why: 'lease expired', restoreWeight: i.restoreWeight, directors: results });
      try {
        this.deps.events.add(holdExpiredEvent(cluster, i, outcome, this.deps.now()));
      } catch (e) {
        console.error('[drain] recording the expiry event failed', e);
      }
    }
  }

  /** The 'attempted' row of a repair or expiry: throws (change nothing) when it cannot be written. */
  private attempt(action: string, cluster: string, target: string, detail: unknown): AuditEntry {
    return this.deps.audit.attempt({ actor: SYSTEM.name, role: SYSTEM.role, source: SYSTEM.source, action, cluster, target, detail });
  }

  private complete(attempt: AuditEntry, outcome: 'ok' | 'partial' | 'failed', detail: unknown): void {
    this.deps.audit.complete(attempt, outcome, detail);
  }

  private kickRefresh(cluster: string): void {
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
