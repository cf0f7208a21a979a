import type {
  ClusterInstance,
  ClusterSnapshot,
  DirectorView,
  Finding,
  MergedRealServer,
  MergedService,
  RealServerHealth,
  RealServerOnDirector,
  TrackFileRef,
  VrrpState,
} from '@/lib/models/cluster';
import type { IpvsRealServer, IpvsService } from '@/lib/models/ipvsadm';
import type { DirectorNetwork } from '@/lib/models/nmcli';
import { canonicalIP, formatEndpoint, splitEndpoint } from '@/lib/address';
import { serviceKey } from '@/lib/models/keys';
import { networkManagerIssues } from '@/lib/network-manager-issues';
import type { DirectorObservation, ObservedDirectorData } from './observation';

// Pure: directors' latest observations -> one merged cluster snapshot with findings.
// The ground truth for "who is master" is who holds the VIP (ip addr), not keepalived's claim.

export interface MergeInput {
  cluster: string;
  now: number;
  pollIntervalMs: number;
  observations: readonly DirectorObservation[];
  /** First-seen times of findings, by id; updated in place so "since" survives across merges. */
  findingSince: Map<string, number>;
  /** Conntrack fill ratio above which a finding is raised. */
  conntrackWarnRatio?: number;
  /**
   * When each director's reads started showing it holding an instance's VIPs (the takenAt of the
   * first such read), keyed by holdKey(); updated in place. With it, two holders count as split
   * brain only once each was read holding after the other started to: the directors are read at
   * different moments, so a plain handover (the new master adds the VIP as the old one drops it)
   * otherwise looks like both holding until the old master's next read. Without it (one-off
   * merges), every overlap counts.
   */
  holdingSince?: Map<string, number>;
}

type Sourced = { name: string; data: ObservedDirectorData };

/**
 * Live: the last refresh succeeded and the next one is not overdue. A refresh that itself takes
 * long (a slow link, an emulated lab) is allowed its own duration on top of three poll intervals,
 * so a slow-but-answering director is not called unreachable.
 */
export function isLive(o: DirectorObservation, now: number, pollIntervalMs: number): boolean {
  return o.error === null && o.data !== null && now - o.data.takenAt <= 3 * pollIntervalMs + o.data.durationMs;
}

export function mergeSnapshot(input: MergeInput): ClusterSnapshot {
  const { now, pollIntervalMs, observations } = input;
  const live = observations.filter((o) => isLive(o, now, pollIntervalMs));
  const withData: Sourced[] = observations.flatMap((o) => (o.data ? [{ name: o.name, data: o.data }] : []));
  const liveSourced: Sourced[] = withData.filter((s) => live.some((l) => l.name === s.name));
  // Figures come from live directors; when none is live, the last data of any is shown (marked stale).
  const sources = liveSourced.length > 0 ? liveSourced : withData;

  const instances = mergeInstances(observations, liveSourced, input.holdingSince);
  // A split brain confirmed now began when the last of its holders took the VIPs.
  for (const i of instances) {
    const id = `split-brain:${i.name}`;
    if (i.holders.length < 2 || !input.holdingSince || input.findingSince.has(id)) continue;
    const began = Math.max(...i.holders.map((h) => input.holdingSince?.get(holdKey(h, i.name)) ?? now));
    input.findingSince.set(id, Math.min(began, now));
  }
  const allVips = new Set(instances.flatMap((i) => i.vips));
  const directors = observations.map((o) => directorView(o, now, pollIntervalMs, allVips));
  const services = mergeServices(sources, instances);

  const raw: Omit<Finding, 'since'>[] = [
    ...directorFindings(observations, live.map((l) => l.name), now, pollIntervalMs),
    ...instanceFindings(instances, liveSourced),
    ...keepalivedFindings(liveSourced, allVips),
    ...disagreementFindings(services, liveSourced.length),
    ...conntrackFindings(liveSourced, input.conntrackWarnRatio ?? 0.8),
    ...networkManagerIssues(directors, services).map(({ id, kind, severity, director, message }) => ({ id, kind, severity, director, message, service: null, realServer: null })),
  ];
  const findings = raw.map((f) => {
    const since = input.findingSince.get(f.id) ?? now;
    return { ...f, since };
  });
  // Forget findings that ended, remember the new ones.
  const ids = new Set(findings.map((f) => f.id));
  for (const id of input.findingSince.keys()) if (!ids.has(id)) input.findingSince.delete(id);
  for (const f of findings) input.findingSince.set(f.id, f.since);

  return { name: input.cluster, takenAt: now, pollIntervalMs, directors, instances, services, findings };
}

function directorView(o: DirectorObservation, now: number, pollIntervalMs: number, allVips: Set<string>): DirectorView {
  const d = o.data;
  const held = d ? d.addresses.filter((a) => allVips.has(a)) : [];
  return {
    name: o.name,
    endpoint: o.endpoint,
    live: isLive(o, now, pollIntervalMs),
    takenAt: d?.takenAt ?? null,
    refreshMs: d?.durationMs ?? null,
    refreshIntervalMs: o.intervalMs ?? null,
    error: o.error,
    keepalivedRunning: d ? d.keepalivedPid !== null : null,
    keepalivedPid: d?.keepalivedPid ?? null,
    instances: (d?.vrrp ?? []).map((v) => ({
      name: v.name,
      state: v.state,
      priority: v.priority,
      effectivePriority: v.effectivePriority,
      lastTransitionAt: v.lastTransitionAt,
      vips: v.vips,
      vipsHeld: v.vips.filter((vip) => d?.addresses.includes(vip)).length,
      syncGroup: v.syncGroup,
      interface: v.interface ?? null,
    })),
    heldVips: held,
    health: d?.health ?? null,
    ipvsadmVersion: d?.ipvsadmVersion ?? null,
    network: d ? networkView(d) : null,
  };
}

/** Interfaces (ip addr now, NetworkManager's device) and profiles; null until NetworkManager was looked for. */
function networkView(d: ObservedDirectorData): DirectorNetwork | null {
  const n = d.network;
  if (!n) return null;
  const devices = new Map(n.devices.map((x) => [x.device, x]));
  const names = [...new Set([...(d.links ?? []).map((l) => l.device), ...n.devices.map((x) => x.device)])].filter((x) => x !== 'lo');
  return {
    manager: n.manager,
    readAt: n.readAt,
    interfaces: names.map((device) => ({
      device,
      addresses: d.links?.find((l) => l.device === device)?.addresses ?? [],
      nm: devices.get(device) ?? null,
    })),
    profiles: n.profiles,
    error: n.error,
  };
}

export function holdKey(director: string, instance: string): string {
  return `${director}\u0000${instance}`;
}

function mergeInstances(observations: readonly DirectorObservation[], live: Sourced[], holdingSince?: Map<string, number>): ClusterInstance[] {
  const byName = new Map<string, { vips: Set<string>; states: Record<string, VrrpState> }>();
  for (const o of observations) {
    for (const v of o.data?.vrrp ?? []) {
      const e = byName.get(v.name) ?? { vips: new Set<string>(), states: {} };
      v.vips.forEach((vip) => e.vips.add(vip));
      e.states[o.name] = v.state;
      byName.set(v.name, e);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => {
      const vips = [...e.vips];
      const claiming = live.filter((s) => vips.some((vip) => s.data.addresses.includes(vip)));
      if (holdingSince) {
        for (const o of observations) {
          if (!o.data) continue;
          const key = holdKey(o.name, name);
          if (vips.some((vip) => o.data?.addresses.includes(vip))) {
            if (!holdingSince.has(key)) holdingSince.set(key, o.data.takenAt);
          } else holdingSince.delete(key);
        }
      }
      const holders = confirmedHolders(name, claiming, holdingSince).map((s) => s.name);
      const master = holders.length === 1 ? (holders[0] ?? null) : null;
      const masterData = live.find((s) => s.name === master)?.data;
      const masterSince = masterData?.vrrp?.find((v) => v.name === name)?.lastTransitionAt ?? null;
      return { name, vips, master, holders, masterSince, states: e.states };
    });
}

/**
 * Of the live directors whose last read shows the VIPs, those whose claim is current: the one that
 * took the VIPs last, and any other read holding them after that moment. A read from before another
 * director took the VIPs says nothing about now (it is re-read within a poll interval).
 */
function confirmedHolders(instance: string, claiming: Sourced[], holdingSince?: Map<string, number>): Sourced[] {
  if (!holdingSince || claiming.length < 2) return claiming;
  let latestTake = -Infinity;
  for (const s of claiming) latestTake = Math.max(latestTake, holdingSince.get(holdKey(s.name, instance)) ?? s.data.takenAt);
  return claiming.filter((s) => s.data.takenAt >= latestTake);
}

function rsKey(rs: { address: string; port: number }): string {
  return formatEndpoint(rs.address, rs.port);
}

/** The live director holding the service's VIP; for FWM services, the master of the first instance. */
function activeDirectorFor(svc: IpvsService, sources: Sourced[], instances: ClusterInstance[]): string | null {
  if (svc.address !== null) {
    const holder = sources.find((s) => s.data.addresses.includes(canonicalIP(svc.address ?? '')));
    if (holder) return holder.name;
  }
  const master = instances.find((i) => i.master !== null)?.master;
  if (master) return master;
  return null;
}

type Checker = { alive: boolean | null; configuredWeight: number | null; trackFile?: TrackFileRef | null };

function mergeServices(sources: Sourced[], instances: ClusterInstance[]): MergedService[] {
  // Index once (service key -> copy per director, checkers per service): a cluster has thousands of
  // services, and scanning lists per service made this quadratic.
  const keys = new Map<string, IpvsService>();
  const byDirector = new Map<string, Map<string, IpvsService>>();
  const checkersByService = new Map<string, Map<string, Checker>>();
  for (const s of sources) {
    const index = new Map<string, IpvsService>();
    for (const svc of s.data.services) {
      const k = serviceKey(svc);
      if (!index.has(k)) index.set(k, svc);
      if (!keys.has(k)) keys.set(k, svc);
    }
    byDirector.set(s.name, index);
    for (const c of s.data.checkers ?? []) {
      let m = checkersByService.get(c.service);
      if (!m) checkersByService.set(c.service, (m = new Map<string, Checker>()));
      if (!m.has(c.realServer)) m.set(c.realServer, c);
    }
  }

  const out: MergedService[] = [];
  for (const [key, first] of keys) {
    const copies = new Map<string, IpvsService>();
    for (const s of sources) {
      const c = byDirector.get(s.name)?.get(key);
      if (c) copies.set(s.name, c);
    }
    const active = activeDirectorFor(first, sources, instances);
    const shown = (active !== null ? copies.get(active) : undefined) ?? first;
    const presentOn = [...copies.keys()];
    const differs: string[] = [];
    if (presentOn.length < sources.length) differs.push('present');
    if (copies.size > 1) {
      const distinct = (f: (x: IpvsService) => unknown) => new Set([...copies.values()].map((x) => JSON.stringify(f(x)))).size > 1;
      if (distinct((x) => x.scheduler)) differs.push('scheduler');
      if (distinct((x) => x.flags)) differs.push('flags');
      if (distinct((x) => x.persistent)) differs.push('persistent');
    }

    const checkers = checkersByService.get(key) ?? new Map<string, Checker>();

    // Real servers of each copy, by key.
    const rsByDirector = new Map<string, Map<string, IpvsRealServer>>();
    const rsKeys = new Map<string, { address: string; port: number }>();
    for (const [dir, c] of copies) {
      const m = new Map<string, IpvsRealServer>();
      for (const rs of c.realServers) {
        const k = rsKey(rs);
        if (!m.has(k)) m.set(k, rs);
        if (!rsKeys.has(k)) rsKeys.set(k, rs);
      }
      rsByDirector.set(dir, m);
    }
    for (const k of checkers.keys()) if (!rsKeys.has(k)) rsKeys.set(k, realServerOfKey(k));

    const realServers: MergedRealServer[] = [...rsKeys.entries()].map(([k, id]) =>
      mergeRealServer(k, id, rsByDirector, active, checkers.get(k) ?? null),
    );
    out.push({
      key,
      protocol: shown.protocol,
      family: shown.family,
      address: shown.address,
      port: shown.port,
      fwmark: shown.fwmark,
      scheduler: shown.scheduler,
      flags: shown.flags,
      persistent: shown.persistent,
      pe: shown.pe,
      ops: shown.ops,
      activeDirector: active,
      presentOn,
      stats: shown.stats,
      rates: shown.rates,
      realServers,
      differs,
    });
  }
  return out;
}

function realServerOfKey(k: string): { address: string; port: number } {
  const { address, port } = splitEndpoint(k);
  return { address, port: port ?? 0 };
}

function mergeRealServer(
  key: string,
  id: { address: string; port: number },
  copies: Map<string, Map<string, IpvsRealServer>>,
  active: string | null,
  checker: Checker | null,
): MergedRealServer {
  const perDirector: Record<string, RealServerOnDirector> = {};
  const found = new Map<string, IpvsRealServer>();
  for (const [dir, byKey] of copies) {
    const rs = byKey.get(key);
    if (rs) found.set(dir, rs);
    perDirector[dir] = {
      present: rs !== undefined,
      forward: rs?.forward ?? null,
      weight: rs?.weight ?? null,
      activeConns: rs?.activeConns ?? null,
      inactiveConns: rs?.inactiveConns ?? null,
      persistentConns: rs?.persistentConns ?? null,
    };
  }
  const shown = (active !== null ? found.get(active) : undefined) ?? (active === null ? [...found.values()][0] : undefined);
  const differs: string[] = [];
  const vals = Object.values(perDirector);
  if (new Set(vals.map((v) => v.present)).size > 1) differs.push('present');
  const presentVals = vals.filter((v) => v.present);
  if (new Set(presentVals.map((v) => v.weight)).size > 1) differs.push('weight');
  if (new Set(presentVals.map((v) => v.forward)).size > 1) differs.push('forward');

  let health: RealServerHealth;
  if (checker?.alive === false) health = 'down';
  else if (shown === undefined) health = checker ? 'down' : 'unknown';
  else if (shown.weight === 0) health = 'drained';
  else health = 'up';

  return {
    key,
    address: id.address,
    port: id.port,
    forward: shown?.forward ?? [...found.values()][0]?.forward ?? null,
    weight: shown?.weight ?? null,
    activeConns: shown?.activeConns ?? null,
    inactiveConns: shown?.inactiveConns ?? null,
    persistentConns: shown?.persistentConns ?? null,
    stats: shown?.stats ?? null,
    rates: shown?.rates ?? null,
    configuredWeight: checker?.configuredWeight ?? null,
    checkerAlive: checker?.alive ?? null,
    health,
    trackFile: checker?.trackFile ?? null,
    perDirector,
    differs,
  };
}

function directorFindings(obs: readonly DirectorObservation[], liveNames: string[], now: number, pollIntervalMs: number): Omit<Finding, 'since'>[] {
  const out: Omit<Finding, 'since'>[] = [];
  for (const o of obs) {
    if (liveNames.includes(o.name)) continue;
    const age = o.data ? Math.round((now - o.data.takenAt) / 1000) : null;
    const why = o.error ? `${o.error.code}: ${o.error.message}` : `no answer for ${Math.round((3 * pollIntervalMs) / 1000)} s`;
    out.push({
      id: `director-unreachable:${o.name}`,
      kind: 'director-unreachable',
      severity: liveNames.length === 0 ? 'critical' : 'warning',
      message: `${o.name} is unreachable (${why}); ${age === null ? 'no data yet' : `its data is ${age} s old`}`,
      director: o.name,
      service: null,
      realServer: null,
    });
  }
  return out;
}

function instanceFindings(instances: ClusterInstance[], live: Sourced[]): Omit<Finding, 'since'>[] {
  if (live.length === 0) return [];
  const out: Omit<Finding, 'since'>[] = [];
  for (const i of instances) {
    if (i.holders.length > 1) {
      out.push({
        id: `split-brain:${i.name}`,
        kind: 'split-brain',
        severity: 'critical',
        message: `Split brain on ${i.name}: ${i.holders.join(' and ')} all hold its VIPs (${i.vips.join(', ')})`,
        director: null,
        service: null,
        realServer: null,
      });
    } else if (i.holders.length === 0) {
      out.push({
        id: `no-master:${i.name}`,
        kind: 'no-master',
        severity: 'critical',
        message: `No master for ${i.name}: no reachable director holds ${i.vips.join(', ')}`,
        director: null,
        service: null,
        realServer: null,
      });
    }
  }
  return out;
}

function keepalivedFindings(live: Sourced[], allVips: Set<string>): Omit<Finding, 'since'>[] {
  const out: Omit<Finding, 'since'>[] = [];
  for (const s of live) {
    if (s.data.keepalivedPid !== null) continue;
    const held = s.data.addresses.filter((a) => allVips.has(a));
    out.push({
      id: `keepalived-down:${s.name}`,
      kind: 'keepalived-down',
      severity: 'critical',
      message:
        held.length > 0
          ? `keepalived is not running on ${s.name}, but it still holds ${held.join(', ')} (left behind: clients may reach a director that no longer health-checks)`
          : `keepalived is not running on ${s.name}: it cannot take over the VIPs`,
      director: s.name,
      service: null,
      realServer: null,
    });
  }
  return out;
}

function disagreementFindings(services: MergedService[], liveCount: number): Omit<Finding, 'since'>[] {
  if (liveCount < 2) return [];
  const out: Omit<Finding, 'since'>[] = [];
  for (const svc of services) {
    const parts: string[] = [];
    if (svc.differs.includes('present')) parts.push(`present only on ${svc.presentOn.join(', ')}`);
    for (const f of svc.differs.filter((d) => d !== 'present')) parts.push(`${f} differs`);
    for (const rs of svc.realServers) {
      if (rs.differs.length === 0) continue;
      const detail = Object.entries(rs.perDirector)
        .map(([d, v]) => `${d}: ${v.present ? `weight ${v.weight ?? '?'}` : 'absent'}`)
        .join(', ');
      parts.push(`${rs.key} (${detail})`);
    }
    if (parts.length === 0) continue;
    out.push({
      id: `directors-disagree:${svc.key}`,
      kind: 'directors-disagree',
      severity: 'warning',
      message: `Directors disagree on ${svc.key}: ${parts.join('; ')}`,
      director: null,
      service: svc.key,
      realServer: null,
    });
  }
  return out;
}

function conntrackFindings(live: Sourced[], ratio: number): Omit<Finding, 'since'>[] {
  const out: Omit<Finding, 'since'>[] = [];
  for (const s of live) {
    const h = s.data.health;
    if (!h || h.conntrackCount === null || h.conntrackMax === null || h.conntrackMax <= 0) continue;
    const r = h.conntrackCount / h.conntrackMax;
    if (r < ratio) continue;
    out.push({
      id: `conntrack-near-full:${s.name}`,
      kind: 'conntrack-near-full',
      severity: r >= 0.95 ? 'critical' : 'warning',
      message: `Conntrack table on ${s.name} is ${Math.round(r * 100)}% full (${h.conntrackCount} of ${h.conntrackMax}); when full the kernel drops new connections`,
      director: s.name,
      service: null,
      realServer: null,
    });
  }
  return out;
}
