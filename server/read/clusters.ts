import 'server-only';
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
