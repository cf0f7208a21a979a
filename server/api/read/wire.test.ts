import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { ClusterSnapshot, type MergedRealServer } from '@/lib/models/cluster';
import { CompactClusterSnapshot } from '@/lib/models/compact-snapshot';
import { FIRST_SCREEN_ROWS, firstScreenCut, snapshotResponse, wireShape } from './clusters';

const on = (weight: number, activeConns: number) => ({ present: true, forward: 'Route', weight, activeConns, inactiveConns: 0, persistentConns: 0 });

function rs(key: string, differs: string[], w2: number): MergedRealServer {
  return {
    key, address: key.split(':')[0] ?? key, port: 80, forward: 'Route', weight: 100, activeConns: 3, inactiveConns: 0, persistentConns: 0,
    stats: null, rates: null, configuredWeight: 100, checkerAlive: true, health: 'up',
    perDirector: { dir1: on(100, 3), dir2: on(w2, 0) }, differs,
  };
}

describe('GET /api/clusters/:cluster wire shape', () => {
  it('leaves out perDirector where directors agree, keeps it where they differ, and still parses', () => {
    const snap: ClusterSnapshot = {
      name: 'lab', takenAt: 1, pollIntervalMs: 2000, directors: [], instances: [], findings: [],
      services: [{
        key: 'TCP 192.0.2.100:80', protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null, scheduler: 'wlc',
        flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1', 'dir2'], stats: null, rates: null, differs: [],
        realServers: [rs('192.0.2.11:80', [], 100), rs('192.0.2.12:80', ['weight'], 37)],
      }],
    };
    const wire = JSON.parse(JSON.stringify(wireShape(snap))) as { services: { realServers: Record<string, unknown>[] }[] };
    expect(wire.services[0]?.realServers[0]).not.toHaveProperty('perDirector');
    expect(wire.services[0]?.realServers[1]?.perDirector).toEqual({ dir1: on(100, 3), dir2: on(37, 0) });
    const parsed = ClusterSnapshot.parse(wire);
    expect(parsed.services[0]?.realServers[0]?.perDirector).toEqual({});
    expect(parsed.services[0]?.realServers[1]?.differs).toEqual(['weight']);
    // The server's own snapshot is untouched.
    expect(snap.services[0]?.realServers[0]?.perDirector).toHaveProperty('dir2');
  });
});

describe('GET /api/clusters/:cluster?services=N (first screen)', () => {
  const service = (i: number) => ({
    key: `TCP 192.0.2.${i}:80`, protocol: 'TCP' as const, family: 'inet' as const, address: `192.0.2.${i}`, port: 80, fwmark: null, scheduler: 'wlc',
    flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1'], stats: null, rates: null, differs: [],
    realServers: [rs(`198.51.100.${i}:80`, [], 100)],
  });
  const snap: ClusterSnapshot = { name: 'big', takenAt: 1, pollIntervalMs: 2000, directors: [], instances: [], findings: [], services: [1, 2, 3].map(service) };
  const get = async (query: string) => {
    const r = snapshotResponse(snap, new Request(`http://console.test/api/clusters/big${query}`));
    return { etag: r.headers.get('etag'), body: ClusterSnapshot.parse(await r.json()) };
  };

  it('answers the first N services and how many there are; the full snapshot has no servicesTotal', async () => {
    const first = await get('?services=2');
    expect(first.body.services.map((x) => x.key)).toEqual(['TCP 192.0.2.1:80', 'TCP 192.0.2.2:80']);
    expect(first.body.servicesTotal).toBe(3);
    const full = await get('');
    expect(full.body.services).toHaveLength(3);
    expect(full.body.servicesTotal).toBeUndefined();
    expect(full.etag).not.toBe(first.etag);
    // Asking for as many as there are (or more) is the full snapshot, same encoding.
    expect((await get('?services=3')).etag).toBe(full.etag);
    expect((await get('?services=2')).etag).toBe(first.etag);
  });

  it('answers the rows form (decoding to the same snapshot) under its own ETag, alone or with a first screen', async () => {
    const rows = snapshotResponse(snap, new Request('http://console.test/api/clusters/big?form=rows'));
    const full = await get('');
    expect(z.parse(CompactClusterSnapshot, await rows.json())).toEqual(full.body);
    expect(rows.headers.get('etag')).not.toBe(full.etag);
    const firstRows = snapshotResponse(snap, new Request('http://console.test/api/clusters/big?form=rows&services=2'));
    expect(z.parse(CompactClusterSnapshot, await firstRows.json())).toEqual((await get('?services=2')).body);
    expect(firstRows.headers.get('etag')).not.toBe(rows.headers.get('etag'));
  });

  it('refuses a bad count or an unknown parameter', () => {
    for (const q of ['?services=0', '?services=-1', '?services=abc', '?services=1001', '?limit=2', '?form=xml', '?form=']) {
      expect(() => snapshotResponse(snap, new Request(`http://console.test/api/clusters/big${q}`)), q).toThrow();
    }
  });
});

describe('firstScreenCut', () => {
  const withServers = (counts: number[]): ClusterSnapshot => ({
    name: 'c', takenAt: 1, pollIntervalMs: 2000, directors: [], instances: [], findings: [],
    services: counts.map((n, i) => ({
      key: `TCP 192.0.2.${i}:80`, protocol: 'TCP', family: 'inet', address: `192.0.2.${i}`, port: 80, fwmark: null, scheduler: 'wlc',
      flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1'], stats: null, rates: null, differs: [],
      realServers: Array.from({ length: n }, (_, j) => rs(`198.51.100.${j}:80`, [], 100)),
    })),
  });
  it('cuts after the service that fills a screen of rows; a cluster that fits is not cut', () => {
    expect(FIRST_SCREEN_ROWS).toBe(80);
    expect(firstScreenCut(withServers(Array<number>(1000).fill(20)))).toBe(4); // 4 × 21 rows = 84
    expect(firstScreenCut(withServers([200, 5]))).toBe(1);
    expect(firstScreenCut(withServers(Array<number>(6).fill(3)))).toBeNull();
    expect(firstScreenCut(withServers([78, 1]))).toBeNull(); // 81 rows, reached on the last service
    expect(firstScreenCut(withServers([79, 1]))).toBe(1); // 80 rows in the first
    expect(firstScreenCut(withServers([]))).toBeNull();
  });
});
