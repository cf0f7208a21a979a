import 'server-only';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type {
  DirectorMaintenance,
  GiveBackRequest,
  MaintenanceAction,
  MaintenanceList,
  MaintenancePreflight,
  MaintenanceRequest,
  MaintenanceResult,
  MaintenanceStatus,
  MaintenanceVerification,
} from '@/lib/models/maintenance';
import type { AuditLog } from '@/server/audit/log';
import type { EventStore } from '@/server/events/store';
import type { DirectorObservation } from '@/server/collector/observation';
import { blockingRefusals, MAINTENANCE_TRACK_FILE } from '@/lib/models/maintenance';
import { writeTrackFile } from '@/server/commands/catalogue';
import type { KeyedMutex } from '@/server/concurrency/keyed-mutex';
import type { ClusterConfig, ConsoleConfig, DirectorConfig } from '@/server/config/schema';
import { clusterConfig, SYSTEM, type ActingAs } from '@/server/drain/ports';
import { DomainError } from '@/server/errors';
import { describeRefreshError } from '@/server/ssh/describe-error';
import { exec } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { maintenanceTrack, planSwitch, preflight } from './preflight';
import { readDirectorFacts, readSurvival, type SurvivalRead } from './reads';
import type { MaintenanceStore } from './store';

// Director maintenance (issue 17): one call per route. Every action takes the cluster's lock (the
// drain's: no drain, restore or re-weight interleaves with a switch), runs the pre-flight on fresh
// reads, refuses on any refusal, writes the audit's 'attempted' row, writes the track file on the
// director (as the console user, no sudo), then watches the VIPs (ip addr: the ground truth) until
// they are where the pre-flight said, or writes the file back and says what it saw.

export interface ClusterReader {
  snapshot(cluster: string): ClusterSnapshot | undefined;
  refreshNow(cluster: string, opts?: { keepalivedDump?: boolean }): Promise<ClusterSnapshot | undefined>;
  /** Resolves after the next director refresh anywhere (or the timeout). */
  nextUpdate(timeoutMs: number): Promise<void>;
  observations(cluster: string): DirectorObservation[];
}

export interface MaintenanceDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'pollIntervalMs'>;
  store: MaintenanceStore;
  audit: AuditLog;
  /** Where the failover a switch causes is recorded (the collector's tick). */
  events: Pick<EventStore, 'query'>;
  pool: SshPool;
  clusters: () => ClusterReader;
  /** The drain's per-cluster lock. */
  mutex: KeyedMutex;
  now?: () => number;
  /** How long the VIPs may take to move before the switch is rolled back (default 30 s). */
  verifyTimeoutMs?: number;
  /** How long the answer waits for keepalived's logs to give the failover's gap (default 10 s). */
  logGapWaitMs?: number;
  /** Several consoles on one store: the cluster's leader gives back directors whose lease ran out. */
  leads?: (cluster: string) => boolean;
}

/** How often a give back at the end of a lease is retried after a refusal. */
const LEASE_RETRY_MS = 5 * 60_000;

export class MaintenanceService {
  private readonly now: () => number;
  /** Open rows' ids -> when their expired lease was last acted on. */
  private readonly leaseTries = new Map<string, number>();

  constructor(private readonly deps: MaintenanceDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---------------------------------------------------------------- reads

  list(cluster: string, history = false): MaintenanceList {
    clusterConfig(this.deps.config, cluster);
    return { cluster, maintenance: history ? this.deps.store.history(cluster) : this.deps.store.open(cluster) };
  }

  /** Every director's maintenance status (no SSH: the last dumps and the store). */
  status(cluster: string): MaintenanceStatus {
    const c = clusterConfig(this.deps.config, cluster);
    const obs = this.deps.clusters().observations(cluster);
    const open = this.deps.store.open(cluster);
    const directors = c.directors.map((d) => {
      const t = maintenanceTrack(obs.find((o) => o.name === d.name)?.data ?? null);
      return { director: d.name, trackFile: t?.path ?? null, value: t?.value ?? null, maintenance: open.find((m) => m.director === d.name) ?? null };
    });
    return { cluster, directors };
  }

  /** The pre-flight alone (the dialog, dry runs): reads the directors, changes nothing. */
  async preflight(cluster: string, director: string, action: MaintenanceAction, force = false): Promise<MaintenancePreflight> {
    const c = clusterConfig(this.deps.config, cluster);
    this.director(c, director);
    return this.deps.mutex.run(cluster, () => this.check(c, director, action, force));
  }

  // ---------------------------------------------------------------- actions

  async enter(cluster: string, director: string, body: MaintenanceRequest, who: ActingAs): Promise<MaintenanceResult> {
    return this.act('enter', cluster, director, { reason: body.reason, ticket: body.ticket ?? null, expiresInMinutes: body.expiresInMinutes ?? null, force: body.force ?? false, dryRun: body.dryRun ?? false }, who);
  }

  async exit(cluster: string, director: string, body: GiveBackRequest, who: ActingAs): Promise<MaintenanceResult> {
    return this.act('exit', cluster, director, { reason: body.reason || 'given back', ticket: null, expiresInMinutes: null, force: body.force ?? false, dryRun: body.dryRun ?? false }, who);
  }

  /**
   * Gives back every director whose lease ran out (the runtime calls this every few seconds). A
   * give back the pre-flight refuses (the peer is down, say) is audited as refused and tried again
   * after LEASE_RETRY_MS: the director stays in maintenance rather than taking the VIPs unchecked.
   */
  async expireLeases(): Promise<void> {
    const due = this.deps.store.expired(this.now()).filter((m) => this.deps.leads?.(m.cluster) ?? true);
    for (const id of this.leaseTries.keys()) if (!due.some((m) => m.id === id)) this.leaseTries.delete(id);
    for (const m of due) {
      // A refused give back is tried again every few minutes, not every call (each refusal is audited).
      const last = this.leaseTries.get(m.id);
      if (last !== undefined && this.now() - last < LEASE_RETRY_MS) continue;
      this.leaseTries.set(m.id, this.now());
      try {
        await this.exit(m.cluster, m.director, { reason: `lease expired (set by ${m.actor}: ${m.reason})` }, SYSTEM);
      } catch (e) {
        console.error(`[maintenance] lease of ${m.cluster}/${m.director} expired, give back failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async act(
    action: MaintenanceAction,
    cluster: string,
    director: string,
    req: { reason: string; ticket: string | null; expiresInMinutes: number | null; force: boolean; dryRun: boolean },
    who: ActingAs,
  ): Promise<MaintenanceResult> {
    const c = clusterConfig(this.deps.config, cluster);
    const d = this.director(c, director);
    const auditAction = action === 'enter' ? 'director-maintenance' : 'director-give-back';
    return this.deps.mutex.run(cluster, async () => {
      const pre = await this.check(c, director, action, req.force);
      const base = { action, cluster, director, preflight: pre };
      if (req.dryRun) return { ...base, dryRun: true, outcome: 'planned', message: summary(pre), maintenance: null, verification: null, auditId: null };
      if (!pre.allowed) {
        const refusals = blockingRefusals(pre.checks, req.force);
        this.refused(auditAction, cluster, director, who, { reason: req.reason, refusals });
        throw new DomainError('conflict', `refused: ${refusals.map((x) => `${x.title}: ${x.detail}`).join('; ')}`, { refusals, preflight: pre });
      }
      // Written before the director changes; if it cannot be, this throws 503 and nothing changes.
      const attempt = this.deps.audit.attempt({ actor: who.name, role: who.role, source: who.source, action: auditAction, cluster, target: director, detail: { reason: req.reason, ticket: req.ticket, moves: pre.moves, checks: pre.checks } });
      const value = action === 'enter' ? 1 : 0;
      const wrote = await this.write(d, value);
      if (wrote !== null) {
        const auditId = this.deps.audit.complete(attempt, 'failed', { error: wrote })?.id ?? attempt.id;
        return { ...base, dryRun: false, outcome: 'failed', message: `could not write ${pre.trackFile ?? MAINTENANCE_TRACK_FILE} on ${director}: ${wrote}; nothing changed`, maintenance: null, verification: null, auditId };
      }
      const at = this.now();
      const before = this.deps.store.findOpen(cluster, director);
      let row: DirectorMaintenance | null =
        action === 'enter'
          ? this.deps.store.openFor({ cluster, director, actor: who.name, reason: req.reason, ticket: req.ticket, createdAt: at, expiresAt: req.expiresInMinutes === null ? null : at + req.expiresInMinutes * 60_000 }).maintenance
          : this.deps.store.end(cluster, director, at, who.name, req.reason);
      const verification = await this.verify(cluster, pre, at);
      if (verification.moved && pre.moves.length > 0) Object.assign(verification, await this.confirm(cluster, pre, at));
      if (!verification.moved) {
        // Roll back: the director goes back to where it was, and so does the row.
        const back = await this.write(d, action === 'enter' ? 0 : 1);
        verification.rolledBack = back === null;
        if (action === 'enter') row = this.deps.store.end(cluster, director, this.now(), 'system', 'rolled back: the VIPs did not move');
        // The give back did not happen: the maintenance goes on as it was (who, why, since when),
        // without its lease (its end was just tried).
        else row = this.deps.store.openFor(before ? { ...before, expiresAt: null } : { cluster, director, actor: who.name, reason: `give back rolled back: ${req.reason}`, ticket: null, createdAt: this.now(), expiresAt: null }).maintenance;
      }
      const outcome = verification.moved ? 'ok' : 'rolled-back';
      const message = resultMessage(action, director, pre, verification);
      const auditId = this.deps.audit.complete(attempt, verification.moved ? 'ok' : 'failed', { verification, message })?.id ?? attempt.id;
      return { ...base, dryRun: false, outcome, message, maintenance: row, verification, auditId };
    });
  }

  // ---------------------------------------------------------------- steps

  private director(c: ClusterConfig, name: string): DirectorConfig {
    const d = c.directors.find((x) => x.name === name);
    if (!d) throw new DomainError('not-found', `cluster ${c.name} has no director named "${name}" (directors: ${c.directors.map((x) => x.name).join(', ')})`);
    return d;
  }

  private async check(c: ClusterConfig, director: string, action: MaintenanceAction, force: boolean): Promise<MaintenancePreflight> {
    // keepalived's state as of now (FAULT, priorities, the track file's value), not the last dump.
    const snapshot = (await this.deps.clusters().refreshNow(c.name, { keepalivedDump: true })) ?? this.deps.clusters().snapshot(c.name);
    if (!snapshot) throw new DomainError('not-found', `no cluster named "${c.name}" is configured`);
    const observations = this.deps.clusters().observations(c.name);
    const open = this.deps.store.open(c.name);
    const plan = planSwitch({ action, director, snapshot, observations, open });
    const facts = Object.fromEntries(await Promise.all(c.directors.filter((d) => snapshot.directors.find((x) => x.name === d.name)?.live).map(async (d) => [d.name, await readDirectorFacts(d.name, d, this.deps.pool)] as const)));
    const giver = c.directors.find((d) => d.name === plan.switch.giver);
    const taker = c.directors.find((d) => d.name === plan.switch.taker);
    const survival: SurvivalRead | null = giver && taker ? await readSurvival(giver, taker, this.deps.pool) : null;
    return preflight({ action, cluster: c.name, director, force, snapshot, observations, open, facts, survival, plan, now: this.now() });
  }

  /** Writes the track file on one director; null when done, else what went wrong. */
  private async write(d: DirectorConfig, value: number): Promise<string | null> {
    try {
      await exec(d, writeTrackFile(MAINTENANCE_TRACK_FILE, value), { pool: this.deps.pool });
      return null;
    } catch (e) {
      return describeRefreshError(e).message;
    }
  }

  /**
   * Re-reads the cluster until every moving instance's VIPs are on their target alone, or the time is
   * up. Judged from each director's own `ip addr` read taken after the write, not from the merged
   * holders: the merge waits for two directors' reads to overlap before calling both holders (a
   * handover must not look like split brain), so for a moment it can name the new holder alone while
   * the old one still holds the VIPs.
   */
  private async verify(cluster: string, pre: MaintenancePreflight, writtenAt: number): Promise<MaintenanceVerification> {
    const started = this.now();
    const limit = this.deps.verifyTimeoutMs ?? 30_000;
    let holders: Record<string, string[]> = {};
    let emptySince: number | null = null;
    let gapMs: number | null = null;
    for (;;) {
      const s = await this.deps.clusters().refreshNow(cluster);
      const t = this.now();
      const fresh = (s?.directors ?? []).filter((d) => d.live && d.takenAt !== null && d.takenAt > writtenAt);
      const read = new Set(fresh.map((d) => d.name));
      holders = Object.fromEntries(pre.moves.map((m) => [m.instance, fresh.filter((d) => m.vips.some((v) => d.heldVips.includes(v))).map((d) => d.name)]));
      // Until the directors involved were read after the write, nothing is judged.
      const judged = pre.moves.every((m) => (m.to === null || read.has(m.to)) && (m.from === null || read.has(m.from)));
      const empty = judged && pre.moves.some((m) => (holders[m.instance] ?? []).length === 0);
      if (empty && emptySince === null) emptySince = t;
      if (!empty && emptySince !== null) {
        gapMs = Math.max(gapMs ?? 0, t - emptySince);
        emptySince = null;
      }
      const moved =
        judged &&
        pre.moves.every((m) => {
          const h = holders[m.instance] ?? [];
          return h.length === 1 && h[0] === m.to;
        });
      if (moved || t - started >= limit) return { moved, holders, waitedMs: t - started, gapMs, rolledBack: false, keepalivedAgrees: null, failoverEventIds: [], eventGapMs: null };
      await new Promise((r) => setTimeout(r, Math.min(1000, this.deps.config.pollIntervalMs)));
    }
  }

  /**
   * After the VIPs moved: keepalived's own view on both sides (a fresh dump), and the failover events
   * the collector recorded for the move (recorded on its tick: waited for, two poll intervals at most).
   */
  private async confirm(cluster: string, pre: MaintenancePreflight, since: number): Promise<Pick<MaintenanceVerification, 'keepalivedAgrees' | 'failoverEventIds' | 'eventGapMs'>> {
    const s = await this.deps.clusters().refreshNow(cluster, { keepalivedDump: true });
    const state = (director: string | null, instance: string) => s?.directors.find((d) => d.name === director)?.instances.find((i) => i.name === instance)?.state ?? null;
    const keepalivedAgrees = pre.moves.every((m) => state(m.to, m.instance) === 'MASTER' && (m.from === null || state(m.from, m.instance) !== 'MASTER'));
    const find = () =>
      this.deps.events
        .query({ cluster, kinds: ['failover'], from: since - 5_000, to: this.now() + 5_000 })
        .events.filter((e) => pre.moves.some((m) => m.instance === e.instance && e.toMaster === m.to));
    let found = find();
    const deadline = this.now() + 2 * this.deps.config.pollIntervalMs;
    while (found.length < pre.moves.length && this.now() < deadline) {
      await this.deps.clusters().nextUpdate(this.deps.config.pollIntervalMs);
      found = find();
    }
    // The gap as keepalived's logs measured it: the console reads them right after it records a
    // failover (events/follow-up.ts) and writes the gap into the event. Waited for briefly.
    const logDeadline = this.now() + (this.deps.logGapWaitMs ?? 10_000);
    while (found.length > 0 && found.some((e) => e.durationMs === null) && this.now() < logDeadline) {
      await new Promise((r) => setTimeout(r, 500));
      found = find();
    }
    const gaps = found.map((e) => e.durationMs).filter((g): g is number => g !== null);
    return { keepalivedAgrees, failoverEventIds: found.map((e) => e.id), eventGapMs: gaps.length > 0 ? Math.max(...gaps) : null };
  }

  private refused(action: string, cluster: string, target: string, who: ActingAs, detail: unknown): void {
    try {
      this.deps.audit.append({ actor: who.name, role: who.role, source: who.source, action, cluster, target, outcome: 'refused', detail });
    } catch (e) {
      console.error('[maintenance] audit append failed', e);
    }
  }
}

function summary(pre: MaintenancePreflight): string {
  const refusals = pre.checks.filter((c) => c.status === 'refusal');
  const warnings = pre.checks.filter((c) => c.status === 'warning');
  const what = pre.action === 'enter' ? `put ${pre.director} in maintenance` : `give ${pre.director} back`;
  if (!pre.allowed) return `would refuse to ${what}: ${refusals.map((c) => c.title).join('; ')}`;
  const moves = pre.moves.length ? pre.moves.map((m) => `${m.instance} ${m.from ?? 'nobody'} → ${m.to ?? 'nobody'}`).join(', ') : 'no VIPs move';
  return `would ${what}: ${moves}${warnings.length ? `; warnings: ${warnings.map((c) => c.title).join('; ')}` : ''}`;
}

function resultMessage(action: MaintenanceAction, director: string, pre: MaintenancePreflight, v: MaintenanceVerification): string {
  const seen = Object.entries(v.holders).map(([i, h]) => `${i} on ${h.length ? h.join(' + ') : 'nobody'}`).join(', ');
  if (!v.moved) {
    return `the VIPs did not move within ${Math.round(v.waitedMs / 1000)} s (${seen}); ${v.rolledBack ? `the track file was written back: ${director} is ${action === 'enter' ? 'in service' : 'in maintenance'} again` : 'writing the track file back failed too: check the director'}`;
  }
  const gap =
    (v.gapMs === null ? '' : `; no director held them for up to ${(v.gapMs / 1000).toFixed(1)} s`) +
    (v.eventGapMs === null ? '' : `; keepalived's logs: ${v.eventGapMs === 0 ? 'no gap without a master' : `no master for ${(v.eventGapMs / 1000).toFixed(1)} s`}`);
  const agree = v.keepalivedAgrees === false ? "; keepalived's own view does not agree yet (a dump still shows the old master): check the directors" : '';
  if (pre.moves.length === 0) return action === 'enter' ? `${director} is in maintenance (it held no VIPs)` : `${director} is back in service; the VIPs stay where they are`;
  return `${action === 'enter' ? `${director} is in maintenance` : `${director} is back in service`}: ${seen} after ${(v.waitedMs / 1000).toFixed(1)} s${gap}${agree}`;
}
