import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labConfig, waitFor } from '@/lib/testing/lab';
import { Collector } from '@/server/collector/collector';
import { describeRefreshError } from '@/server/collector/describe-error';
import { createDirectorRefresher, type DirectorRefresher } from '@/server/collector/refresh-director';
import type { ConsoleConfig } from '@/server/config/schema';
import { diagnoseCluster } from './checks';
import { configTest } from './run';

// "Check this cluster" on the lab as it is (read-only: keepalived -t through the console user's
// sudo rule, one refresh). The lab's keepalived.conf is valid and both directors answer.

let config: ConsoleConfig;
let refresher: DirectorRefresher;
let collector: Collector;

beforeAll(() => {
  config = labConfig();
  refresher = createDirectorRefresher(config);
  collector = new Collector({ clusters: config.clusters, pollIntervalMs: 60_000, refresh: refresher.refresh, describeError: describeRefreshError });
});
afterAll(async () => {
  collector.stop();
  await refresher.close();
});

describe('diagnostics over the lab', () => {
  it('keepalived -t passes on both directors through sudo, and every check has a verdict', async () => {
    const cluster = config.clusters[0];
    if (!cluster) throw new Error('no cluster in the lab config');
    const tests = Object.fromEntries(await Promise.all(cluster.directors.map(async (d) => [d.name, await configTest(d, 30_000, refresher.pool)] as const)));
    for (const d of cluster.directors) expect(tests[d.name], d.name).toMatchObject({ ok: true });
    const s = await waitFor('a snapshot with VRRP instances', async () => {
      const snap = await collector.refreshNow(cluster.name);
      return snap && snap.instances.length > 0 && snap.directors.every((d) => d.health) ? snap : undefined;
    }, 60_000, 200);
    const checks = diagnoseCluster(s, tests);
    for (const d of cluster.directors) {
      const mine = checks.filter((c) => c.director === d.name);
      expect(mine.find((c) => c.check === 'keepalived-config')?.status, d.name).toBe('ok');
      // The lab serves NAT (198.51.100.13) and persistent services: both sysctls are judged, not skipped.
      expect(mine.find((c) => c.check === 'ip-forward')?.status, d.name).toMatch(/^(ok|problem)$/);
      expect(mine.find((c) => c.check === 'conntrack')?.status, d.name).not.toBe('not-applicable');
      expect(mine.find((c) => c.check === 'expire-quiescent-template')?.status, d.name).toMatch(/^(ok|warning)$/);
    }
    // Every problem or warning says how to fix it.
    for (const c of checks.filter((x) => x.status === 'problem' || x.status === 'warning')) expect(c.fix, c.id).toBeTruthy();
    expect(checks.some((c) => c.check === 'tables-compared')).toBe(true);
  });
});
