import 'server-only';
import { gzipSync } from 'node:zlib';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import type { ClusterList, ClusterSnapshot, HistoryResponse, HostMembership } from '@/lib/models/cluster';
import { isIP } from '@/lib/models/ip';
import { ApiError } from '@/server/api/errors';
import { hostMembership, summarize } from '@/server/collector/summarize';
import { getRuntime } from '@/server/runtime';

// Read side of the API: summaries, full snapshots, history and host membership.

export function listClusters(): ClusterList {
  const { collector } = getRuntime();
  return { clusters: collector.snapshots().map(summarize), generatedAt: Date.now() };
}

export function getClusterSnapshot(name: string): ClusterSnapshot {
  const s = getRuntime().collector.snapshot(name);
  if (!s) throw new ApiError('not-found', `no cluster named "${name}" is configured`);
  return s;
}

// A large cluster's snapshot is megabytes of JSON, read by every open browser every poll: it is
// serialised (and gzipped) once per merge and shared, and a client that already has this merge
// gets 304 Not Modified by ETag.
interface Encoded {
  etag: string;
  json: Buffer;
  gzip: Buffer | null;
}
const encodedCache = new WeakMap<ClusterSnapshot, Encoded>();
let encodeSeq = 0;
const GZIP_MIN_BYTES = 8 * 1024;

function encode(s: ClusterSnapshot): Encoded {
  let e = encodedCache.get(s);
  if (!e) {
    const json = Buffer.from(JSON.stringify(s));
    e = { etag: `"${s.name.length}-${Date.now().toString(36)}-${(++encodeSeq).toString(36)}"`, json, gzip: json.length >= GZIP_MIN_BYTES ? gzipSync(json, { level: 4 }) : null };
    encodedCache.set(s, e);
  }
  return e;
}

/** GET /api/clusters/:cluster as a response: cached encodings, ETag, gzip when accepted. */
export function clusterSnapshotResponse(name: string, req: Request): NextResponse {
  const e = encode(getClusterSnapshot(name));
  const headers: Record<string, string> = { 'cache-control': 'no-cache', etag: e.etag, vary: 'accept-encoding', 'content-type': 'application/json' };
  if (req.headers.get('if-none-match') === e.etag) return new NextResponse(null, { status: 304, headers });
  const gzipOk = e.gzip !== null && /\bgzip\b/.test(req.headers.get('accept-encoding') ?? '');
  if (gzipOk && e.gzip) return new NextResponse(new Uint8Array(e.gzip), { headers: { ...headers, 'content-encoding': 'gzip' } });
  return new NextResponse(new Uint8Array(e.json), { headers });
}

const HistoryQuery = z
  .object({
    service: z.string().min(1).max(200),
    realServer: z.string().min(1).max(200).optional(),
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
  })
  .strict();

export function getHistory(cluster: string, search: URLSearchParams): HistoryResponse {
  getClusterSnapshot(cluster);
  const q = HistoryQuery.parse(Object.fromEntries(search));
  const to = q.to ?? Date.now();
  const from = q.from ?? to - 5 * 60_000;
  if (from > to) throw new ApiError('validation', `"from" (${from}) is after "to" (${to})`);
  return getRuntime().history.query(cluster, q.service, q.realServer ?? null, from, to);
}

export function getHost(address: string): HostMembership {
  if (isIP(address) === 0) throw new ApiError('validation', `"${address}" is not an IPv4 or IPv6 address`);
  return hostMembership(address, getRuntime().collector.snapshots());
}
