import 'server-only';
import { VrrpState, type ClusterSnapshot, type MergedRealServer, type MergedService, RealServerHealth } from '@/lib/models/cluster';
import type { IpvsRates, IpvsStats } from '@/lib/models/ipvsadm';

// GET /metrics in the Prometheus text exposition format (version 0.0.4), from merged snapshots,
// the collector's own counters and the event store's failover counts. Pure: no I/O.
// Every series carries `cluster`; service series `service` (the console's service key, e.g.
// "TCP 192.0.2.100:80"), real-server series also `real_server` ("192.0.2.11:80").

export interface CollectorStat {
  cluster: string;
  director: string;
  successes: number;
  errors: number;
  lastSuccessAt: number | null;
  refreshMs: number | null;
  /** Time between the starts of its last two scheduled refreshes (absent: not known yet). */
  intervalMs?: number | null;
}

export interface FailoverCount {
  cluster: string;
  instance: string | null;
  count: number;
}

export interface MetricsInput {
  snapshots: readonly ClusterSnapshot[];
  collector: readonly CollectorStat[];
  failovers: readonly FailoverCount[];
  /** false: no per-real-server series (label cardinality), only per-service and cluster ones. */
  perRealServer: boolean;
  /** Director maintenance per cluster (absent: none reported). */
  maintenance?: readonly { cluster: string; director: string; inMaintenance: boolean; trackConfigured: boolean }[];
  /** Active rollouts per cluster (absent: none reported). */
  rollouts?: readonly { cluster: string; id: string; state: 'running' | 'paused'; stopped: boolean; waiting: number }[];
  /** This console and the store it shares with other consoles (#16; absent: not reported). */
  store?: { reachable: boolean; console: string; leases: readonly { name: string; holder: string; ageMs: number; expiresInMs: number }[]; consoles: readonly { id: string; live: boolean }[] };
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

/** Label value escaping per the text format: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escaping: backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

class Family {
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge',
    readonly help: string,
  ) {}

  add(labels: Labels, value: number | null | undefined): void {
    if (value === null || value === undefined) return;
    const ls = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',');
    this.lines.push(`${this.name}${ls ? `{${ls}}` : ''} ${formatValue(value)}`);
  }
}

class Registry {
  private readonly families: Family[] = [];
  family(name: string, type: 'counter' | 'gauge', help: string): Family {
    const f = new Family(name, type, help);
    this.families.push(f);
    return f;
  }
  text(): string {
    const out: string[] = [];
    for (const f of this.families) {
      if (f.lines.length === 0) continue;
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.lines);
    }
    return `${out.join('\n')}\n`;
  }
}

interface TrafficFamilies {
  conns: Family;
  packets: Family;
  bytes: Family;
  cps: Family;
  pps: Family;
  bps: Family;
}

function trafficFamilies(r: Registry, prefix: string, what: string): TrafficFamilies {
  return {
    conns: r.family(`${prefix}_connections_total`, 'counter', `Connections scheduled to the ${what} since the director's IPVS table was created (active director).`),
    packets: r.family(`${prefix}_packets_total`, 'counter', `Packets through the ${what}, by direction (active director).`),
    bytes: r.family(`${prefix}_bytes_total`, 'counter', `Bytes through the ${what}, by direction (active director).`),
    cps: r.family(`${prefix}_connections_per_second`, 'gauge', `New connections per second to the ${what}, as IPVS estimates it (active director).`),
    pps: r.family(`${prefix}_packets_per_second`, 'gauge', `Packets per second through the ${what}, by direction, as IPVS estimates it.`),
    bps: r.family(`${prefix}_bytes_per_second`, 'gauge', `Bytes per second through the ${what}, by direction, as IPVS estimates it.`),
  };
}

/** One figure per direction, labelled direction="in" / "out". */
function addInOut(family: TrafficFamilies['packets'], labels: Labels, inValue: number, outValue: number): void {
  family.add({ ...labels, direction: 'in' }, inValue);
  family.add({ ...labels, direction: 'out' }, outValue);
}

function addTraffic(f: TrafficFamilies, labels: Labels, stats: IpvsStats | null, rates: IpvsRates | null): void {
  if (stats) {
    f.conns.add(labels, stats.conns);
    addInOut(f.packets, labels, stats.inPkts, stats.outPkts);
    addInOut(f.bytes, labels, stats.inBytes, stats.outBytes);
  }
  if (rates) {
    f.cps.add(labels, rates.cps);
    addInOut(f.pps, labels, rates.inPps, rates.outPps);
    addInOut(f.bps, labels, rates.inBps, rates.outBps);
  }
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

export function renderMetrics(input: MetricsInput): string {
  const r = new Registry();

  // Clusters and directors.
  const findings = r.family('lvs_cluster_findings', 'gauge', 'Open findings (split brain, no master, directors disagree, ...) by severity.');
  const directorUp = r.family('lvs_director_up', 'gauge', '1 when the director answered its last refresh recently (live), 0 when stale or unreachable.');
  const directorTaken = r.family('lvs_director_data_timestamp_seconds', 'gauge', 'When the data shown for the director was taken (Unix time).');
  const keepalivedUp = r.family('lvs_director_keepalived_running', 'gauge', '1 when keepalived runs on the director, 0 when not (absent when unknown).');
  const vrrpState = r.family('lvs_director_vrrp_state', 'gauge', 'VRRP state of an instance as the director sees it: 1 for the current state, 0 for the others.');
  const vrrpPriority = r.family('lvs_director_vrrp_effective_priority', 'gauge', "The instance's effective VRRP priority on the director.");
  const vipsHeld = r.family('lvs_director_vips_held', 'gauge', "How many of the instance's VIPs the director holds (ip addr: the ground truth).");
  const instanceMaster = r.family('lvs_vrrp_instance_master', 'gauge', '1 for the director holding the VIPs of the instance (the master), 0 for the other directors.');
  const instanceHasMaster = r.family('lvs_vrrp_instance_has_master', 'gauge', '1 when exactly one director holds the VIPs, 0 when none does or several do (split brain).');
  const instanceHolders = r.family('lvs_vrrp_instance_vip_holders', 'gauge', 'Directors holding any VIP of the instance (more than 1: split brain).');
  const inMaintenance = r.family('lvs_director_maintenance', 'gauge', "1 while the director is in maintenance (its VRRP track file holds it below its peers, or the console's maintenance is open), else 0.");
  const networkManager = r.family('lvs_director_networkmanager', 'gauge', '1 when NetworkManager runs on the director, 0 when not (absent until it was looked for).');
  const nmVipInProfile = r.family('lvs_director_networkmanager_vips_in_profiles', 'gauge', "How many of the cluster's VIPs are written into the director's NetworkManager profiles (each comes back at every activation).");
  const maintenanceTracked = r.family('lvs_director_maintenance_track_configured', 'gauge', "1 when keepalived on the director tracks the console's maintenance file, else 0.");
  const rollouts = r.family('lvs_rollout_active', 'gauge', '1 for each running or paused rollout, by state.');
  const rolloutStopped = r.family('lvs_rollout_stopped', 'gauge', '1 while the console stopped the rollout on a failure or a refusal (a host failed its check, the capacity floor): someone must look; 0 otherwise.');
  const rolloutWaiting = r.family('lvs_rollout_hosts_waiting', 'gauge', "Hosts of the rollout waiting for an operator: maintenance 'done', or 'proceed' past the drain deadline.");
  const failovers = r.family('lvs_failovers_total', 'counter', 'Failovers (the VIPs moved to another director) recorded by the console, per VRRP instance, within the event retention.');

  // Services and real servers.
  const svcTraffic = trafficFamilies(r, 'lvs_service', 'virtual service');
  const svcRealServers = r.family('lvs_service_real_servers', 'gauge', 'Real servers of the service by health (up, drained, down, unknown).');
  const rsTraffic = trafficFamilies(r, 'lvs_real_server', 'real server');
  const rsActive = r.family('lvs_real_server_active_connections', 'gauge', 'Active connections to the real server (active director).');
  const rsInactive = r.family('lvs_real_server_inactive_connections', 'gauge', 'Inactive connections to the real server (active director).');
  const rsWeight = r.family('lvs_real_server_weight', 'gauge', 'Runtime IPVS weight of the real server (active director).');
  const rsConfigured = r.family('lvs_real_server_configured_weight', 'gauge', "Weight keepalived's configuration gives the real server.");
  const rsHealth = r.family('lvs_real_server_health', 'gauge', 'Health of the real server: 1 for the current one of up, drained, down, unknown; 0 for the others.');
  const rsDrained = r.family('lvs_real_server_drained_by_console', 'gauge', "1 while an open drain in the console holds the real server's weight at 0.");
  const rsHeld = r.family('lvs_real_server_console_hold_weight', 'gauge', 'The weight an open console drain or re-weight holds the real server at (absent when none).');

  // The collector.
  const refreshOk = r.family('lvs_collector_refreshes_total', 'counter', 'Director refreshes that succeeded since the console started.');
  const refreshErr = r.family('lvs_collector_refresh_errors_total', 'counter', 'Director refreshes that failed since the console started.');
  const lastSuccess = r.family('lvs_collector_last_success_timestamp_seconds', 'gauge', "When the director's last successful refresh was taken (Unix time).");
  const refreshDuration = r.family('lvs_collector_refresh_duration_seconds', 'gauge', "How long the director's last successful refresh took.");
  const refreshInterval = r.family(
    'lvs_collector_refresh_interval_seconds',
    'gauge',
    "Time between the starts of the director's last two scheduled refreshes: the poll interval while the console keeps up (alert when it is well over lvs_collector_poll_interval_seconds).",
  );
  const pollInterval = r.family('lvs_collector_poll_interval_seconds', 'gauge', 'The configured poll interval.');

  for (const s of input.snapshots) {
    const cluster = s.name;
    pollInterval.add({ cluster }, s.pollIntervalMs / 1000);
    for (const sev of ['critical', 'warning', 'info'] as const) findings.add({ cluster, severity: sev }, s.findings.filter((f) => f.severity === sev).length);
    for (const d of s.directors) {
      const dl = { cluster, director: d.name };
      directorUp.add(dl, d.live ? 1 : 0);
      directorTaken.add(dl, seconds(d.takenAt));
      if (d.keepalivedRunning !== null) keepalivedUp.add(dl, d.keepalivedRunning ? 1 : 0);
      if (d.network) {
        networkManager.add(dl, d.network.manager === 'networkmanager' ? 1 : 0);
        if (d.network.manager === 'networkmanager') nmVipInProfile.add(dl, s.findings.filter((f) => f.kind === 'nm-vip-in-profile' && f.director === d.name).length);
      }
      for (const inst of d.instances) {
        const il = { ...dl, instance: inst.name };
        for (const state of VrrpState.options) vrrpState.add({ ...il, state }, inst.state === state ? 1 : 0);
        vrrpPriority.add(il, inst.effectivePriority);
        vipsHeld.add(il, inst.vipsHeld);
      }
    }
    for (const inst of s.instances) {
      const il = { cluster, instance: inst.name };
      for (const d of s.directors) instanceMaster.add({ ...il, director: d.name }, inst.master === d.name ? 1 : 0);
      instanceHasMaster.add(il, inst.master !== null && inst.holders.length === 1 ? 1 : 0);
      instanceHolders.add(il, inst.holders.length);
    }
    for (const svc of s.services) renderService(svc, cluster);
  }
  for (const ro of input.rollouts ?? []) {
    const rl = { cluster: ro.cluster, rollout: ro.id };
    rollouts.add({ ...rl, state: ro.state }, 1);
    rolloutStopped.add(rl, ro.stopped ? 1 : 0);
    rolloutWaiting.add(rl, ro.waiting);
  }
  if (input.store) {
    const st = input.store;
    r.family('lvs_console_store_up', 'gauge', "1 while this console reaches its store (SQLite file or PostgreSQL); 0: it lost the database and has stopped its side effects.").add({ console: st.console }, st.reachable ? 1 : 0);
    const live = r.family('lvs_console_live', 'gauge', '1 for each console sharing the store whose heartbeat is within a lease; 0 for one that has stopped beating.');
    for (const c of st.consoles) live.add({ console: c.id }, c.live ? 1 : 0);
    const held = r.family('lvs_console_lease_held', 'gauge', "1 on the lease of each cluster (and '@store') held by a console, by holder; the holder runs that cluster's side effects.");
    const age = r.family('lvs_console_lease_age_seconds', 'gauge', 'Seconds since the holder last renewed the lease (renewed every poll; past the lease time, another console takes it).');
    for (const l of st.leases) {
      if (l.expiresInMs <= 0) continue;
      held.add({ lease: l.name, console: l.holder }, 1);
      age.add({ lease: l.name }, l.ageMs / 1000);
    }
  }
  for (const m of input.maintenance ?? []) {
    const dl = { cluster: m.cluster, director: m.director };
    inMaintenance.add(dl, m.inMaintenance ? 1 : 0);
    maintenanceTracked.add(dl, m.trackConfigured ? 1 : 0);
  }

  function renderService(svc: MergedService, cluster: string): void {
    const sl = { cluster, service: svc.key };
    addTraffic(svcTraffic, sl, svc.stats, svc.rates);
    for (const h of RealServerHealth.options) svcRealServers.add({ ...sl, health: h }, svc.realServers.filter((x) => x.health === h).length);
    if (input.perRealServer) for (const rs of svc.realServers) renderRealServer(rs, sl);
  }

  function renderRealServer(rs: MergedRealServer, sl: Labels): void {
    const l = { ...sl, real_server: rs.key };
    addTraffic(rsTraffic, l, rs.stats, rs.rates);
    rsActive.add(l, rs.activeConns);
    rsInactive.add(l, rs.inactiveConns);
    rsWeight.add(l, rs.weight);
    rsConfigured.add(l, rs.configuredWeight);
    for (const h of RealServerHealth.options) rsHealth.add({ ...l, health: h }, rs.health === h ? 1 : 0);
    rsDrained.add(l, rs.hold?.kind === 'drain' ? 1 : 0);
    rsHeld.add(l, rs.hold?.weight);
  }

  const clusters = new Set(input.snapshots.map((s) => s.name));
  for (const f of input.failovers) {
    if (clusters.has(f.cluster)) failovers.add({ cluster: f.cluster, instance: f.instance ?? '' }, f.count);
  }
  // An instance with no failover yet still gets its 0, so increase() and alerts see a series.
  for (const s of input.snapshots) {
    for (const inst of s.instances) {
      if (!input.failovers.some((f) => f.cluster === s.name && f.instance === inst.name)) failovers.add({ cluster: s.name, instance: inst.name }, 0);
    }
  }

  for (const c of input.collector) {
    const l = { cluster: c.cluster, director: c.director };
    refreshOk.add(l, c.successes);
    refreshErr.add(l, c.errors);
    lastSuccess.add(l, seconds(c.lastSuccessAt));
    refreshDuration.add(l, seconds(c.refreshMs));
    if (c.intervalMs !== undefined && c.intervalMs !== null) refreshInterval.add(l, c.intervalMs / 1000);
  }

  return r.text();
}
