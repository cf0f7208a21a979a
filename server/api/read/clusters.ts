import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { encodeCompactSnapshot } from '@/lib/models/compact-snapshot';
import { ClusterSnapshot, ClusterSnapshotQuery, type ClusterList, type HistoryResponse, type HostMembership } from '@/lib/models/cluster';
import { canonicalAddress, isIP } from '@/lib/address';
import { ApiError } from '@/server/api/errors';
import { CLUSTER_SERIES } from '@/server/collector/history';
import { hostMembership, summarize } from '@/server/collector/summarize';
import { getRuntime } from '@/server/runtime';

// Read side of the API: summaries, full snapshots, history and host membership.

export function listClusters(): ClusterList {
  const { collector } = getRuntime();
  return { clusters: collector.snapshots().map(summarize), generatedAt: Date.now() };
}

/** Rows (service headers + real servers) a first screen carries: more than any screen shows. */
export const FIRST_SCREEN_ROWS = 80;

/** How many leading services make a first screen (at least one), or null when that is all of them. */
export function firstScreenCut(s: ClusterSnapshot): number | null {
  let rows = 0;
  for (let i = 0; i < s.services.length; i++) {
    rows += 1 + (s.services[i]?.realServers.length ?? 0);
    if (rows >= FIRST_SCREEN_ROWS) return i + 1 < s.services.length ? i + 1 : null;
  }
  return null;
}

/**
 * For the cluster page's server render: a large cluster's first screen (its first services, the
 * rest whole) as the client parses it, so the HTML itself shows the first rows before any script
 * or the megabytes of the full snapshot arrive. Null for a small cluster (the page loads it whole)
 * or an unknown one. From the last merge when it is under one poll old (never waits for a merge).
 */
export function firstScreenSnapshot(name: string): ClusterSnapshot | null {
  const last = getRuntime().collector.lastSnapshot(name);
  if (!last) return null;
  const s = Date.now() - last.takenAt <= last.pollIntervalMs ? last : getClusterSnapshot(name);
  const n = firstScreenCut(s);
  if (n === null) return null;
  return ClusterSnapshot.parse(wireShape({ ...s, services: s.services.slice(0, n), servicesTotal: s.services.length }));
}

export function getClusterSnapshot(name: string): ClusterSnapshot {
  const s = getRuntime().collector.snapshot(name);
  if (!s) throw new ApiError('not-found', `no cluster named "${name}" is configured`);
  return s;
}

// A large cluster's snapshot is megabytes of JSON, read by every open browser every poll: it is
// serialised once per merge and shared, and a client that already has this merge gets 304 Not
// Modified by ETag. (Compression is the HTTP server's: Next.js drops a Content-Encoding set by a
// route handler, so a route must not gzip its own body.)
interface Encoded {
  etag: string;
  json: Buffer;
}
/** Per snapshot, its encodings by form and first-screen size ('full', 'rows', 'full:4', …). */
const encodedCache = new WeakMap<ClusterSnapshot, Map<string, Encoded>>();
let encodeSeq = 0;

/** The snapshot as sent: perDirector only where the directors disagree (lib/models/cluster.ts). */
export function wireShape(s: ClusterSnapshot): unknown {
  return {
    ...s,
    services: s.services.map((svc) => ({
      ...svc,
      realServers: svc.realServers.map((rs) => {
        if (rs.differs.length > 0) return rs;
        const { perDirector: _omitted, ...rest } = rs;
        return rest;
      }),
    })),
  };
}

/**
 * The snapshot as sent, serialised once per merge and form: whole, or (`firstScreen`) the first N
 * services of a large cluster with everything else whole (for scripts and the first screen, small
 * and fast); full objects, or the browser's rows form.
 */
function encode(s: ClusterSnapshot, form: 'full' | 'rows', firstScreen?: number): Encoded {
  let byForm = encodedCache.get(s);
  if (!byForm) encodedCache.set(s, (byForm = new Map<string, Encoded>()));
  const id = firstScreen === undefined ? form : `${form}:${firstScreen}`;
  let e = byForm.get(id);
  if (!e) {
    const cut = firstScreen === undefined ? s : { ...s, services: s.services.slice(0, firstScreen), servicesTotal: s.services.length };
    const json = Buffer.from(JSON.stringify(form === 'rows' ? encodeCompactSnapshot(cut) : wireShape(cut)));
    e = { etag: `"${s.name.length}-${Date.now().toString(36)}-${(++encodeSeq).toString(36)}-${id.replace(':', '-p')}"`, json };
    byForm.set(id, e);
  }
  return e;
}

/** GET /api/clusters/:cluster[?services=N] as a response: the cached encoding, with an ETag. */
export function clusterSnapshotResponse(name: string, req: Request): NextResponse {
  const q = ClusterSnapshotQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  // The first screen does not wait for a merge (hundreds of ms at this size, while the page waits):
  // the last merge will do when it is under one poll interval old; the full snapshot replaces it.
  const last = q.services !== undefined ? getRuntime().collector.lastSnapshot(name) : undefined;
  const recent = last !== undefined && Date.now() - last.takenAt <= last.pollIntervalMs ? last : undefined;
  return snapshotResponse(recent ?? getClusterSnapshot(name), req);
}

/** The answer for one snapshot (bad query parameters throw a ZodError: 422 naming them). */
export function snapshotResponse(s: ClusterSnapshot, req: Request): NextResponse {
  const q = ClusterSnapshotQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  const e = encode(s, q.form ?? 'full', q.services !== undefined && q.services < s.services.length ? q.services : undefined);
  const headers: Record<string, string> = { 'cache-control': 'no-cache', etag: e.etag, 'content-type': 'application/json' };
  if (req.headers.get('if-none-match') === e.etag) return new NextResponse(null, { status: 304, headers });
  // A view of the shared encoding, not a copy (the Response makes its own). Buffer.from(string)
  // of this size has its own ArrayBuffer (never a SharedArrayBuffer).
  return new NextResponse(new Uint8Array(e.json.buffer as ArrayBuffer, e.json.byteOffset, e.json.byteLength), { headers });
}

export const HistoryQuery = z
  .object({
    /** A service key; omitted: the cluster as a whole. */
    service: z.string().min(1).max(200).optional(),
    /** One of the service's real servers (omitted: the service as a whole). */
    realServer: z.string().min(1).max(200).optional(),
    /** 'realServer': the service's series and one per real server it had in the range (stacked charts). */
    by: z.enum(['realServer']).optional(),
    /** A real server's address: one series per service it serves (the host page). */
    host: z.string().min(1).max(64).optional(),
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    /** At most this many points per series (default 720). */
    points: z.coerce.number().int().min(10).max(2000).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.realServer !== undefined && q.service === undefined) ctx.addIssue({ code: 'custom', path: ['realServer'], message: '"realServer" needs "service"' });
    if (q.by !== undefined && q.service === undefined) ctx.addIssue({ code: 'custom', path: ['by'], message: '"by" needs "service"' });
    if (q.by !== undefined && q.realServer !== undefined) ctx.addIssue({ code: 'custom', path: ['by'], message: '"by" and "realServer" do not go together' });
    if (q.host !== undefined && (q.service !== undefined || q.by !== undefined)) ctx.addIssue({ code: 'custom', path: ['host'], message: '"host" does not go with "service" or "by"' });
  });

const DAY = 86_400_000;

export function getHistory(cluster: string, search: URLSearchParams, now = Date.now()): HistoryResponse {
  const snapshot = getClusterSnapshot(cluster);
  const q = HistoryQuery.parse(Object.fromEntries(search));
  const { history, config } = getRuntime();
  const to = q.to ?? now;
  const from = q.from ?? to - 5 * 60_000;
  if (from > to) throw new ApiError('validation', `"from" (${from}) is after "to" (${to})`);
  const kept = config.history.hourRetentionDays;
  // An hour's slack: a range picked on a page a while ago still reads.
  if (from < now - kept * DAY - 3_600_000) {
    throw new ApiError('validation', `"from" (${new Date(from).toISOString()}) is before the history kept (history.hourRetentionDays: ${kept} days, since ${new Date(now - kept * DAY).toISOString()})`);
  }
  if (q.host !== undefined) {
    if (isIP(q.host) === 0) throw new ApiError('validation', `"host" ("${q.host}") is not an IPv4 or IPv6 address`);
    const keys = hostMembership(q.host, [snapshot]).entries.map((e) => ({ service: e.service, realServer: e.realServer.key }));
    if (keys.length === 0) throw new ApiError('not-found', `"host": ${q.host} is not a real server of any service of "${cluster}"`);
    return history.series(cluster, keys, from, to, q.points);
  }
  if (q.service === undefined) return history.series(cluster, [{ service: CLUSTER_SERIES, realServer: null }], from, to, q.points);
  const svc = snapshot.services.find((s) => s.key === q.service);
  // With no director read yet (the console starting, every director unreachable) nothing says a
  // service is unknown: answer what the history has.
  const knows = snapshot.directors.some((d) => d.live);
  if (knows && svc === undefined && !history.known(cluster, q.service, null)) {
    throw new ApiError('not-found', `"service": "${q.service}" is not a service of "${cluster}" (now or in its history)`);
  }
  if (knows && q.realServer !== undefined && !svc?.realServers.some((r) => r.key === q.realServer) && !history.known(cluster, q.service, q.realServer)) {
    throw new ApiError('not-found', `"realServer": "${q.realServer}" is not a real server of "${q.service}" (now or in its history)`);
  }
  if (q.by === 'realServer') {
    const rs = new Set([...(svc?.realServers.map((r) => r.key) ?? []), ...history.realServers(cluster, q.service, from, to)]);
    const keys = [{ service: q.service, realServer: null }, ...[...rs].sort().map((r) => ({ service: q.service!, realServer: r }))];
    return history.series(cluster, keys, from, to, q.points);
  }
  return history.query(cluster, q.service, q.realServer ?? null, from, to, q.points);
}

/** A host's memberships (those in clusters `covers` allows) and its configured names in those clusters. */
export function getHost(address: string, covers: (cluster: string) => boolean = () => true): HostMembership {
  if (isIP(address) === 0) throw new ApiError('validation', `"${address}" is not an IPv4 or IPv6 address`);
  const { collector, config } = getRuntime();
  const found = hostMembership(address, collector.snapshots());
  const membership = { ...found, entries: found.entries.filter((e) => covers(e.cluster)) };
  const wanted = canonicalAddress(address);
  const names = new Set<string>();
  for (const c of config.clusters) {
    if (!membership.entries.some((e) => e.cluster === c.name)) continue;
    for (const h of c.realServerHosts) if (h.addresses.some((a) => canonicalAddress(a) === wanted)) names.add(h.name);
  }
  return { ...membership, names: [...names] };
}
