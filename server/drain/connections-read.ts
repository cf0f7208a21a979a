import 'server-only';
import type { ConnectionDetail } from '@/lib/models/drain';
import { ipvsadmConnections } from '@/server/commands/catalogue';
import type { DirectorConfig } from '@/server/config/schema';
import { summarizeConnections, type ConnectionSummary } from './connection-summary';
import { describeRefreshError } from '@/server/ssh/describe-error';
import { execStream } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import type { ParsedTarget } from './plan';

// Drain progress's own SSH read: one `ipvsadm -Lnc` on a director, summarized for the target,
// as a low-priority read (errors as a value: the progress answer still comes).

export async function readConnections(
  d: DirectorConfig,
  name: string,
  t: ParsedTarget,
  deps: { pool: SshPool; now: () => number },
): Promise<ConnectionDetail> {
  try {
    const lines = execStream(d, ipvsadmConnections(), { pool: deps.pool, priority: 'low' });
    const s = await summarizeConnections(lines, { destination: { address: t.address, ...(t.port === null ? {} : { port: t.port }) } });
    return connectionDetail(name, s, deps.now());
  } catch (e) {
    const err = describeRefreshError(e);
    return { director: name, entries: 0, templates: 0, byState: {}, maxExpiresInSeconds: null, clients: [], distinctClients: 0, takenAt: deps.now(), error: err.message };
  }
}

export function connectionDetail(director: string, s: ConnectionSummary, takenAt: number): ConnectionDetail {
  return {
    director,
    entries: s.matched,
    templates: s.destinations.reduce((a, d) => a + d.templates, 0),
    byState: s.byState,
    maxExpiresInSeconds: s.maxExpiresInSeconds,
    clients: s.clients.sample,
    distinctClients: s.clients.distinct,
    takenAt,
    error: null,
  };
}
