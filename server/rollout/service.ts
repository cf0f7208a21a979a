import 'server-only';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { ActionResult, DrainProgress, DrainRequest, IntentList, RestoreRequest, WeightRequest } from '@/lib/models/drain';
import type { ClusterEvent, EventKind, NewClusterEvent } from '@/lib/models/events';
import {
  currentBatch,
  heldHosts,
  rampWeight,
  resolveBatchSize,
  rolloutActive,
  type Rollout,
  ROLLOUT_SECRET_HEADER,
  type RolloutActionRequest,
  type RolloutCallbackRequest,
  type RolloutActionResult,
  type RolloutHost,
  type RolloutList,
  type RolloutRequest,
  type RolloutServer,
  type RolloutStartResult,
} from '@/lib/models/rollout';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalIP, isIP, splitEndpoint } from '@/lib/address';
import type { AuditLog } from '@/server/audit/log';
import type { DirectorObservation } from '@/server/collector/observation';
import { KeyedMutex } from '@/server/concurrency/keyed-mutex';
import { logStoreFailure } from '@/server/db/outage-log';
import { busyElsewhere, type ConsoleShare } from '@/server/leases/gate';
import type { ConsoleConfig } from '@/server/config/schema';
import type { PlanContext } from '@/server/drain/plan';
import { clusterConfig, guardPlan, type ActingAs } from '@/server/drain/ports';
import { DomainError } from '@/server/errors';
import { checkHost, hostCounters } from './check';
import { judgeBatch } from './floor';
import type { RolloutStore } from './store';

// Rolling maintenance (issue #18), built on the drain's intents: the console drains each batch of
// hosts with DrainService (every service, every director, audited as the rollout's starter), waits
// until the VIP holders show no connections (or the deadline), waits for the operator's "done" (or
// a timer), gives the weight back in steps (each a verified re-weight; the last a restore), and
// checks the host serves (check.ts) before the next batch. The state is saved after every
// transition (store.ts): a restarted console resumes each rollout where it was. One transition at
// a time per rollout (a lock shared with the operators' actions on it).

export interface RolloutDrain {
  drain(cluster: string, body: DrainRequest, who: ActingAs): Promise<ActionResult>;
  setWeights(cluster: string, body: Omit<WeightRequest, 'weight' | 'service'> & { weights: ReadonlyMap<string, number> }, who: ActingAs): Promise<ActionResult>;
  restore(cluster: string, body: RestoreRequest, who: ActingAs): Promise<ActionResult>;
  planContext(cluster: string): PlanContext;
  intents(cluster: string): IntentList;
}

export interface RolloutClusters {
  snapshot(cluster: string): ClusterSnapshot | undefined;
  observations(cluster: string): DirectorObservation[];
  refreshNow(cluster: string, opts?: { keepalivedDump?: boolean }): Promise<ClusterSnapshot | undefined>;
}

export interface RolloutDeps {
  config: Pick<ConsoleConfig, 'clusters' | 'pollIntervalMs'>;
  store: RolloutStore;
  drain: RolloutDrain;
  progress: (cluster: string, target: string) => Promise<DrainProgress>;
  clusters: () => RolloutClusters;
  audit: AuditLog;
  /** Records a timeline event; returns it as stored (null when it could not be). */
  recordEvent: (e: NewClusterEvent) => ClusterEvent | null;
  /** Sends a stored event to the webhooks that want its kind. */
  notify: (e: ClusterEvent) => void;
  now?: () => number;
  /** How often running rollouts are advanced (default min(2 s, the poll interval)). */
  tickMs?: number;
  /** Several consoles on one store: the cluster's leader advances its rollouts; a rollout is locked across consoles. */
  share?: ConsoleShare;
}

/** How often a host being checked asks keepalived for a fresh dump (its checkers' verdicts). */
const CHECK_DUMP_EVERY_MS = 10_000;

export class RolloutService {
  private readonly now: () => number;
  private readonly locks: KeyedMutex;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  /** Rollout id -> when its host check last asked for a keepalived dump. */
  private readonly dumpAsked = new Map<string, number>();

  constructor(private readonly deps: RolloutDeps) {
    this.now = deps.now ?? Date.now;
    this.locks = new KeyedMutex({ storeLock: deps.share?.storeLock ?? null, scope: 'rollout', busy: (id) => busyElsewhere(`rollout #${id}`) });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Drive every running rollout (those a previous process left running too). */
  drive(): void {
    if (this.timer) return;
    const every = this.deps.tickMs ?? Math.min(2000, this.deps.config.pollIntervalMs);
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over the running rollouts: each advanced by at most one transition (never throws). */
  async tick(): Promise<void> {
    if (this.closed) return;
    let active: Rollout[];
    try {
      active = this.deps.store.active();
    } catch (e) {
      logStoreFailure('[rollout] cannot read the running rollouts', e);
      return;
    }
    for (const r of active) {
      if (r.state !== 'running' || !(this.deps.share?.leads?.(r.cluster) ?? true)) continue;
      await this.locks
        .tryRun(r.id, async () => {
          const cur = this.deps.store.get(r.cluster, r.id);
          if (cur && cur.state === 'running' && !this.closed) await this.advance(cur);
        })
        .catch((e: unknown) => console.error(`[rollout] #${r.id} could not advance`, e));
    }
  }

  // ---------------------------------------------------------------- reads

  list(cluster: string, all = false): RolloutList {
    clusterConfig(this.deps.config, cluster);
    const active = this.deps.store.active(cluster);
    if (!all) return { cluster, rollouts: active };
    const seen = new Set(active.map((r) => r.id));
    return { cluster, rollouts: [...active, ...this.deps.store.recent(cluster).filter((r) => !seen.has(r.id))] };
  }

  get(cluster: string, id: string): Rollout {
    clusterConfig(this.deps.config, cluster);
    const r = this.deps.store.get(cluster, id);
    if (!r) throw new DomainError('not-found', `cluster ${cluster} has no rollout #${id}`);
    return r;
  }

  // ---------------------------------------------------------------- start

  start(cluster: string, req: RolloutRequest, who: ActingAs): Promise<RolloutStartResult> {
    return Promise.resolve().then(() => this.begin(cluster, req, who));
  }

  /** Synchronous from the check to the stored row: two starts cannot both take the same host. */
  private begin(cluster: string, req: RolloutRequest, who: ActingAs): RolloutStartResult {
    clusterConfig(this.deps.config, cluster);
    const hosts = this.hostsOf(cluster, req);
    const batchSize = resolveBatchSize(hosts.length, req);
    const batches: string[][] = [];
    for (let i = 0; i < hosts.length; i += batchSize) batches.push(hosts.slice(i, i + batchSize));
    const busy = this.deps.store
      .active(cluster)
      .flatMap((r) => r.hosts.filter((h) => hosts.includes(h.host) && h.step !== 'done' && h.step !== 'skipped').map((h) => `${h.host} is in rollout #${r.id} (${r.state}, by ${r.actor})`));
    if (busy.length > 0) throw new DomainError('conflict', `refused: ${busy.join('; ')}`, { refusals: busy });

    const ctx = this.deps.drain.planContext(cluster);
    let refusals: string[] = [];
    const warnings: string[] = [];
    const servers = new Map<string, RolloutServer[]>();
    if (req.kind === 'ramp') {
      const open = this.deps.drain.intents(cluster).intents;
      for (const h of hosts) {
        const held = open.filter((i) => sameHost(i.realServer, h)).map((i) => ({ service: i.service, realServer: i.realServer, restoreWeight: i.restoreWeight }));
        if (held.length === 0) throw new DomainError('conflict', `refused: ${h} holds no drain or weight: nothing to bring back in steps`, { refusals: [`${h} holds no drain or weight`] });
        servers.set(h, held);
      }
    } else {
      const first = guardPlan(() => judgeBatch(ctx, batches[0] ?? []));
      refusals = first.refusals;
      warnings.push(...first.warnings);
      // Later batches, each judged alone against the cluster as it is now: an early warning.
      for (const [i, b] of batches.entries()) {
        if (i === 0) continue;
        const later = guardPlan(() => judgeBatch(ctx, b));
        for (const r of later.refusals) warnings.push(`batch ${i + 1} would be refused as the cluster is now: ${r}`);
      }
      // A host someone already holds: the rollout's drain keeps that hold, and its restore ends it.
      for (const h of hosts) {
        const held = ctx.intents.filter((i) => sameHost(i.realServer, h));
        const by = [...new Set(held.map((i) => `${i.actor} ("${i.reason}")`))];
        if (by.length > 0) warnings.push(`${h} is already held by ${by.join(', ')}: the rollout takes the hold over, and its ramp and restore end it`);
      }
    }
    if (req.dryRun || refusals.length > 0) {
      const message = refusals.length
        ? `refused: ${refusals.join('; ')}`
        : `dry run: ${hosts.length} host${hosts.length === 1 ? '' : 's'} in ${batches.length} batch${batches.length === 1 ? '' : 'es'}; nothing was changed`;
      if (refusals.length > 0) {
        this.auditRow('rollout-start', cluster, hosts.join(','), 'refused', who, { reason: req.reason, refusals });
        if (!req.dryRun) throw new DomainError('conflict', message, { refusals, batches });
      }
      return { rollout: null, dryRun: true, message, batches, refusals, warnings, auditId: null };
    }

    const at = this.now();
    // The callback's secret goes back in this answer only; the store keeps its hash.
    const secret = req.callback ? randomBytes(32).toString('base64url') : null;
    const r = this.deps.store.create({
      cluster,
      kind: req.kind,
      state: 'running',
      stopped: null,
      hosts: hosts.map((host, i) => ({
        host,
        batch: Math.floor(i / batchSize) + 1,
        step: req.kind === 'ramp' ? 'ramping' : 'pending',
        stepStartedAt: req.kind === 'ramp' ? at : null,
        servers: servers.get(host) ?? [],
        rampIndex: -1,
        rampAt: null,
        connsAtCheck: null,
        note: null,
        connectionsLeft: null,
        finishedAt: null,
      })),
      options: {
        batchSize,
        drainDeadlineSeconds: req.drainDeadlineSeconds,
        onDeadline: req.onDeadline,
        maintenance: req.maintenance,
        maintenanceSeconds: req.maintenance === 'timer' ? (req.maintenanceSeconds ?? 0) : null,
        ramp: req.ramp,
        stepSeconds: req.stepSeconds,
        checkSeconds: req.checkSeconds,
        checkNewConnections: req.checkNewConnections,
      },
      actor: who.name,
      reason: req.reason,
      ticket: req.ticket ?? null,
      createdAt: at,
      updatedAt: at,
      endedAt: null,
      endedBy: null,
      callback: secret !== null,
      status: 'starting',
      log: [{ at, host: null, text: `started by ${who.name}: ${hosts.length} host(s) in ${batches.length} batch(es) of ${batchSize}` }],
    }, secret === null ? null : sha256(secret));
    const auditId = this.auditRow('rollout-start', cluster, hosts.join(','), 'ok', who, { rollout: r.id, kind: r.kind, reason: req.reason, ticket: req.ticket ?? null, batches, options: r.options, warnings });
    this.kick();
    return {
      rollout: r,
      dryRun: false,
      message: `rollout #${r.id} started: ${hosts.length} host${hosts.length === 1 ? '' : 's'} in ${batches.length} batch${batches.length === 1 ? '' : 'es'}`,
      batches,
      refusals: [],
      warnings,
      auditId,
      ...(secret === null ? {} : { callback: { path: `/api/clusters/${encodeURIComponent(cluster)}/rollouts/${r.id}/callback`, header: ROLLOUT_SECRET_HEADER, secret } }),
    };
  }

  /**
   * A pipeline says a host's maintenance is done, with the rollout's callback secret instead of an
   * account: checked against the stored hash (constant time), then the same "done" as an operator's,
   * audited as the rollout's callback. A wrong or missing secret changes nothing and is audited.
   */
  async callbackDone(cluster: string, id: string, secret: string | null, body: RolloutCallbackRequest, source: string): Promise<RolloutActionResult> {
    clusterConfig(this.deps.config, cluster);
    const stored = this.deps.store.callbackHash(cluster, id);
    const who: ActingAs = { name: `rollout #${id} callback`, role: null, source };
    if (stored === null || secret === null || !sameDigest(sha256(secret), stored)) {
      this.auditRow('rollout-action', cluster, `rollout #${id}`, 'refused', who, { action: 'done', via: 'callback', why: stored === null ? 'no such rollout with a callback' : 'wrong or missing secret' });
      throw new DomainError('forbidden', `wrong or missing ${ROLLOUT_SECRET_HEADER} for rollout #${id} of cluster ${cluster}`);
    }
    return this.act(cluster, id, { action: 'done', ...(body.host ? { host: body.host } : {}), reason: 'maintenance done (callback)' }, who);
  }

  /** The request's hosts, canonical, each a real server address of the cluster (or a clear error). */
  private hostsOf(cluster: string, req: RolloutRequest): string[] {
    const snapshot = this.deps.clusters().snapshot(cluster);
    if (!snapshot || snapshot.directors.every((d) => d.takenAt === null)) {
      throw new DomainError('unavailable', `no director of cluster ${cluster} has answered yet: cannot tell its real servers`);
    }
    const known = new Set(snapshot.services.flatMap((s) => s.realServers.map((rs) => canonicalIP(rs.address))));
    const out: string[] = [];
    for (const raw of req.hosts) {
      const h = hostAddress(raw);
      if (!known.has(h)) throw new DomainError('not-found', `${raw} is not a real server of any service of cluster ${cluster}`);
      if (out.includes(h)) throw new DomainError('invalid', `${raw} is named twice`);
      out.push(h);
    }
    return out;
  }

  // ---------------------------------------------------------------- operators' actions

  async act(cluster: string, id: string, body: RolloutActionRequest, who: ActingAs): Promise<RolloutActionResult> {
    clusterConfig(this.deps.config, cluster);
    const result = await this.locks.run(id, async () => {
      const r = this.get(cluster, id);
      const host = body.host === undefined ? null : this.hostIn(r, body.host);
      const why = body.reason ? ` ("${body.reason}")` : '';
      let message: string;
      switch (body.action) {
        case 'pause': {
          if (r.state !== 'running') throw new DomainError('conflict', `rollout #${id} is ${r.state}, not running: nothing to pause`);
          r.state = 'paused';
          r.status = `paused by ${who.name}${why}`;
          message = `rollout #${id} paused: no next step until it is resumed`;
          break;
        }
        case 'resume': {
          if (r.state !== 'paused') throw new DomainError('conflict', `rollout #${id} is ${r.state}, not paused: nothing to resume`);
          const retried = r.stopped;
          r.state = 'running';
          r.stopped = null;
          // A check that ran out starts again with a new window (new connections still count from the restore).
          for (const h of r.hosts) if (h.step === 'checking') h.stepStartedAt = this.now();
          r.status = `resumed by ${who.name}`;
          message = `rollout #${id} resumed${retried ? `; trying again after: ${retried}` : ''}`;
          break;
        }
        case 'skip': {
          if (!host) throw new DomainError('invalid', 'skip needs a host');
          if (!rolloutActive(r)) throw new DomainError('conflict', `rollout #${id} is ${r.state}: nothing to skip`);
          if (host.step === 'done' || host.step === 'skipped') throw new DomainError('conflict', `${host.host} is already ${host.step}`);
          const was = host.step;
          this.setStep(host, 'skipped', `skipped by ${who.name} at ${was}${why}: left as it is${was === 'pending' ? '' : ' (its holds stay until restored)'}`);
          message = `${host.host} skipped at ${was}: left as it is${was === 'pending' ? '' : `; restore it (lvsctl restore --cluster ${r.cluster} --host ${host.host}, or the host's Restore) when it is ready`}`;
          break;
        }
        case 'abort': {
          if (!rolloutActive(r)) throw new DomainError('conflict', `rollout #${id} is already ${r.state}`);
          r.state = 'aborted';
          r.endedAt = this.now();
          r.endedBy = who.name;
          const left = heldHosts(r);
          r.status = `aborted by ${who.name}${why}`;
          message = `rollout #${id} aborted: every host stays as it is${left.length ? `; still held: ${left.map((h) => `${h.host} (${h.step})`).join(', ')} — "Restore all" gives them back` : ''}`;
          break;
        }
        case 'done': {
          if (r.state === 'aborted' || r.state === 'done') throw new DomainError('conflict', `rollout #${id} is ${r.state}`);
          const waiting = host ? [host] : r.hosts.filter((h) => h.step === 'maintenance');
          const bad = waiting.filter((h) => h.step !== 'maintenance');
          if (waiting.length === 0) throw new DomainError('conflict', `no host of rollout #${id} is waiting for maintenance`);
          if (bad.length > 0) throw new DomainError('conflict', `${bad.map((h) => `${h.host} is at ${h.step}`).join('; ')}, not waiting for maintenance`);
          for (const h of waiting) this.toRamp(h, `maintenance done (${who.name})${why}`);
          message = `maintenance of ${waiting.map((h) => h.host).join(', ')} done: the weight comes back in ${r.options.ramp.length} step(s)`;
          break;
        }
        case 'proceed': {
          if (!rolloutActive(r)) throw new DomainError('conflict', `rollout #${id} is ${r.state}`);
          const waiting = host ? [host] : r.hosts.filter((h) => h.step === 'deadline');
          if (waiting.length === 0 || waiting.some((h) => h.step !== 'deadline' && h.step !== 'draining')) {
            throw new DomainError('conflict', `no ${host ? `drain of ${host.host}` : 'host'} is waiting at its deadline`);
          }
          for (const h of waiting) this.toMaintenance(r, h, `went on past the drain deadline (${who.name}) with ${h.connectionsLeft ?? 'some'} connection(s) left`);
          message = `${waiting.map((h) => h.host).join(', ')}: on to maintenance`;
          break;
        }
        case 'restore-all': {
          if (rolloutActive(r)) throw new DomainError('conflict', `rollout #${id} is ${r.state}: abort it first (restore all is for an aborted or finished rollout)`);
          const held = heldHosts(r);
          if (held.length === 0) throw new DomainError('conflict', `rollout #${id} holds no host: nothing to restore`);
          const said: string[] = [];
          for (const h of held) {
            try {
              const res = await this.deps.drain.restore(r.cluster, { target: h.host, reason: `rollout #${id}: restore all${why}` }, who);
              said.push(`${h.host}: ${res.outcome}`);
              if (res.outcome === 'ok') this.setStep(h, 'done', `restored (restore all by ${who.name})`);
            } catch (e) {
              said.push(`${h.host}: ${e instanceof Error ? e.message : String(e)}`);
            }
          }
          message = `restore all: ${said.join('; ')}`;
          break;
        }
      }
      this.log(r, host?.host ?? null, `${body.action}${host ? ` ${host.host}` : ''} by ${who.name}${why}`);
      const saved = this.save(r);
      const auditId = this.auditRow('rollout-action', cluster, host?.host ?? `rollout #${id}`, 'ok', who, { rollout: id, action: body.action, reason: body.reason ?? null, message });
      return { rollout: saved, message, auditId };
    });
    this.kick();
    return result;
  }

  private hostIn(r: Rollout, raw: string): RolloutHost {
    const h = hostAddress(raw);
    const found = r.hosts.find((x) => x.host === h);
    if (!found) throw new DomainError('not-found', `${raw} is not a host of rollout #${r.id}`);
    return found;
  }

  // ---------------------------------------------------------------- the engine

  private async advance(r: Rollout): Promise<void> {
    const batch = currentBatch(r);
    if (batch === null) {
      r.state = 'done';
      r.endedAt = this.now();
      r.status = `finished: ${r.hosts.filter((h) => h.step === 'done').length} done, ${r.hosts.filter((h) => h.step === 'skipped').length} skipped`;
      this.log(r, null, r.status);
      this.save(r);
      this.event(r, 'rollout-finished', `rollout #${r.id} finished (${r.hosts.length} host(s))`, null);
      return;
    }
    const hosts = r.hosts.filter((h) => h.batch === batch && h.step !== 'done' && h.step !== 'skipped');
    const pending = hosts.filter((h) => h.step === 'pending');
    if (pending.length > 0) return this.startBatch(r, batch, pending);
    for (const h of hosts) {
      if (r.state !== 'running') break;
      await this.advanceHost(r, h);
    }
    r.status = statusOf(r);
    this.save(r);
  }

  private async startBatch(r: Rollout, batch: number, pending: RolloutHost[]): Promise<void> {
    const names = pending.map((h) => h.host);
    // The floor again, on the cluster as it is now (others may have drained or lost servers since).
    let refusals: string[];
    try {
      refusals = guardPlan(() => judgeBatch(this.deps.drain.planContext(r.cluster), names)).refusals;
    } catch (e) {
      return this.stop(r, `batch ${batch} (${names.join(', ')}) could not be planned: ${messageOf(e)}`);
    }
    if (refusals.length > 0) return this.stop(r, `batch ${batch} refused by the capacity floor: ${refusals.join('; ')}`);
    const total = Math.max(...r.hosts.map((h) => h.batch));
    this.event(r, 'rollout-batch', `rollout #${r.id}: batch ${batch} of ${total} (${names.join(', ')}) draining`, null);
    for (const h of pending) {
      let res: ActionResult;
      try {
        res = await this.deps.drain.drain(r.cluster, { target: h.host, reason: `rollout #${r.id}: ${r.reason}`, ...(r.ticket ? { ticket: r.ticket } : {}) }, this.actingAs(r));
      } catch (e) {
        return this.stop(r, `the drain of ${h.host} failed: ${messageOf(e)}`);
      }
      h.servers = res.plan.entries.map((e) => ({ service: e.service, realServer: e.realServer, restoreWeight: e.restoreWeight }));
      this.setStep(h, 'draining', res.outcome === 'ok' ? 'drained on every director; waiting for its connections to end' : `held, but ${res.message}`);
      this.log(r, h.host, `drain: ${res.message}`);
      this.save(r);
    }
    r.status = statusOf(r);
    this.save(r);
  }

  private async advanceHost(r: Rollout, h: RolloutHost): Promise<void> {
    const now = this.now();
    const since = h.stepStartedAt ?? now;
    switch (h.step) {
      case 'draining':
      case 'deadline': {
        let p: DrainProgress;
        try {
          p = await this.deps.progress(r.cluster, h.host);
        } catch (e) {
          h.note = `cannot read its progress: ${messageOf(e)}`;
          return;
        }
        const left = p.entries.reduce((a, e) => a + (e.active ?? 0) + (e.inactive ?? 0) + (e.persistent ?? 0), 0);
        h.connectionsLeft = left;
        if (p.state === 'drained') return this.toMaintenance(r, h, `drained: no connection left on the VIP holders`);
        if (h.step === 'deadline') {
          h.note = `past the drain deadline with ${left} connection(s) left: waiting for "proceed"`;
          return;
        }
        if (now - since >= r.options.drainDeadlineSeconds * 1000) {
          if (r.options.onDeadline === 'proceed') return this.toMaintenance(r, h, `drain deadline (${r.options.drainDeadlineSeconds} s) passed with ${left} connection(s) left: going on`);
          this.setStep(h, 'deadline', `past the drain deadline (${r.options.drainDeadlineSeconds} s) with ${left} connection(s) left: waiting for "proceed"`);
          h.connectionsLeft = left;
          this.log(r, h.host, h.note ?? '');
          this.event(r, 'rollout-waiting', `rollout #${r.id}: ${h.host} still has ${left} connection(s) at its drain deadline`, h.host);
          return;
        }
        h.note = `draining: ${left} connection(s) left${p.state === 'serving' ? ' (a director still shows weight > 0)' : ''}`;
        return;
      }
      case 'maintenance': {
        if (r.options.maintenance === 'timer' && now - since >= (r.options.maintenanceSeconds ?? 0) * 1000) this.toRamp(h, `maintenance time (${r.options.maintenanceSeconds ?? 0} s) over`);
        return;
      }
      case 'ramping':
        return this.rampStep(r, h, now);
      case 'checking':
        return this.check(r, h, now);
      default:
        return;
    }
  }

  private async rampStep(r: Rollout, h: RolloutHost, now: number): Promise<void> {
    if (h.rampAt !== null && now - h.rampAt < r.options.stepSeconds * 1000) return;
    const i = h.rampIndex + 1;
    const pct = r.options.ramp[i];
    if (pct === undefined) return this.toCheck(r, h);
    const who = this.actingAs(r);
    const reason = `rollout #${r.id}: ramp ${pct} % (${r.reason})`;
    try {
      if (pct >= 100) {
        const res = await this.deps.drain.restore(r.cluster, { target: h.host, reason }, who);
        if (res.outcome !== 'ok') return this.stop(r, `the restore of ${h.host} was not verified on every director: ${res.message}`);
      } else {
        const weights = new Map(h.servers.filter((s) => s.restoreWeight > 0).map((s) => [`${s.service}|${s.realServer}`, rampWeight(s.restoreWeight, pct)]));
        if (weights.size > 0) {
          const res = await this.deps.drain.setWeights(r.cluster, { target: h.host, weights, reason }, who);
          if (res.outcome !== 'ok') return this.stop(r, `ramp step ${pct} % of ${h.host} was not verified on every director: ${res.message}`);
        }
      }
    } catch (e) {
      return this.stop(r, `ramp step ${pct} % of ${h.host} failed: ${messageOf(e)}`);
    }
    h.rampIndex = i;
    h.rampAt = this.now();
    const weights = h.servers.map((s) => `${s.realServer} ${rampWeight(s.restoreWeight, pct)}`).join(', ');
    h.note = `weight at ${pct} % (${weights}), verified on every director`;
    this.log(r, h.host, `ramp ${pct} %: ${weights}`);
    if (pct >= 100) this.toCheck(r, h);
  }

  private toCheck(r: Rollout, h: RolloutHost): void {
    this.setStep(h, 'checking', 'checking: keepalived says up on every director, and new connections reach it');
    const counters = hostCounters(this.deps.clusters().observations(r.cluster), h.servers);
    h.connsAtCheck = Object.keys(counters).length ? counters : null;
    this.dumpAsked.delete(r.id);
  }

  private async check(r: Rollout, h: RolloutHost, now: number): Promise<void> {
    const since = h.stepStartedAt ?? now;
    // keepalived's checker verdicts come from its dump: ask for a fresh one now and then.
    const asked = this.dumpAsked.get(r.id) ?? 0;
    if (now - asked >= CHECK_DUMP_EVERY_MS) {
      this.dumpAsked.set(r.id, now);
      await this.deps.clusters().refreshNow(r.cluster, { keepalivedDump: true }).catch(() => undefined);
    }
    const observations = this.deps.clusters().observations(r.cluster);
    const c = checkHost(observations, h.servers, { since, baseline: h.connsAtCheck ?? {}, newConnections: r.options.checkNewConnections });
    h.connsAtCheck = Object.keys(c.baseline).length ? c.baseline : null;
    if (c.ok) {
      this.setStep(h, 'done', `serving: ${c.passed.join('; ')}`);
      h.finishedAt = this.now();
      this.log(r, h.host, `check passed: ${c.passed.join('; ')}`);
      return;
    }
    if (this.now() - since >= r.options.checkSeconds * 1000) {
      h.note = `failed its check after the restore: waited ${r.options.checkSeconds} s for ${c.waiting.join('; ')}`;
      return this.stop(r, `${h.host} failed its check after the restore: waited ${r.options.checkSeconds} s for ${c.waiting.join('; ')}`);
    }
    h.note = `checking: waiting for ${c.waiting.join('; ')}${c.passed.length ? ` (${c.passed.join('; ')})` : ''}`;
  }

  // ---------------------------------------------------------------- transitions

  private toMaintenance(r: Rollout, h: RolloutHost, why: string): void {
    const timer = r.options.maintenance === 'timer';
    this.setStep(h, 'maintenance', timer ? `${why}; maintenance for ${r.options.maintenanceSeconds ?? 0} s` : `${why}; waiting for "maintenance done"`);
    this.log(r, h.host, h.note ?? why);
    if (!timer) this.event(r, 'rollout-waiting', `rollout #${r.id}: ${h.host} is drained and waits for its maintenance ("done")`, h.host);
  }

  private toRamp(h: RolloutHost, why: string): void {
    this.setStep(h, 'ramping', `${why}: bringing the weight back`);
    h.rampIndex = -1;
    h.rampAt = null;
  }

  private setStep(h: RolloutHost, step: RolloutHost['step'], note: string): void {
    h.step = step;
    h.stepStartedAt = this.now();
    h.note = note;
    if (step === 'done' || step === 'skipped') h.finishedAt = this.now();
  }

  /** Pause on a failure or refusal, saying why (resume tries the step again). */
  private stop(r: Rollout, why: string): void {
    r.state = 'paused';
    r.stopped = why;
    r.status = `stopped: ${why}`;
    this.log(r, null, r.status);
    this.save(r);
    this.event(r, 'rollout-stopped', `rollout #${r.id} stopped`, null, why);
  }

  private log(r: Rollout, host: string | null, text: string): void {
    r.log.push({ at: this.now(), host, text });
  }

  private save(r: Rollout): Rollout {
    r.updatedAt = this.now();
    return this.deps.store.save(r);
  }

  private event(r: Rollout, kind: EventKind, text: string, host: string | null, cause: string | null = null): void {
    try {
      const e = this.deps.recordEvent({
        cluster: r.cluster,
        kind,
        director: null,
        instance: null,
        fromState: null,
        toState: text,
        fromMaster: null,
        toMaster: null,
        at: this.now(),
        endedAt: null,
        durationMs: null,
        cause: cause ?? `${r.reason} (by ${r.actor}${r.ticket ? `, ${r.ticket}` : ''})`,
        service: null,
        realServer: host,
        logLines: [],
        source: 'observed',
      });
      if (e) this.deps.notify(e);
    } catch (err) {
      console.error('[rollout] event not recorded', err);
    }
  }

  private actingAs(r: Rollout): ActingAs {
    return { name: r.actor, role: 'operator', source: `rollout #${r.id}` };
  }

  private auditRow(action: string, cluster: string, target: string, outcome: 'ok' | 'refused', who: ActingAs, detail: unknown): string | null {
    try {
      return this.deps.audit.append({ actor: who.name, role: who.role, source: who.source, action, cluster, target, outcome, detail }).id;
    } catch (e) {
      console.error('[rollout] audit append failed', e);
      return null;
    }
  }

  /** Advance soon (after an action): the next tick, without waiting for the interval. */
  private kick(): void {
    if (this.timer) setTimeout(() => void this.tick(), 0).unref();
  }
}

function sameHost(realServer: string, host: string): boolean {
  return canonicalIP(splitEndpoint(realServer).address) === host;
}

/** A host as a rollout names it: an IPv4 or IPv6 address (no port), canonical. */
function hostAddress(raw: string): string {
  const t = raw.trim();
  if (isIP(t) === 0) throw new DomainError('invalid', `"${raw}" is not an IP address (a rollout names hosts by address, without a port)`);
  return canonicalIP(t);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The rollout in one sentence, from its hosts. */
export function statusOf(r: Rollout): string {
  if (r.state === 'paused') return r.stopped ? `stopped: ${r.stopped}` : r.status;
  if (r.state !== 'running') return r.status;
  const b = currentBatch(r);
  if (b === null) return 'finishing';
  const total = Math.max(...r.hosts.map((h) => h.batch));
  const now = r.hosts.filter((h) => h.batch === b && h.step !== 'done' && h.step !== 'skipped');
  return `batch ${b} of ${total}: ${now.map((h) => `${h.host} ${h.step}`).join(', ')}`;
}
