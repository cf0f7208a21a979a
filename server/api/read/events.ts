import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { EventKind, type EventList } from '@/lib/models/events';
import { ApiError } from '@/server/api/errors';
import { eventsToCsv } from '@/server/events/csv';
import { getRuntime } from '@/server/runtime';

// Read side of failover history: GET /api/events and /api/clusters/:cluster/events.

const DAY_MS = 24 * 3_600_000;

export const EventsQuery = z
  .object({
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    kind: z.array(EventKind).optional(),
    format: z.enum(['json', 'csv']).default('json'),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

/** Query string -> object for EventsQuery: `kind` repeatable and/or comma-separated; other keys once. */
function queryObject(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    if (key === 'kind') {
      out.kind = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    } else if (values.length > 1) {
      throw new ApiError('validation', `"${key}" may be given once`);
    } else {
      out[key] = values[0];
    }
  }
  return out;
}

/** Events of one cluster (or of all when `cluster` is null), newest first; JSON or a CSV download. */
export function getEvents(cluster: string | null, search: URLSearchParams): EventList | NextResponse {
  const { collector, events } = getRuntime();
  if (cluster !== null && !collector.clusterNames().includes(cluster)) {
    throw new ApiError('not-found', `no cluster named "${cluster}" is configured`);
  }
  const q = EventsQuery.parse(queryObject(search));
  const to = q.to ?? Date.now();
  const from = q.from ?? to - DAY_MS;
  if (from > to) throw new ApiError('validation', `"from" (${from}) is after "to" (${to})`);
  const kinds = q.kind && q.kind.length > 0 ? [...new Set(q.kind)] : null;
  const result = events.query({ cluster, from, to, kinds, limit: q.limit });
  if (q.format === 'csv') {
    const name = `events-${(cluster ?? 'all').replace(/[^A-Za-z0-9._-]/g, '_')}-${from}-${to}.csv`;
    return new NextResponse(eventsToCsv(result.events), {
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
        ...(result.truncated ? { 'x-truncated': 'true' } : {}),
      },
    });
  }
  return { cluster, from, to, kinds, events: result.events, truncated: result.truncated };
}
