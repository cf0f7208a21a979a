import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { openDatabase, type Db } from '@/server/db';
import { HistoryStore } from './history';

let db: Db | undefined;
afterEach(() => db?.close());

function snap(t: number, active: number, cps: number): ClusterSnapshot {
  const rates = { cps, inPps: 1, outPps: 2, inBps: 3, outBps: 4 };
  return {
    name: 'lab', takenAt: t, pollIntervalMs: 2000, directors: [], instances: [], findings: [],
    services: [{
      key: 'TCP 192.0.2.100:80', protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null,
      scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1'],
      stats: null, rates, differs: [],
      realServers: [{
        key: '192.0.2.11:80', address: '192.0.2.11', port: 80, forward: 'Route', weight: 1, activeConns: active,
        inactiveConns: 1, persistentConns: 0, stats: null, rates, configuredWeight: null, checkerAlive: null,
        health: 'up', perDirector: {}, differs: [],
      }],
    }],
  };
}

describe('HistoryStore', () => {
  it('records per service and per real server, and folds old samples into minute averages', () => {
    db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-hist-')));
    const h = new HistoryStore(db);
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    h.record(snap(t0, 2, 10));
    h.record(snap(t0 + 30_000, 4, 20));
    h.record(snap(t0 + 120_000, 6, 30));
    const all = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', 0, Infinity).series[0]?.points;
    expect(all?.map((p) => [p.activeConns, p.cps])).toEqual([[2, 10], [4, 20], [6, 30]]);
    expect(h.query('lab', 'TCP 192.0.2.100:80', null, 0, Infinity).series[0]?.points.map((p) => p.inactiveConns)).toEqual([1, 1, 1]);

    // Keep one minute raw at t0+150s: the first minute becomes one averaged point.
    h.compact(t0 + 150_000, 60_000, 3_600_000);
    const after = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', 0, Infinity).series[0]?.points;
    expect(after?.map((p) => [p.t, p.activeConns, p.cps])).toEqual([[t0, 3, 15], [t0 + 120_000, 6, 30]]);

    h.compact(t0 + 10 * 3_600_000, 60_000, 3_600_000);
    expect(h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', 0, Infinity).series[0]?.points).toEqual([]);
  });

  it('samples a small cluster every poll and a large one at most every 10 s', () => {
    db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-hist-')));
    const h = new HistoryStore(db);
    const t0 = 1_800_000_000_000;
    const big = (t: number): ClusterSnapshot => {
      const s = snap(t, 1, 1);
      const svc = s.services[0]!;
      const rs = svc.realServers[0]!;
      return { ...s, name: 'big', services: [{ ...svc, realServers: Array.from({ length: 2001 }, (_, i) => ({ ...rs, key: `192.0.2.11:${i + 1}`, port: i + 1 })) }] };
    };
    for (let i = 0; i < 6; i++) {
      h.record(snap(t0 + i * 2000, i, 1));
      h.record(big(t0 + i * 2000));
    }
    expect(h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', 0, Infinity).series[0]?.points).toHaveLength(6);
    // t0 and t0+10 s only.
    expect(h.query('big', 'TCP 192.0.2.100:80', '192.0.2.11:1', 0, Infinity).series[0]?.points.map((p) => p.t)).toEqual([t0, t0 + 10_000]);
  });
});
