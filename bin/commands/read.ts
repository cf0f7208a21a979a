// `lvsctl status | services | host | history`: read the console's HTTP API with a token and print
// tables for people (default) or stable JSON for scripts (--json; shapes in README "lvsctl: reading").
// Exit codes: 0 ok (status: every cluster healthy), 1 status: some cluster unhealthy, 2 usage or a
// bad request (unknown cluster, bad address), 3 the console failed or could not be reached,
// 5 not allowed (no or bad token, role too low).

import { isApiError, type ApiClient } from '@/lib/api/client';
import { formatBytesPerSecond, formatClock, formatCps } from '@/lib/format';
import type { ClusterList, ClusterSnapshot, ClusterSummary, HistoryResponse, HostMembership } from '@/lib/models/cluster';
import { parseOptions, UsageError, type LvsctlCommand, type Options } from './command';
import { apiToken, consoleClient, consoleUrl, CONSOLE_OPTIONS, failureMessage, processDeps, type ApiDeps, type ConsoleArgs } from './console-api';

export const READ_EXIT = { ok: 0, unhealthy: 1, usage: 2, failed: 3, denied: 5 } as const;
/** Bumped only when a --json shape changes incompatibly. */
export const JSON_VERSION = 1;

/** What the commands need from the outside world (a fake in tests). */
export interface ReadDeps extends ApiDeps {
  /** Time zone for printed times (default: the machine's). */
  timeZone?: string;
}

// ------------------------------------------------------------------ arguments

interface Common extends ConsoleArgs {
  json: boolean;
}
export type ReadArgs =
  | ({ cmd: 'status'; clusters: string[] | null } & Common)
  | ({ cmd: 'services'; cluster: string } & Common)
  | ({ cmd: 'host'; address: string } & Common)
  | ({ cmd: 'history'; cluster: string; service: string; realServer: string | null; minutes: number } & Common);
export type ReadCmd = ReadArgs['cmd'];

const CMD_OPTIONS = {
  status: { cluster: { type: 'string' } },
  services: { cluster: { type: 'string' } },
  host: {},
  history: { cluster: { type: 'string' }, service: { type: 'string' }, 'real-server': { type: 'string' }, minutes: { type: 'string' } },
} as const;

/** Pure: argv (after the command name) -> arguments, or UsageError naming the problem. */
export function parseReadArgs(cmd: ReadCmd, argv: string[]): ReadArgs {
  const options: Options = { ...CONSOLE_OPTIONS, ...CMD_OPTIONS[cmd] };
  const { values, positionals } = parseOptions(argv, options, cmd === 'host');
  const s = (k: string) => {
    const v = values[k];
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const common: Common = { json: values.json === true, ...(s('url') ? { url: s('url') } : {}), ...(s('token-file') ? { tokenFile: s('token-file') } : {}) };
  const need = (k: string, what: string) => {
    const v = s(k);
    if (!v) throw new UsageError(`--${k} ${what} is required`);
    return v;
  };
  switch (cmd) {
    case 'status': {
      const c = s('cluster');
      return { cmd, clusters: c ? c.split(',').filter(Boolean) : null, ...common };
    }
    case 'services':
      return { cmd, cluster: need('cluster', 'C'), ...common };
    case 'host': {
      if (positionals.length !== 1 || !positionals[0]) throw new UsageError('give one real server address: lvsctl host ADDR');
      return { cmd, address: positionals[0], ...common };
    }
    case 'history': {
      const m = s('minutes') ?? '15';
      if (!/^\d+$/.test(m) || Number(m) < 1 || Number(m) > 48 * 60) throw new UsageError(`--minutes must be a whole number from 1 to 2880, got "${m}"`);
      return { cmd, cluster: need('cluster', 'C'), service: need('service', '"TCP VIP:PORT" (or FWM N)'), realServer: s('real-server') ?? null, minutes: Number(m), ...common };
    }
  }
}

// ------------------------------------------------------------------ the API

export class ReadFailure extends Error {
  constructor(
    message: string,
    readonly exit: number,
  ) {
    super(message);
  }
}

function exitForStatus(status: number): number {
  if (status === 401 || status === 403) return READ_EXIT.denied;
  if (status === 404 || status === 400 || status === 422) return READ_EXIT.usage;
  return READ_EXIT.failed;
}

// ------------------------------------------------------------------ status

/** Why a cluster is unhealthy: any critical finding, or a VRRP instance (or the cluster) without a master. */
export function unhealthyReasons(c: ClusterSummary): string[] {
  const reasons = c.findings.filter((f) => f.severity === 'critical').map((f) => `${f.kind}: ${f.message}`);
  for (const i of c.instances) if (i.master === null) reasons.push(`no master for ${i.name}`);
  if (c.instances.length === 0) reasons.push('no VRRP instance known (no director has reported keepalived data)');
  return reasons;
}

export interface StatusJson {
  version: number;
  generatedAt: number;
  healthy: boolean;
  clusters: {
    name: string;
    healthy: boolean;
    health: ClusterSummary['health'];
    reasons: string[];
    masters: { instance: string; master: string | null; vips: string[]; masterSince: number | null }[];
    directors: { name: string; live: boolean; error: string | null }[];
    serviceCount: number;
    realServers: { up: number; drained: number; down: number; unknown: number };
    findings: { severity: string; kind: string; message: string; director: string | null; service: string | null; realServer: string | null; since: number }[];
  }[];
}

export function statusJson(list: ClusterList): StatusJson {
  const clusters = list.clusters.map((c) => {
    const reasons = unhealthyReasons(c);
    return {
      name: c.name,
      healthy: reasons.length === 0,
      health: c.health,
      reasons,
      masters: c.instances.map((i) => ({ instance: i.name, master: i.master, vips: i.vips, masterSince: i.masterSince })),
      directors: c.directors.map((d) => ({ name: d.name, live: d.live, error: d.error })),
      serviceCount: c.serviceCount,
      realServers: c.realServers,
      findings: c.findings.map((f) => ({ severity: f.severity, kind: f.kind, message: f.message, director: f.director, service: f.service, realServer: f.realServer, since: f.since })),
    };
  });
  return { version: JSON_VERSION, generatedAt: list.generatedAt, healthy: clusters.every((c) => c.healthy), clusters };
}

/** A plain text table: columns padded to the widest cell; numbers right-aligned. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells
    .map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

export function formatStatus(s: StatusJson, now: number, timeZone?: string): string {
  const rows = s.clusters.map((c) => [
    c.name,
    c.healthy ? (c.health === 'ok' ? 'ok' : c.health) : 'UNHEALTHY',
    c.masters.map((m) => `${m.instance}=${m.master ?? 'NONE'}`).join(' ') || '-',
    c.directors.map((d) => `${d.name}${d.live ? '' : '(stale)'}`).join(' '),
    c.serviceCount,
    `${c.realServers.up}/${c.realServers.drained}/${c.realServers.down}`,
    c.findings.length,
  ]);
  const lines = [table(['CLUSTER', 'HEALTH', 'MASTERS', 'DIRECTORS', 'SERVICES', 'RS UP/DRAINED/DOWN', 'FINDINGS'], rows)];
  for (const c of s.clusters) {
    for (const f of c.findings) lines.push(`${c.name}: ${f.severity.toUpperCase()} ${f.kind}: ${f.message} (since ${formatClock(f.since, { now, timeZone })})`);
    for (const r of c.reasons.filter((x) => x.startsWith('no master') || x.startsWith('no VRRP'))) lines.push(`${c.name}: ${r}`);
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------ services

export interface ServicesJson {
  version: number;
  cluster: string;
  takenAt: number;
  services: {
    key: string;
    scheduler: string | null;
    activeDirector: string | null;
    persistentTimeout: number | null;
    cps: number | null;
    inBps: number | null;
    outBps: number | null;
    differs: string[];
    realServers: {
      key: string;
      forward: string | null;
      weight: number | null;
      configuredWeight: number | null;
      health: string;
      activeConns: number | null;
      inactiveConns: number | null;
      heldBy: { kind: string; weight: number; actor: string; reason: string } | null;
      differs: string[];
    }[];
  }[];
}

export function servicesJson(s: ClusterSnapshot): ServicesJson {
  return {
    version: JSON_VERSION,
    cluster: s.name,
    takenAt: s.takenAt,
    services: s.services.map((v) => ({
      key: v.key,
      scheduler: v.scheduler,
      activeDirector: v.activeDirector,
      persistentTimeout: v.persistent?.timeout ?? null,
      cps: v.rates?.cps ?? null,
      inBps: v.rates?.inBps ?? null,
      outBps: v.rates?.outBps ?? null,
      differs: v.differs,
      realServers: v.realServers.map((r) => ({
        key: r.key,
        forward: r.forward,
        weight: r.weight,
        configuredWeight: r.configuredWeight,
        health: r.health,
        activeConns: r.activeConns,
        inactiveConns: r.inactiveConns,
        heldBy: r.hold ? { kind: r.hold.kind, weight: r.hold.weight, actor: r.hold.actor, reason: r.hold.reason } : null,
        differs: r.differs,
      })),
    })),
  };
}

const n = (v: number | null) => (v === null ? '-' : v);

export function formatServices(s: ServicesJson, timeZone?: string): string {
  const rows: (string | number)[][] = [];
  for (const v of s.services) {
    rows.push([v.key, v.scheduler ?? '-', v.activeDirector ?? '-', '', '', '', '', formatCps(v.cps), formatBytesPerSecond(v.inBps), v.differs.length ? `differs: ${v.differs.join(',')}` : '']);
    for (const r of v.realServers) {
      const held = r.heldBy ? `${r.heldBy.kind} by ${r.heldBy.actor}` : '';
      const weight = r.weight === null ? '-' : r.configuredWeight !== null && r.configuredWeight !== r.weight ? `${r.weight} (cfg ${r.configuredWeight})` : String(r.weight);
      rows.push([`  -> ${r.key}`, r.forward ?? '', '', weight, r.health, n(r.activeConns), n(r.inactiveConns), '', '', [held, r.differs.length ? `differs: ${r.differs.join(',')}` : ''].filter(Boolean).join('; ')]);
    }
  }
  return `${s.cluster} (taken ${formatClock(s.takenAt, { timeZone })})\n${table(['SERVICE / REAL SERVER', 'SCHED/FWD', 'ACTIVE DIR', 'WEIGHT', 'HEALTH', 'ACT', 'INACT', 'CONN/S', 'IN', 'NOTE'], rows)}`;
}

// ------------------------------------------------------------------ host

export interface HostJson {
  version: number;
  address: string;
  entries: { cluster: string; service: string; realServer: string; weight: number | null; health: string; activeConns: number | null; inactiveConns: number | null; activeDirector: string | null; perDirector: Record<string, { present: boolean; weight: number | null }>; held: boolean }[];
}

export function hostJson(h: HostMembership): HostJson {
  return {
    version: JSON_VERSION,
    address: h.address,
    entries: h.entries.map((e) => ({
      cluster: e.cluster,
      service: e.service,
      realServer: e.realServer.key,
      weight: e.realServer.weight,
      health: e.realServer.health,
      activeConns: e.realServer.activeConns,
      inactiveConns: e.realServer.inactiveConns,
      activeDirector: e.activeDirector,
      perDirector: Object.fromEntries(Object.entries(e.realServer.perDirector).map(([d, v]) => [d, { present: v.present, weight: v.weight }])),
      held: e.realServer.hold != null,
    })),
  };
}

export function formatHost(h: HostJson): string {
  if (h.entries.length === 0) return `${h.address}: not a real server in any cluster`;
  const rows = h.entries.map((e) => [
    e.cluster,
    e.service,
    e.realServer,
    e.weight === null ? '-' : e.weight,
    e.health,
    n(e.activeConns),
    n(e.inactiveConns),
    Object.entries(e.perDirector).map(([d, v]) => `${d}:${v.present ? (v.weight ?? '?') : 'absent'}`).join(' '),
    e.held ? 'held by console' : '',
  ]);
  return table(['CLUSTER', 'SERVICE', 'REAL SERVER', 'WEIGHT', 'HEALTH', 'ACT', 'INACT', 'PER DIRECTOR', 'NOTE'], rows);
}

// ------------------------------------------------------------------ history

export interface HistoryJson {
  version: number;
  cluster: string;
  service: string;
  realServer: string | null;
  from: number;
  to: number;
  points: { t: number; activeConns: number; inactiveConns: number; cps: number; inPps: number; outPps: number; inBps: number; outBps: number }[];
}

export function historyJson(a: { cluster: string; service: string; realServer: string | null }, h: HistoryResponse): HistoryJson {
  const series = h.series.find((x) => x.realServer === a.realServer) ?? h.series[0];
  return { version: JSON_VERSION, cluster: a.cluster, service: a.service, realServer: a.realServer, from: h.from, to: h.to, points: (series?.points ?? []).map((p) => ({ ...p })) };
}

export function formatHistory(h: HistoryJson, now: number, timeZone?: string): string {
  const title = `${h.cluster} ${h.service}${h.realServer ? ` -> ${h.realServer}` : ''}, ${formatClock(h.from, { now, timeZone })} to ${formatClock(h.to, { now, timeZone })}`;
  if (h.points.length === 0) return `${title}: no samples`;
  const rows = h.points.map((p) => [formatClock(p.t, { now, timeZone }), Math.round(p.activeConns), Math.round(p.inactiveConns), formatCps(p.cps), formatBytesPerSecond(p.inBps), formatBytesPerSecond(p.outBps)]);
  return `${title}\n${table(['TIME', 'ACTIVE', 'INACTIVE', 'CONN/S', 'IN', 'OUT'], rows)}`;
}

// ------------------------------------------------------------------ running

const USAGE: Record<ReadCmd, string> = {
  status: `usage: lvsctl status [--cluster C[,D]] [--json] [--url URL] [--token-file FILE]
  Every cluster (or those named): health, the master of each VRRP instance, directors, real servers
  up/drained/down, open findings. A cluster is unhealthy when it has a critical finding (split brain,
  director unreachable, ...) or a VRRP instance without a master.
  Exit: 0 every cluster healthy, 1 some cluster unhealthy, 2 usage/unknown cluster, 3 console failed or unreachable, 5 not allowed.`,
  services: `usage: lvsctl services --cluster C [--json] [--url URL] [--token-file FILE]
  Every virtual service of the cluster with its real servers: weight (and configured weight when it
  differs), health, connections, rates, console holds, values that differ between directors.`,
  host: `usage: lvsctl host ADDR [--json] [--url URL] [--token-file FILE]
  Every service, in every cluster, that ADDR is a real server of, with each director's weight.`,
  history: `usage: lvsctl history --cluster C --service "TCP VIP:PORT" [--real-server ADDR:PORT] [--minutes N] [--json]
                       [--url URL] [--token-file FILE]
  Connections and rates of a service (or one real server of it) over the last N minutes (default 15).`,
};

const COMMON_HELP = '\n  Token: $LVS_CONSOLE_TOKEN or --token-file (a viewer token is enough); console: --url, $LVS_CONSOLE_URL or the config\'s listen.';

export async function runRead(cmd: ReadCmd, argv: string[], deps: ReadDeps = processDeps()): Promise<number> {
  let a: ReadArgs;
  let base: string;
  let client: ApiClient;
  try {
    a = parseReadArgs(cmd, argv);
    base = consoleUrl(a, deps);
    client = consoleClient(base, apiToken(a, deps, 'lvsctl token create --role viewer'), deps);
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`lvsctl ${cmd}: ${e.message}\n\n${USAGE[cmd]}${COMMON_HELP}`);
      return READ_EXIT.usage;
    }
    throw e;
  }
  const print = (json: unknown, text: string) => deps.out(a.json ? JSON.stringify(json, null, 2) : text);
  try {
    switch (a.cmd) {
      case 'status': {
        const list = await client.getClusters();
        if (a.clusters) {
          const missing = a.clusters.filter((c) => !list.clusters.some((x) => x.name === c));
          if (missing.length) throw new ReadFailure(`no cluster named ${missing.join(', ')} (or not visible to this token)`, READ_EXIT.usage);
          list.clusters = list.clusters.filter((c) => a.clusters?.includes(c.name));
        }
        const s = statusJson(list);
        print(s, formatStatus(s, deps.now(), deps.timeZone));
        return s.healthy ? READ_EXIT.ok : READ_EXIT.unhealthy;
      }
      case 'services': {
        const s = servicesJson(await client.getCluster(a.cluster));
        print(s, formatServices(s, deps.timeZone));
        return READ_EXIT.ok;
      }
      case 'host': {
        const h = hostJson(await client.getHost(a.address));
        print(h, formatHost(h));
        return READ_EXIT.ok;
      }
      case 'history': {
        const to = deps.now();
        const h = historyJson(a, await client.getHistory({ cluster: a.cluster, service: a.service, realServer: a.realServer, from: to - a.minutes * 60_000, to }));
        print(h, formatHistory(h, to, deps.timeZone));
        return READ_EXIT.ok;
      }
    }
  } catch (e) {
    if (e instanceof ReadFailure) {
      deps.err(`lvsctl ${cmd}: ${e.message}`);
      return e.exit;
    }
    if (isApiError(e)) {
      deps.err(`lvsctl ${cmd}: ${failureMessage(e, base)}`);
      return e.status === 0 || e.code === 'invalid-response' ? READ_EXIT.failed : exitForStatus(e.status);
    }
    throw e;
  }
}

const command = (name: ReadCmd, summary: string): LvsctlCommand => ({ name, summary, usage: `${USAGE[name]}${COMMON_HELP}`, run: (argv) => runRead(name, argv) });

export const statusCommand = command('status', 'clusters, masters and findings; exit 1 when any cluster is unhealthy (API token)');
export const servicesCommand = command('services', "a cluster's services and real servers (API token)");
export const hostCommand = command('host', 'one real server across every cluster and service (API token)');
export const historyCommand = command('history', 'connections and rates of a service or real server over time (API token)');
