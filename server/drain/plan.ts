import type { ClusterSnapshot, MergedRealServer, MergedService } from '@/lib/models/cluster';
import type { DirectorPlan, DrainAction, DrainPlan, HoldMechanism, Intent, PlanEntry, PlannedCommand } from '@/lib/models/drain';
import { AddressError, canonicalIP, parseFwmark, parseHostTarget, type HostTarget } from '@/lib/address';
import {
  ipvsadmEditRealServer,
  ipvsadmListService,
  trackNameOf,
  TRACK_VALUE_MAX,
  writeTrackFile,
  type CatalogueCommand,
  type IpvsServiceRef,
} from '@/server/commands/catalogue';
import { displayCommand, fullArgv } from '@/server/commands/quote';

// Pure: what a drain / restore / re-weight would do to a cluster, from its merged snapshot and the
// open intents. No I/O: apply.ts runs the steps this returns, the API shows the plan as the impact
// and dry run. Errors are PlanError (unknown target, bad selector), mapped to 404/422 by the caller.

export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(
    readonly code: 'not-found' | 'validation',
    message: string,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ targets and selectors

/** A host (port null: every port, every service) or one endpoint, address canonical. */
export type ParsedTarget = HostTarget;

/** `192.0.2.11`, `192.0.2.11:80`, `2001:db8::11`, `[2001:db8::11]:80` (lib/address.ts), as a PlanError. */
export function parseTarget(text: string): ParsedTarget {
  try {
    return parseHostTarget(text);
  } catch (e) {
    if (e instanceof AddressError) throw new PlanError('validation', e.message);
    throw e;
  }
}

export type ServiceMatcher = (s: MergedService) => boolean;

/**
 * "TCP 192.0.2.100:80" (a service key), "tcp:192.0.2.100:80", "udp:[2001:db8::1]:53", "FWM 1",
 * "fwm:1", or "192.0.2.100:80" / "[2001:db8::1]:80" (that address and port, any protocol).
 */
export function parseServiceSelector(text: string): ServiceMatcher {
  const t = text.trim();
  const fwm = parseFwmark(t);
  if (fwm) return (s) => s.protocol === 'FWM' && s.fwmark === fwm.fwmark && s.family === fwm.family;
  const withProto = /^(tcp|udp|sctp)[: ]\s*(.+)$/i.exec(t);
  const proto = withProto ? (withProto[1] ?? '').toUpperCase() : null;
  const rest = withProto ? (withProto[2] ?? '') : t;
  let ep: ParsedTarget;
  try {
    ep = parseTarget(rest);
  } catch {
    throw new PlanError('validation', `service "${text}" is not VIP:PORT, PROTO:VIP:PORT, "TCP VIP:PORT" or fwm:MARK`);
  }
  if (ep.port === null || ep.port === 0) throw new PlanError('validation', `service "${text}" needs a port (VIP:PORT)`);
  const port = ep.port;
  return (s) => s.protocol !== 'FWM' && (proto === null || s.protocol === proto) && s.address !== null && canonicalIP(s.address) === ep.address && s.port === port;
}

// ------------------------------------------------------------------ the plan

export interface PlanRequest {
  action: DrainAction;
  target: string;
  service?: string | undefined;
  /** For 'weight'. */
  weight?: number | undefined;
  /**
   * For 'weight' (a rollout's ramp step): the weight of each real server by "service|realServer";
   * only these of the target's real servers are touched.
   */
  weights?: ReadonlyMap<string, number> | undefined;
  force?: boolean | undefined;
}

export interface PlanContext {
  snapshot: ClusterSnapshot;
  /** Every director of the cluster, in config order, with whether it runs privileged commands through sudo. */
  directors: readonly { name: string; sudo: boolean }[];
  /** Open intents of this cluster. */
  intents: readonly Intent[];
  /** Capacity floor (drain.minServingShare, or the cluster's own): 0 = only the last serving server is protected. */
  minServingShare?: number;
}

/** A service as the catalogue's ipvsadm builders take it. */
export type ServiceRef = IpvsServiceRef;

export interface EditStep {
  service: string;
  serviceRef: ServiceRef;
  realServer: string;
  address: string;
  port: number;
  forward: 'route' | 'masq' | 'tunnel';
  weight: number;
}

export interface TrackStep {
  realServer: string;
  service: string;
  /** Track file name (server/commands/validators.ts: under TRACK_DIR). */
  name: string;
  value: number;
}

export interface DirectorSteps {
  director: string;
  sudo: boolean;
  edits: EditStep[];
  tracks: TrackStep[];
  /** Services to re-read after the change, and which real servers to check in each. */
  verify: { service: string; serviceRef: ServiceRef; expect: { realServer: string; weight: number }[] }[];
  absent: string[];
}

export interface Plan {
  view: DrainPlan;
  steps: DirectorSteps[];
}

interface Selected {
  service: MergedService;
  rs: MergedRealServer;
}

/** The real servers a target (and optional service selector) names in this snapshot. */
export function selectRealServers(snapshot: ClusterSnapshot, target: string, service?: string): Selected[] {
  const t = parseTarget(target);
  const match = service === undefined ? null : parseServiceSelector(service);
  const services = snapshot.services.filter((s) => match === null || match(s));
  if (match !== null && services.length === 0) throw new PlanError('not-found', `cluster ${snapshot.name} has no service matching "${service}"`);
  const out: Selected[] = [];
  for (const s of services) {
    for (const rs of s.realServers) {
      if (canonicalIP(rs.address) !== t.address) continue;
      if (t.port !== null && rs.port !== t.port) continue;
      out.push({ service: s, rs });
    }
  }
  if (out.length === 0) {
    const where = service === undefined ? `cluster ${snapshot.name}` : `${services.map((s) => s.key).join(', ')} of cluster ${snapshot.name}`;
    throw new PlanError('not-found', `no real server ${target} in ${where}`);
  }
  return out;
}

const FORWARD: Record<string, 'route' | 'masq' | 'tunnel'> = { Route: 'route', Masq: 'masq', Tunnel: 'tunnel' };

export function serviceRefOf(s: MergedService): ServiceRef {
  if (s.protocol === 'FWM') return { protocol: 'fwm', fwmark: s.fwmark ?? 0, family: s.family };
  return { protocol: s.protocol === 'TCP' ? 'tcp' : s.protocol === 'UDP' ? 'udp' : 'sctp', address: s.address ?? '', port: s.port ?? 0 };
}

/**
 * The catalogue commands for one director's steps, in order: the track-file writes (run apart:
 * they read stdin), then one sequence of every `ipvsadm -e` and a re-read of each touched service.
 * apply.ts runs exactly these; the plan shows them.
 */
export function directorCommands(s: DirectorSteps): { tracks: CatalogueCommand[]; sequence: CatalogueCommand[] } {
  return {
    tracks: s.tracks.map((t) => writeTrackFile(t.name, t.value)),
    sequence: [
      ...s.edits.map((e) =>
        ipvsadmEditRealServer({ service: e.serviceRef, realServer: { address: e.address, port: e.port }, forward: e.forward, weight: e.weight }),
      ),
      ...s.verify.map((v) => ipvsadmListService(v.serviceRef, { exact: true, mode: 'list' })),
    ],
  };
}

/** A command as an operator would type it on the director: exec's quoting, stdin as `echo … |`. */
function shown(c: CatalogueCommand, directorSudo: boolean): string {
  const line = displayCommand(fullArgv(c.argv, c.sudo && directorSudo, c.runAs));
  return c.stdin === undefined ? line : `${displayCommand(['echo', String(c.stdin).replace(/\n$/, '')])} | ${line}`;
}

/** The number to write to a track file for this weight, or null when no whole number gives it. */
export function trackValueFor(weight: number, t: { multiplier: number; base: number }): number | null {
  if (t.multiplier === 0) return null;
  const v = (weight - t.base) / t.multiplier;
  return Number.isInteger(v) && v >= 0 && v <= TRACK_VALUE_MAX ? v : null;
}

/** Serving = weight > 0 on the director holding the VIP and not reported down by keepalived. */
/**
 * The capacity floor: the share of the service's full weight still serving after the change, against
 * the configured floor. The full weight counts every real server at its own weight (keepalived's
 * configured weight, else the weight a hold will give back, else its live weight), so servers
 * already drained, down or held by someone else count as not serving. Only a change that lowers the
 * serving weight is judged. The refusal carries the numbers and who is already out.
 */
function belowFloor(svc: MergedService, servingBefore: number, servingAfter: number, ctx: PlanContext): string | null {
  const min = ctx.minServingShare ?? 0;
  if (min <= 0 || servingAfter >= servingBefore) return null;
  const held = new Map(ctx.intents.filter((i) => i.service === svc.key).map((i) => [i.realServer, i.restoreWeight]));
  const nominal = (rs: MergedRealServer) => rs.configuredWeight ?? held.get(rs.key) ?? liveWeight(rs) ?? 0;
  const full = svc.realServers.reduce((a, rs) => a + Math.max(0, nominal(rs)), 0);
  if (full <= 0 || servingAfter / full >= min) return null;
  const out = svc.realServers.filter((rs) => !serving(rs, liveWeight(rs)) && nominal(rs) > 0).map((rs) => `${rs.key} (${rs.health === 'down' || rs.checkerAlive === false ? 'down' : held.has(rs.key) ? 'held' : 'weight 0'})`);
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  return `${svc.key} would keep ${pct(servingAfter / full)} of its weight serving (${servingAfter} of ${full}), below the floor of ${pct(min)} (drain.minServingShare)${out.length ? `; already out: ${out.join(', ')}` : ''} (force to do it anyway)`;
}

function serving(rs: MergedRealServer, weight: number | null): boolean {
  return weight !== null && weight > 0 && rs.checkerAlive !== false && rs.health !== 'down';
}

/** The live weight: the VIP holder's, else any director's. */
function liveWeight(rs: MergedRealServer): number | null {
  if (rs.weight !== null) return rs.weight;
  for (const v of Object.values(rs.perDirector)) if (v.present && v.weight !== null) return v.weight;
  return null;
}

/**
 * What a restore puts back when no intent recorded it: the live weight if > 0; else what the track
 * file's "1" gives; else keepalived's configured weight (0 for a server configured at 0); else 1.
 */
export function defaultRestoreWeight(rs: MergedRealServer): number {
  const live = liveWeight(rs);
  if (live !== null && live > 0) return live;
  if (rs.trackFile) return Math.max(1, rs.trackFile.base + rs.trackFile.multiplier);
  if (rs.configuredWeight !== null) return rs.configuredWeight;
  return 1;
}

export function planAction(ctx: PlanContext, req: PlanRequest): Plan {
  const { snapshot } = ctx;
  const selected = selectRealServers(snapshot, req.target, req.service);
  const openBy = new Map(ctx.intents.filter((i) => i.endedAt === null).map((i) => [`${i.service}|${i.realServer}`, i]));

  interface Chosen extends Selected {
    entry: PlanEntry;
    track: { name: string; value: number } | null;
  }
  const chosen: Chosen[] = [];
  for (const sel of selected) {
    const each = req.weights?.get(`${sel.service.key}|${sel.rs.key}`);
    if (req.weights && each === undefined) continue;
    const existing = openBy.get(`${sel.service.key}|${sel.rs.key}`) ?? null;
    // A host restore touches only what is held, or at weight 0 on some director (a retry after a partial restore).
    const zeroSomewhere = Object.values(sel.rs.perDirector).some((v) => v.present && v.weight === 0);
    if (req.action === 'restore' && existing === null && !zeroSomewhere && selected.length > 1) continue;
    const restoreWeight = existing?.restoreWeight ?? defaultRestoreWeight(sel.rs);
    let targetWeight: number;
    if (req.action === 'drain') targetWeight = 0;
    else if (req.action === 'weight') targetWeight = each ?? req.weight ?? 0;
    else targetWeight = restoreWeight;

    let mechanism: HoldMechanism = 'ipvsadm';
    let track: { name: string; value: number } | null = null;
    const tf = sel.rs.trackFile ?? null;
    if (tf) {
      const name = trackNameOf(tf.path);
      const value = trackValueFor(targetWeight, tf);
      const back = trackValueFor(restoreWeight, tf);
      if (name !== null && value !== null && back !== null) {
        mechanism = 'track-file';
        track = { name, value };
      }
    }
    chosen.push({
      ...sel,
      track,
      entry: {
        service: sel.service.key,
        realServer: sel.rs.key,
        currentWeight: liveWeight(sel.rs),
        targetWeight,
        restoreWeight,
        mechanism,
        trackFile: track && tf ? { path: tf.path, value: track.value } : null,
        shareBefore: 0,
        shareAfter: 0,
        remainingShare: 0,
        removesLastServer: false,
        existingIntentId: existing?.id ?? null,
        persistenceWarning: null,
      },
    });
  }
  if (chosen.length === 0) throw new PlanError('not-found', `nothing to restore for ${req.target}: it holds no drain or weight and has weight > 0 everywhere`);

  // Impact per service: weight shares before and after, and whether the last serving server goes.
  const refusals: string[] = [];
  const warnings: string[] = [];
  const quiescentOff = snapshot.directors.filter((d) => d.health?.expireQuiescentTemplate === false).map((d) => d.name);
  for (const svc of new Set(chosen.map((c) => c.service))) {
    const mine = chosen.filter((c) => c.service === svc);
    const after = new Map(mine.map((c) => [c.rs.key, c.entry.targetWeight]));
    const before = svc.realServers.map((rs) => ({ rs, w: serving(rs, liveWeight(rs)) ? (liveWeight(rs) ?? 0) : 0 }));
    const afterW = svc.realServers.map((rs) => {
      const w = after.has(rs.key) ? (after.get(rs.key) ?? 0) : liveWeight(rs);
      return { rs, w: serving(rs, w) ? (w ?? 0) : 0 };
    });
    const totalBefore = before.reduce((a, b) => a + b.w, 0);
    const totalAfter = afterW.reduce((a, b) => a + b.w, 0);
    const othersAfter = afterW.filter((x) => !after.has(x.rs.key)).reduce((a, b) => a + b.w, 0);
    const lastGone = totalBefore > 0 && totalAfter === 0;
    for (const c of mine) {
      c.entry.shareBefore = totalBefore > 0 ? (before.find((x) => x.rs.key === c.rs.key)?.w ?? 0) / totalBefore : 0;
      c.entry.shareAfter = totalAfter > 0 ? (afterW.find((x) => x.rs.key === c.rs.key)?.w ?? 0) / totalAfter : 0;
      c.entry.remainingShare = totalAfter > 0 ? othersAfter / totalAfter : 0;
      c.entry.removesLastServer = lastGone;
      if (svc.persistent !== null && c.entry.targetWeight === 0 && quiescentOff.length > 0) {
        c.entry.persistenceWarning = `${svc.key} is persistent (${svc.persistent.timeout} s) and net.ipv4.vs.expire_quiescent_template is 0 on ${quiescentOff.join(', ')}: clients with a live persistence template keep reaching ${c.rs.key} until it expires`;
      }
    }
    if (lastGone) {
      refusals.push(`${svc.key} would have no serving real server left: ${mine.map((c) => c.rs.key).join(', ')} ${mine.length > 1 ? 'are' : 'is'} the last with weight > 0 (force to do it anyway)`);
    } else {
      const floor = belowFloor(svc, totalBefore, totalAfter, ctx);
      if (floor) refusals.push(floor);
    }
  }
  for (const c of chosen) if (c.entry.persistenceWarning) warnings.push(c.entry.persistenceWarning);

  // Steps per director.
  const liveNames = new Set(snapshot.directors.filter((d) => d.live).map((d) => d.name));
  const steps: DirectorSteps[] = ctx.directors.map((d) => {
    const ds: DirectorSteps = { director: d.name, sudo: d.sudo, edits: [], tracks: [], verify: [], absent: [] };
    for (const c of chosen) {
      const on = c.rs.perDirector[d.name];
      const serviceHere = c.service.presentOn.includes(d.name);
      // A live director that lacks the service or the real server: nothing to change there now.
      if (liveNames.has(d.name) && (!serviceHere || on?.present === false || on === undefined)) {
        ds.absent.push(`${c.service.key} -> ${c.rs.key}`);
        continue;
      }
      const fwdName = on?.forward ?? c.rs.forward ?? '';
      const forward = FORWARD[fwdName];
      if (!forward) throw new PlanError('validation', `${c.rs.key} in ${c.service.key} uses forwarding "${fwdName || 'unknown'}", which the console cannot edit`);
      const ref = serviceRefOf(c.service);
      if (c.track) ds.tracks.push({ realServer: c.rs.key, service: c.service.key, name: c.track.name, value: c.track.value });
      ds.edits.push({ service: c.service.key, serviceRef: ref, realServer: c.rs.key, address: c.rs.address, port: c.rs.port, forward, weight: c.entry.targetWeight });
      let v = ds.verify.find((x) => x.service === c.service.key);
      if (!v) {
        v = { service: c.service.key, serviceRef: ref, expect: [] };
        ds.verify.push(v);
      }
      v.expect.push({ realServer: c.rs.key, weight: c.entry.targetWeight });
    }
    return ds;
  });

  const directors: DirectorPlan[] = steps.map((s) => {
    const { tracks, sequence } = directorCommands(s);
    const edits = sequence.slice(0, s.edits.length);
    const verifies = sequence.slice(s.edits.length);
    return {
      director: s.director,
      absent: s.absent,
      commands: [
        ...[...tracks, ...edits].map((c): PlannedCommand => ({ display: shown(c, s.sudo), role: 'set' })),
        ...verifies.map((c): PlannedCommand => ({ display: shown(c, s.sudo), role: 'verify' })),
      ],
    };
  });

  return {
    view: {
      cluster: snapshot.name,
      action: req.action,
      target: req.target,
      service: req.service ?? null,
      entries: chosen.map((c) => c.entry),
      directors,
      refusals: req.force ? [] : refusals,
      warnings: req.force && refusals.length > 0 ? [...refusals.map((r) => `forced: ${r}`), ...warnings] : warnings,
    },
    steps,
  };
}

/** A weight this console set and re-read on a director (fresher than a snapshot taken before it). */
export interface VerifiedEntry {
  at: number;
  director: string;
  service: string;
  realServer: string;
  /** null: the re-read did not find it. */
  weight: number | null;
}

/**
 * The snapshot with the weights this console verified laid over every director whose data was
 * taken before the verification (pure). Planning right after an action then sees what the action
 * did, without waiting for the next refresh.
 */
export function overlayVerified(snapshot: ClusterSnapshot, entries: readonly VerifiedEntry[]): ClusterSnapshot {
  const started = new Map(snapshot.directors.map((d) => [d.name, d.takenAt === null ? -Infinity : d.takenAt - (d.refreshMs ?? 0)]));
  const due = entries.filter((e) => (started.get(e.director) ?? Infinity) <= e.at).sort((a, b) => a.at - b.at);
  if (due.length === 0) return snapshot;
  return {
    ...snapshot,
    services: snapshot.services.map((s) => {
      const mine = due.filter((e) => e.service === s.key);
      if (mine.length === 0) return s;
      return {
        ...s,
        realServers: s.realServers.map((rs) => {
          const here = mine.filter((e) => e.realServer === rs.key);
          if (here.length === 0) return rs;
          const perDirector = { ...rs.perDirector };
          let weight = rs.weight;
          for (const e of here) {
            const cur = perDirector[e.director];
            if (!cur) continue;
            perDirector[e.director] = { ...cur, present: e.weight !== null, weight: e.weight };
            if (e.director === s.activeDirector) weight = e.weight;
          }
          const health = rs.health === 'down' ? 'down' : weight === 0 ? 'drained' : weight === null ? rs.health : 'up';
          return { ...rs, perDirector, weight, health };
        }),
      };
    }),
  };
}
