import 'server-only';
import { createHash } from 'node:crypto';
import type { DirectorHealthView, TrackFileRef } from '@/lib/models/cluster';
import type { IpvsService } from '@/lib/models/ipvsadm';
import type { KeepalivedData, KeepalivedRealServerData } from '@/lib/models/keepalived';
import { canonicalIP, formatEndpoint } from '@/lib/address';
import { serviceKey } from '@/lib/models/keys';
import {
  ipAddrJson,
  ipvsadmList,
  keepalivedSignal,
  pidofKeepalived,
  readFile,
  sysctlRead,
  type CatalogueCommand,
  type SysctlKey,
} from '@/server/commands/catalogue';
import type { ClusterConfig, ConsoleConfig, DirectorConfig } from '@/server/config/schema';
import { readEnvironment } from '@/server/config/load';
import { parseDirectorHealth } from '@/server/parsers/director-health';
import { parseIpAddrJson } from '@/server/parsers/ip-addr';
import { detach } from '@/server/parsers/ipvsadm-connections';
import { execSequence, type StepResult } from '@/server/ssh/exec';
import { configureSshPool, type SshPool } from '@/server/ssh/pool';
import { inlineListingParser, type ListingParser } from './listing-parser';
import { continueFrom } from './rates';
import { NEW_NM_MEMO, networkManagerSteps, readNetworkManager, type NmMemo } from './network-manager';
import type { ObservedChecker, ObservedDirectorData, ObservedVrrpInstance } from './observation';

// One refresh of one director = ONE ssh exec of a fixed command sequence (every round trip
// costs latency; on the emulated lab 0.5-1 s). Of `ipvsadm -Ln`, every refresh reads two
// listings: `--persistent-conn` (weights and connections) and `--stats` (counters); the default
// listing (forwarding methods, which change rarely) once a minute, or at once when a real server
// appears whose method is not known; `--rate` only on the first refresh: after it, rates come from
// successive counters (rates.ts). keepalived's own view comes from its SIGUSR1
// dump: asking for it makes keepalived log a line, so it is asked for only when something
// changed (VIPs held, the IPVS real-server set, keepalived's pid) or once a minute, at the end
// of one refresh, and read at the start of the next.

/** How often keepalived is asked for a dump when nothing changed. */
export const KEEPALIVED_DUMP_EVERY_MS = 60_000;

/** How often the default listing (forwarding methods) is read when no real server appeared. */
export const FORWARD_READ_EVERY_MS = 60_000;

const DUMP_FILES = ['/tmp/keepalived.data', '/tmp/keepalived_check.data'] as const;

interface DirectorMemo {
  /** A dump was requested at the end of the previous refresh: read it in this one. */
  dumpRequestedAt: number | null;
  /** Fingerprint of what a dump depends on, to ask for a new dump when it changes. */
  fingerprint: string;
  /** NetworkManager: looked for yet, present, when read (network-manager.ts). */
  nm?: NmMemo;
  /** When the default listing (forwarding methods) was last read. */
  forwardAt?: number | null;
}

export interface DirectorRefresher {
  refresh: (cluster: ClusterConfig, director: DirectorConfig, previous: ObservedDirectorData | null, opts?: { dumpNow?: boolean; networkNow?: boolean }) => Promise<ObservedDirectorData>;
  pool: SshPool;
  close: () => Promise<void>;
}

/**
 * `parser`: where the ipvsadm listings are parsed (default: inline, on this thread; the server
 * passes a worker-thread parser). The refresher closes it.
 */
export function createDirectorRefresher(config: ConsoleConfig, parser: ListingParser = INLINE): DirectorRefresher {
  const pool = configureSshPool({ tuning: config.ssh, agentSocket: readEnvironment().sshAuthSock });
  const memo = new Map<string, DirectorMemo>();
  return {
    pool,
    close: async () => {
      await parser.close();
      await pool.closeAll();
    },
    refresh: async (cluster, director, previous, opts) => {
      const key = `${cluster.name}/${director.name}`;
      const m = memo.get(key) ?? { dumpRequestedAt: null, fingerprint: '', nm: NEW_NM_MEMO };
      try {
        const result = await refreshDirector(director, pool, previous, m, Date.now, parser, opts);
        memo.set(key, result.memo);
        return result.data;
      } catch (e) {
        // Unreachable (rebooted?): look for NetworkManager again once it answers.
        memo.set(key, { ...m, nm: NEW_NM_MEMO });
        throw e;
      }
    },
  };
}

/** The kernel settings a refresh reads (typed against the catalogue's allow-list). */
export const REFRESH_SYSCTLS: readonly SysctlKey[] = [
  'net.ipv4.ip_forward',
  'net.ipv6.conf.all.forwarding',
  'net.ipv4.vs.expire_quiescent_template',
  'net.ipv4.vs.expire_nodest_conn',
  'net.ipv4.vs.conntrack',
  'net.netfilter.nf_conntrack_count',
  'net.netfilter.nf_conntrack_max',
];

const INLINE = inlineListingParser();

const LIST_STEPS = {
  list: ipvsadmList({ exact: true, mode: 'list' }),
  stats: ipvsadmList({ exact: true, mode: 'stats' }),
  rate: ipvsadmList({ exact: true, mode: 'rate' }),
  persistent: ipvsadmList({ exact: true, mode: 'persistent-conn' }),
};

/** What a steady-state refresh runs (no dump to read, forwarding methods and rates not due): the bench's same-work line. */
export function steadyRefreshCommands(): CatalogueCommand[] {
  return [pidofKeepalived(), ipAddrJson(), LIST_STEPS.persistent, LIST_STEPS.stats, sysctlRead(REFRESH_SYSCTLS)];
}

export async function refreshDirector(
  director: DirectorConfig,
  pool: SshPool,
  previous: ObservedDirectorData | null,
  memo: DirectorMemo,
  now: () => number = Date.now,
  parser: ListingParser = INLINE,
  opts: { dumpNow?: boolean; networkNow?: boolean } = {},
): Promise<{ data: ObservedDirectorData; memo: DirectorMemo }> {
  const started = now();
  const readDump = memo.dumpRequestedAt !== null;
  const nmMemo = memo.nm ?? NEW_NM_MEMO;
  const nmSteps = networkManagerSteps(nmMemo, previous?.addresses ?? null, started, opts.networkNow === true);
  // The default listing once a minute (forwarding methods); the kernel's rates only when there are
  // no counters to derive them from.
  const readList = previous === null || memo.forwardAt === undefined || memo.forwardAt === null || started - memo.forwardAt >= FORWARD_READ_EVERY_MS;
  const readRate = previous === null;
  const steps: CatalogueCommand[] = [
    pidofKeepalived(),
    ipAddrJson(),
    LIST_STEPS.persistent,
    LIST_STEPS.stats,
    sysctlRead(REFRESH_SYSCTLS),
    ...(readList ? [LIST_STEPS.list] : []),
    ...(readRate ? [LIST_STEPS.rate] : []),
    ...nmSteps,
    ...(readDump ? DUMP_FILES.map((f) => readFile(f)) : []),
  ];
  // Decide after seeing the answers whether to ask for a dump; asking is a separate, cheap
  // second exec only in that case (at most once a minute or on change).
  const r = await execSequence(director, steps, { pool });
  // The commands ran at the end of the round trip: the data is as of its completion.
  const observedAt = now();
  const [pid, addr, persistent, stats, sysctl, ...more] = r.steps as [StepResult, ...StepResult[]];
  const list = readList ? more.shift() : undefined;
  const rate = readRate ? more.shift() : undefined;
  const nmResults = more.slice(0, nmSteps.length);
  const dumps = more.slice(nmSteps.length);

  const keepalivedPid = parsePid(must(pid));
  const ipLinks = parseIpAddrJson(must(addr)).links;
  const addresses = ipLinks.flatMap((l) => l.addresses.map((a) => canonicalIP(a.local)));
  const links = ipLinks.map((l) => ({ device: l.ifname, addresses: l.addresses.map((a) => `${canonicalIP(a.local)}/${a.prefixlen}`) }));
  const nm = readNetworkManager(nmResults, nmMemo, previous?.network ?? null, addresses, observedAt);
  // A large director's listings are megabytes each: the server parses them in a worker thread
  // (listing-parser.ts), so page and API requests are not queued behind them.
  let table = await parser.parse({ persistent: must(persistent), stats: must(stats), ...(list ? { list: must(list) } : {}), ...(rate ? { rate: must(rate) } : {}) });
  let forwardAt = readList ? observedAt : (memo.forwardAt ?? null);
  if (!readList || !readRate) {
    // Forwarding methods carried over and rates derived from the previous reading, in one pass.
    // In place: the table was just parsed for this refresh (one copy of 2,000 real servers, not two).
    const next = continueFrom(previous, observedAt, table.services, { carry: !readList, rates: !readRate, inPlace: true });
    if (next.missing) {
      // A real server appeared: its forwarding method now (drains need it), in a second exec.
      const again = await execSequence(director, [LIST_STEPS.list], { pool });
      table = await parser.parse({ persistent: must(persistent), stats: must(stats), list: must(again.steps[0]) });
      forwardAt = now();
      if (!readRate) table = { ...table, services: continueFrom(previous, observedAt, table.services, { carry: false, rates: true, inPlace: true }).services };
    } else {
      table = { ...table, services: next.services };
    }
  }
  const health = sysctl?.error ? null : toHealthView(sysctl?.stdout ?? '');

  let vrrp = previous?.vrrp ?? null;
  let checkers = previous?.checkers ?? null;
  let trackFiles = previous?.trackFiles ?? null;
  let keepalivedDumpAt = previous?.keepalivedDumpAt ?? null;
  if (readDump && dumps.every((d) => d.error === null)) {
    const data = await parser.parseKeepalived(dumps.map((d) => d.stdout).join('\n'));
    vrrp = toVrrp(data);
    checkers = toCheckers(data);
    trackFiles = (data.trackFiles ?? []).map((f) => ({ name: detach(f.name), path: keepOrNull(f.file), value: f.status }));
    keepalivedDumpAt = memo.dumpRequestedAt;
  }

  const fingerprint = dumpFingerprint(
    keepalivedPid,
    addresses.filter((a) => (vrrp ?? []).some((v) => v.vips.includes(a))),
    table.services,
  );
  let dumpRequestedAt: number | null = null;
  const due =
    keepalivedPid !== null &&
    (opts.dumpNow === true || fingerprint !== memo.fingerprint || keepalivedDumpAt === null || started - keepalivedDumpAt >= KEEPALIVED_DUMP_EVERY_MS);
  if (due && (!readDump || opts.dumpNow === true)) {
    await execSequence(director, [keepalivedSignal('data')], { pool });
    dumpRequestedAt = now();
  }
  if (keepalivedPid === null) {
    // No keepalived: its last dump no longer describes anything live.
    vrrp = vrrp?.map((v) => ({ ...v, state: 'STOP' })) ?? null;
  }
  return {
    data: {
      takenAt: observedAt,
      durationMs: now() - started,
      ipvsadmVersion: table.version,
      services: table.services,
      addresses,
      keepalivedPid,
      vrrp,
      keepalivedDumpAt,
      checkers,
      trackFiles,
      health,
      links,
      network: nm.network,
    },
    memo: { dumpRequestedAt, fingerprint, nm: nm.memo, forwardAt },
  };
}

/**
 * What a keepalived dump depends on (its pid, the VIPs held, the IPVS services and real servers), as
 * a digest: kept per director between refreshes, where the text itself would be ~50 KB per 2,000
 * real servers. One hash update per service.
 */
export function dumpFingerprint(pid: number | null, heldVips: readonly string[], services: readonly IpvsService[]): string {
  const h = createHash('sha1');
  h.update(JSON.stringify([pid, heldVips]));
  for (const s of services) {
    let line = `\n${serviceKey(s)}`;
    for (const x of s.realServers) line += ` ${formatEndpoint(x.address, x.port)}`;
    h.update(line);
  }
  return h.digest('base64');
}

/** stdout of a step that must have succeeded (its typed error otherwise). */
function must(s: StepResult | undefined): string {
  if (!s) throw new Error('refresh: a step did not report');
  if (s.error) throw s.error;
  return s.stdout;
}

function parsePid(text: string): number | null {
  const pids = text.trim().split(/\s+/).map(Number).filter((p) => Number.isInteger(p) && p > 0);
  if (pids.length === 0) return null;
  // pidof lists every keepalived process (parent and children); the parent has the lowest pid.
  return Math.min(...pids);
}

function toHealthView(text: string): DirectorHealthView {
  const h = parseDirectorHealth(text);
  return {
    ipForward: h.ipForward,
    expireQuiescentTemplate: h.ipvs.expireQuiescentTemplate,
    expireNodestConn: h.ipvs.expireNodestConn,
    conntrackCount: h.conntrack.count,
    conntrackMax: h.conntrack.max,
  };
}

// What is kept from keepalived's dump is copied out of it (`detach`): a substring kept in the
// observation would keep the whole dump (megabytes) alive until the next one is read.
function keepOrNull(s: string | null): string | null {
  return s === null ? null : detach(s);
}

function toVrrp(d: KeepalivedData): ObservedVrrpInstance[] {
  return d.instances.map((i) => ({
    name: detach(i.name),
    state: i.state === 'unknown' ? 'UNKNOWN' : i.state,
    priority: i.priority,
    effectivePriority: i.effectivePriority,
    lastTransitionAt: i.lastTransition === null ? null : Math.round(i.lastTransition * 1000),
    vips: i.vips.map((v) => detach(canonicalIP(v.address))),
    syncGroup: keepOrNull(i.syncGroup),
    preempt: i.preempt,
    trackedFiles: i.trackedFiles.map((t) => ({ name: detach(t.name), weight: t.weight })),
    interface: keepOrNull(i.interface),
  }));
}

function toCheckers(d: KeepalivedData): ObservedChecker[] {
  return d.virtualServers.flatMap((vs) => {
    const protocol = vs.fwmark !== null ? 'FWM' : (vs.protocol ?? '').toUpperCase();
    if (protocol !== 'FWM' && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return [];
    const service = detach(
      serviceKey({
        protocol,
        family: vs.family === 'inet6' ? 'inet6' : 'inet',
        address: vs.address === null ? null : canonicalIP(vs.address),
        port: vs.port,
        fwmark: vs.fwmark,
      }),
    );
    return vs.realServers.map((rs) => ({
      service,
      realServer: detach(formatEndpoint(canonicalIP(rs.address), rs.port)),
      alive: rs.alive,
      configuredWeight: rs.initialWeight ?? rs.weight,
      trackFile: trackFileOf(d, rs),
    }));
  });
}

/** The FILE_CHECK track file that sets this real server's weight (non-reversed, non-zero weight), if any. */
export function trackFileOf(d: KeepalivedData, rs: KeepalivedRealServerData): TrackFileRef | null {
  for (const ref of rs.trackedFiles) {
    if (ref.reverse || ref.weight === 0) continue;
    const file = d.trackFiles?.find((f) => f.name === ref.name)?.file;
    if (!file) continue;
    return { path: detach(file), multiplier: ref.weight, base: rs.initialWeight ?? 0 };
  }
  return null;
}
