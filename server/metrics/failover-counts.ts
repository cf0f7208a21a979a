import 'server-only';
import { z } from 'zod';
import type { Db } from '@/server/db';
import type { FailoverCount } from './render-metrics';

// Failovers per cluster and VRRP instance, from the event store's table (within its retention).

const Row = z.object({ cluster: z.string(), instance: z.string().nullable(), n: z.number().int() });

export function failoverCounts(db: Db): FailoverCount[] {
  const rows = db.prepare("SELECT cluster, instance, count(*) AS n FROM events WHERE kind = 'failover' GROUP BY cluster, instance").all();
  return rows.map((r) => {
    const x = Row.parse(r);
    return { cluster: x.cluster, instance: x.instance, count: x.n };
  });
}
