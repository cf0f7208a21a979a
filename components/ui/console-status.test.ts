import { describe, expect, it } from 'vitest';
import { auditKeys } from '@/lib/api/audit-queries';
import { eventKeys } from '@/lib/api/events-queries';
import { haproxyKeys } from '@/lib/api/haproxy';
import { clusterKeys, hostKeys } from '@/lib/api/queries';
import { isMainQuery } from './console-status';

// The top bar's "Updated …" counts the polled data of every page (issue 22 item 7: HAProxy, the
// timeline and the audit log too), not sparklines, and only what the page shows (has observers).

const q = (queryKey: readonly unknown[], observers = 1) => ({ queryKey, getObserversCount: () => observers });

describe('isMainQuery', () => {
  it('counts the cluster, host, HAProxy, timeline and audit queries a page shows', () => {
    const keys = [
      clusterKeys.list(),
      clusterKeys.detail('lab'),
      hostKeys.detail('192.0.2.11'),
      haproxyKeys.pools('lab'),
      haproxyKeys.holds('lab'),
      eventKeys.list({ cluster: 'lab', range: { preset: '1h' }, kinds: null }),
      auditKeys.list(null),
    ];
    expect(keys.map((k) => isMainQuery(q(k)))).toEqual(keys.map(() => true));
  });

  it('leaves out sparklines, queries no page shows, and anything else', () => {
    expect(isMainQuery(q(clusterKeys.history({ cluster: 'lab', service: 'TCP 192.0.2.100:80' })))).toBe(false);
    expect(isMainQuery(q(clusterKeys.detail('lab'), 0))).toBe(false);
    expect(isMainQuery(q(['search', 'rs1']))).toBe(false);
  });
});
