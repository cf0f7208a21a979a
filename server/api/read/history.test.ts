import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HistoryResponse, type ClusterSnapshot } from '@/lib/models/cluster';
import { HistoryStore } from '@/server/collector/history';
import { openDatabase, type Db } from '@/server/db';

// GET /api/clusters/:cluster/history end to end (handler, validation, error mapping) over a temp database.
const state = vi.hoisted(() => ({ history: null as HistoryStore | null, snapshot: null as ClusterSnapshot | null }));
vi.mock('@/server/runtime', async () => {
  const { AuthConfig } = await import('@/server/config/schema');
  const config = { history: { hourRetentionDays: 30 } };
  return {
    getRuntime: () => ({ history: state.history, config, collector: { snapshot: (n: string) => (n === 'lab' ? state.snapshot : undefined) } }),
    getAuth: () => ({ config: AuthConfig.parse({}), audit: { append: () => undefined } }),
  };
});
vi.mock('@/server/auth/authenticate', async (original) => ({
  ...(await original<object>()),
  authenticateWith: () => ({ actor: { name: 'test', role: 'viewer', clusters: null, via: 'token', source: '127.0.0.1' }, session: null }),
}));

const { GET } = await import('@/app/api/clusters/[cluster]/history/route');

const SVC = 'TCP 192.0.2.100:80';
function snap(t: number, servers: string[]): ClusterSnapshot {
  const rates = { cps: 1, inPps: 1, outPps: 1, inBps: 100, outBps: 200 };
  return {
    name: 'lab', takenAt: t, pollIntervalMs: 2000, directors: [{ live: true } as ClusterSnapshot['directors'][number]], instances: [], findings: [],
    services: [{
      key: SVC, protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null,
      scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1'],
      stats: null, rates, differs: [],
      realServers: servers.map((a) => ({
        key: `${a}:80`, address: a, port: 80, forward: 'Route' as const, weight: 1, activeConns: 2,
        inactiveConns: 0, persistentConns: 0, stats: null, rates, configuredWeight: null, checkerAlive: null,
        health: 'up' as const, perDirector: {}, differs: [],
      })),
    }],
  };
}

let db: Db;
let tmp: string;
const NOW = Date.now();
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'read-history-'));
  db = openDatabase(tmp);
  state.history = new HistoryStore(db);
  // rs3 was removed a minute ago: still in the history, no longer in the snapshot.
  state.history.record(snap(NOW - 60_000, ['192.0.2.11', '192.0.2.12', '192.0.2.13']));
  state.snapshot = snap(NOW - 2000, ['192.0.2.11', '192.0.2.12']);
  state.history.record(state.snapshot);
});
afterAll(() => {
  db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ctx = { params: Promise.resolve({ cluster: 'lab' }) };
const get = async (q: string) => {
  const r = await GET(new Request(`http://localhost/api/clusters/lab/history?${q}`), ctx);
  return { status: r.status, body: (await r.json()) as { error?: { message: string } } };
};
const range = `from=${NOW - 3_600_000}&to=${NOW}`;

describe('history API', () => {
  it('serves the cluster as a whole, a service per real server (a removed one included), and a host across its services', async () => {
    const cluster = HistoryResponse.parse((await get(range)).body);
    expect(cluster.series.map((s) => [s.service, s.realServer, s.points.length])).toEqual([['', null, 2]]);
    expect(cluster.series[0]!.points[0]!.activeConns).toBe(6);
    expect(cluster.resolutionMs).toBe(5000);

    const by = HistoryResponse.parse((await get(`service=${encodeURIComponent(SVC)}&by=realServer&${range}`)).body);
    expect(by.series.map((s) => [s.realServer, s.points.length])).toEqual([[null, 2], ['192.0.2.11:80', 2], ['192.0.2.12:80', 2], ['192.0.2.13:80', 1]]);

    const host = HistoryResponse.parse((await get(`host=192.0.2.12&${range}`)).body);
    expect(host.series.map((s) => [s.service, s.realServer])).toEqual([[SVC, '192.0.2.12:80']]);
    const few = HistoryResponse.parse((await get(`points=10&${range}`)).body);
    expect(few.resolutionMs).toBe(600_000);
  });

  it('names the parameter of bad input: reversed range, past retention, unknown service or real server, bad host, bad combinations', async () => {
    const cases: [string, number, RegExp][] = [
      [`from=${NOW}&to=${NOW - 1000}`, 422, /"from" \(\d+\) is after "to"/],
      [`from=${NOW - 40 * 86_400_000}&to=${NOW}`, 422, /"from" .* is before the history kept \(history.hourRetentionDays: 30 days/],
      [`service=TCP%20192.0.2.200%3A80&${range}`, 404, /"service": "TCP 192.0.2.200:80" is not a service of "lab"/],
      [`service=${encodeURIComponent(SVC)}&realServer=192.0.2.99%3A80&${range}`, 404, /"realServer": "192.0.2.99:80" is not a real server/],
      [`host=not-an-ip&${range}`, 422, /"host" \("not-an-ip"\) is not an IPv4 or IPv6 address/],
      [`host=192.0.2.99&${range}`, 404, /"host": 192.0.2.99 is not a real server of any service of "lab"/],
      [`by=realServer&${range}`, 422, /"by" needs "service"/],
      [`realServer=192.0.2.11%3A80&${range}`, 422, /"realServer" needs "service"/],
      [`points=5&${range}`, 422, /points/],
      [`range=1h`, 422, /range/],
    ];
    for (const [q, status, message] of cases) {
      const r = await get(q);
      expect([q, r.status]).toEqual([q, status]);
      expect(r.body.error?.message).toMatch(message);
    }
    // A real server gone from the snapshot but in the history is still served.
    const gone = await get(`service=${encodeURIComponent(SVC)}&realServer=192.0.2.13%3A80&${range}`);
    expect(gone.status).toBe(200);
  });
});
