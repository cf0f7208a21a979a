import type { MergedRealServer, MergedService } from '@/lib/models/cluster';
import { formatEndpoint } from '@/lib/address';

// The services table's data, flattened: one header row per virtual service followed by one row per
// real server, filtered by the search box. Pure functions, no React: memoized by the table and
// unit-tested at 1,000 services × 20 real servers.

export interface HealthCounts {
  up: number;
  drained: number;
  down: number;
  unknown: number;
}

export interface ServiceTotals {
  counts: HealthCounts;
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  /** True when any real server has no connection figure (e.g. absent on the active director). */
  partial: boolean;
}

export interface ServiceRow {
  kind: 'service';
  id: string;
  service: MergedService;
  totals: ServiceTotals;
  /** Real servers shown under it with the current filter (all when the service itself matches). */
  shownRealServers: number;
  collapsed: boolean;
}

export interface RealServerRow {
  kind: 'real-server';
  id: string;
  service: MergedService;
  realServer: MergedRealServer;
  /** Last real server shown under its service (draws the tree line's end). */
  last: boolean;
}

export type Row = ServiceRow | RealServerRow;

interface IndexedRealServer {
  realServer: MergedRealServer;
  haystack: string;
}

export interface IndexedService {
  service: MergedService;
  totals: ServiceTotals;
  /** Searchable words, built on first use (only a filter needs them). */
  search: () => { haystack: string; realServers: IndexedRealServer[] };
}

const FORWARD_ALIASES: Record<string, string> = { masq: 'nat', route: 'dr', tunnel: 'tun' };

// Field names a token may use: "health:down", "fwd:dr", "sched:wlc", "port:80", "weight:0".
const FIELDS = new Set(['health', 'fwd', 'sched', 'port', 'proto', 'flag', 'weight', 'director', 'on']);

function words(parts: readonly (string | number | null | undefined)[]): string {
  let out = ' ';
  for (const part of parts) {
    if (part === null || part === undefined || part === '') continue;
    out += `${String(part).toLowerCase()} `;
  }
  return out;
}

// Real servers change every poll (connections, rates) but their searchable words rarely do:
// reuse the words by a cheap signature of the fields they come from.
const haystackCache = new Map<string, string>();
const HAYSTACK_CACHE_MAX = 200_000;

function indexRealServer(realServer: MergedRealServer): IndexedRealServer {
  const signature = `${realServer.key}|${realServer.forward}|${realServer.health}|${realServer.weight}|${realServer.differs.join(',')}`;
  let haystack = haystackCache.get(signature);
  if (haystack === undefined) {
    haystack = realServerWords(realServer);
    if (haystackCache.size >= HAYSTACK_CACHE_MAX) haystackCache.clear();
    haystackCache.set(signature, haystack);
  }
  return { realServer, haystack };
}

function realServerWords(realServer: MergedRealServer): string {
  const forward = realServer.forward?.toLowerCase() ?? null;
  const alias = forward ? (FORWARD_ALIASES[forward] ?? forward) : null;
  return words([
    realServer.key,
    realServer.address,
    formatEndpoint(realServer.address, realServer.port),
    `port:${realServer.port}`,
    forward,
    alias,
    alias ? `fwd:${alias}` : null,
    forward ? `fwd:${forward}` : null,
    realServer.health,
    `health:${realServer.health}`,
    realServer.weight === null ? null : `weight:${realServer.weight}`,
    realServer.differs.length ? 'differs' : null,
    ...realServer.differs.map((field) => `differs:${field}`),
  ]);
}

function totalsOf(realServers: readonly MergedRealServer[]): ServiceTotals {
  const counts: HealthCounts = { up: 0, drained: 0, down: 0, unknown: 0 };
  let activeConns = 0;
  let inactiveConns = 0;
  let persistentConns = 0;
  let partial = false;
  for (const rs of realServers) {
    counts[rs.health] += 1;
    if (rs.activeConns === null || rs.inactiveConns === null) partial = true;
    activeConns += rs.activeConns ?? 0;
    inactiveConns += rs.inactiveConns ?? 0;
    persistentConns += rs.persistentConns ?? 0;
  }
  return { counts, activeConns, inactiveConns, persistentConns, partial };
}

// Structural sharing keeps an unchanged service the same object across polls: index it once.
const serviceCache = new WeakMap<MergedService, IndexedService>();

export function indexService(service: MergedService): IndexedService {
  const cached = serviceCache.get(service);
  if (cached) return cached;
  let search: { haystack: string; realServers: IndexedRealServer[] } | undefined;
  const buildSearch = () => ({
    haystack: words([
      service.key,
      service.protocol,
      `proto:${service.protocol.toLowerCase()}`,
      service.address,
      service.address && service.port !== null ? formatEndpoint(service.address, service.port) : null,
      service.port === null ? null : `port:${service.port}`,
      service.fwmark === null ? null : `fwm:${service.fwmark}`,
      service.scheduler,
      service.scheduler ? `sched:${service.scheduler}` : null,
      ...service.flags,
      ...service.flags.map((flag) => `flag:${flag}`),
      service.persistent ? 'persistent' : null,
      service.ops ? 'ops' : null,
      service.pe,
      service.activeDirector ? `on:${service.activeDirector}` : null,
      service.activeDirector ? `director:${service.activeDirector}` : null,
      service.differs.length ? 'differs' : null,
    ]),
    realServers: service.realServers.map(indexRealServer),
  });
  const indexed: IndexedService = {
    service,
    totals: totalsOf(service.realServers),
    search: () => (search ??= buildSearch()),
  };
  serviceCache.set(service, indexed);
  return indexed;
}

export function indexServices(services: readonly MergedService[]): IndexedService[] {
  return services.map(indexService);
}

export interface FilterToken {
  text: string;
  mode: 'word' | 'substring' | 'field';
}

/**
 * Splits the filter into tokens, all of which must match (AND). A token matches a service when it
 * matches the service's own words, and a real server when it matches the service's or its own.
 *   - "health:down", "fwd:dr", "sched:wlc", "port:80", "weight:0": that exact field value;
 *   - tokens with digits, dots, colons or brackets (addresses, ports): anywhere ("2.11", "::11");
 *   - other words: at the start of a word ("wl" finds wlc, "drain" finds drained).
 */
export function parseFilter(text: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  for (const raw of text.toLowerCase().split(/\s+/)) {
    if (!raw) continue;
    const colon = raw.indexOf(':');
    if (colon > 0 && FIELDS.has(raw.slice(0, colon))) {
      const field = raw.slice(0, colon) === 'director' ? 'on' : raw.slice(0, colon);
      tokens.push({ text: ` ${field}${raw.slice(colon)} `, mode: 'field' });
    } else if (/[\d.:[\]]/.test(raw)) {
      tokens.push({ text: raw, mode: 'substring' });
    } else {
      tokens.push({ text: ` ${raw}`, mode: 'word' });
    }
  }
  return tokens;
}

function matches(haystack: string, token: FilterToken): boolean {
  return haystack.includes(token.text);
}

/**
 * The rows to render. Without tokens: every service and (unless collapsed) all its real servers.
 * With tokens: services matching on their own with all their real servers; other services only
 * with the real servers that match, and only if at least one does.
 */
export function buildRows(indexed: readonly IndexedService[], tokens: readonly FilterToken[], collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  for (const item of indexed) {
    const { service } = item;
    const isCollapsed = collapsed.has(service.key);
    let shown: readonly MergedRealServer[] = service.realServers;
    if (tokens.length > 0) {
      const { haystack, realServers } = item.search();
      const pending = tokens.filter((t) => !matches(haystack, t));
      if (pending.length > 0) {
        shown = realServers.filter((rs) => pending.every((t) => matches(rs.haystack, t))).map((rs) => rs.realServer);
        if (shown.length === 0) continue;
      }
    }
    rows.push({ kind: 'service', id: service.key, service, totals: item.totals, shownRealServers: shown.length, collapsed: isCollapsed });
    if (isCollapsed) continue;
    shown.forEach((realServer, i) => {
      rows.push({
        kind: 'real-server',
        id: `${service.key}\n${realServer.key}`,
        service,
        realServer,
        last: i === shown.length - 1,
      });
    });
  }
  return rows;
}

/** The accessible name of a real server row: "192.0.2.11:80 in TCP 192.0.2.100:80". */
export function realServerLabel(realServer: MergedRealServer, service: MergedService): string {
  return `${realServer.key} in ${service.key}`;
}

export function countShown(rows: readonly Row[]): { services: number; realServers: number } {
  let services = 0;
  let realServers = 0;
  for (const row of rows) {
    if (row.kind === 'service') {
      services += 1;
      realServers += row.shownRealServers;
    }
  }
  return { services, realServers };
}

/** True when two row lists have the same rows in the same order (ids and kinds): same layout. */
export function sameLayout(a: readonly Row[], b: readonly Row[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]?.id !== b[i]?.id || a[i]?.kind !== b[i]?.kind) return false;
  }
  return true;
}
