import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '@/server/db';
import { testBackend, testDb } from '@/server/testing/test-db';
import { MIGRATIONS } from '@/server/db/migrations';
import { bucketFor, CLUSTER_SERIES, HistoryStore } from './history';
import { oneServiceSnapshot } from '@/server/testing/one-service-snapshot';

let db: Db | undefined;
afterEach(() => db?.close());

function snap(t: number, active: number, cps: number): ClusterSnapshot {
  return oneServiceSnapshot(t, active, { cps, inPps: 1, outPps: 2, inBps: 3, outBps: 4 });
}

describe('HistoryStore', () => {
  it('records per service and per real server, and folds old samples into minute averages', () => {
    db = testDb();
    const h = new HistoryStore(db);
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    h.record(snap(t0, 2, 10));
    h.record(snap(t0 + 30_000, 4, 20));
    h.record(snap(t0 + 120_000, 6, 30));
    const all = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', t0 - 600_000, t0 + 600_000, 2000).series[0]?.points;
    expect(all?.map((p) => [p.activeConns, p.cps])).toEqual([[2, 10], [4, 20], [6, 30]]);
    expect(h.query('lab', 'TCP 192.0.2.100:80', null, t0 - 600_000, t0 + 600_000, 2000).series[0]?.points.map((p) => p.inactiveConns)).toEqual([1, 1, 1]);

    // Keep one minute raw at t0+150s: the first minute becomes one averaged point.
    h.compact(t0 + 150_000, 60_000, 3_600_000);
    const after = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', t0 - 600_000, t0 + 600_000, 2000).series[0]?.points;
    expect(after?.map((p) => [p.t, p.activeConns, p.cps, p.spanMs, p.max?.activeConns])).toEqual([[t0, 3, 15, 60_000, 4], [t0 + 120_000, 6, 30, 1000, 6]]);

    h.compact(t0 + 10 * 3_600_000, 60_000, 3_600_000, 3_600_000);
    expect(h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', t0 - 600_000, t0 + 600_000, 2000).series[0]?.points).toEqual([]);
  });

  it('stores every row of a cluster larger than one write batch (PostgreSQL writes 5,000 rows a statement)', () => {
    db = testDb();
    const h = new HistoryStore(db);
    const s = snap(1_800_000_000_000, 1, 1);
    const rs = s.services[0]!.realServers[0]!;
    s.services[0]!.realServers = Array.from({ length: 12_001 }, (_, j) => ({ ...rs, key: `198.51.100.${j % 250}:${1024 + j}`, activeConns: j }));
    h.record(s);
    expect(db.prepare('SELECT count(*) AS n, sum(active) AS a FROM samples').get()).toEqual({ n: 12_003, a: 3 * ((12_000 * 12_001) / 2) }); // the real servers, the service's row and the cluster's: each the same sum
  });

  it('samples a small cluster every poll and a large one at most every 10 s', () => {
    db = testDb();
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
    expect(h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', t0 - 600_000, t0 + 600_000, 2000).series[0]?.points).toHaveLength(6);
    // t0 and t0+10 s only.
    expect(h.query('big', 'TCP 192.0.2.100:80', '192.0.2.11:1', t0 - 600_000, t0 + 600_000, 2000).series[0]?.points.map((p) => p.t)).toEqual([t0, t0 + 10_000]);
  });

  it('records the cluster as a whole (the sum of its services), and nothing while no director holds a VIP', () => {
    db = testDb();
    const h = new HistoryStore(db);
    const t0 = 1_800_000_000_000;
    const two = (t: number, holder: string | null): ClusterSnapshot => {
      const s = snap(t, 3, 10);
      const svc = s.services[0]!;
      return { ...s, services: [{ ...svc, activeDirector: holder }, { ...svc, key: 'TCP 192.0.2.101:80', activeDirector: holder }] };
    };
    h.record(two(t0, 'dir1'));
    h.record(two(t0 + 2000, null));
    h.record(two(t0 + 4000, 'dir2'));
    const total = h.series('lab', [{ service: CLUSTER_SERIES, realServer: null }], t0 - 60_000, t0 + 60_000, 2000).series[0]!.points;
    expect(total.map((p) => [p.t, p.activeConns, p.cps])).toEqual([[t0, 6, 20], [t0 + 4000, 6, 20]]);
  });

  it('rolls whole hours of minute rows into hourly averages and maxima, incrementally, and drops them past their retention', () => {
    db = testDb();
    const h = new HistoryStore(db);
    const H = 3_600_000;
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % H);
    // Three hours, a sample every ten minutes: hour 0 active 0..5, hour 1 active 6..11, hour 2 12..17.
    for (let i = 0; i < 18; i++) h.record(snap(t0 + i * 600_000, i, 2 * i));
    // Raw kept 1 min: at t0 + 2h30m the minutes before t0 + 2h29m are folded, so hours 0 and 1 are whole.
    h.compact(t0 + 2.5 * H, 60_000, 48 * H, 30 * 24 * H);
    const hours = db.prepare(`SELECT t, active, max_active, max_cps FROM samples_hour WHERE real_server = '192.0.2.11:80' ORDER BY t`).all();
    expect(hours).toEqual([
      { t: t0, active: 2.5, max_active: 5, max_cps: 10 },
      { t: t0 + H, active: 8.5, max_active: 11, max_cps: 22 },
    ]);
    // A minute row of an hour already rolled changes: the next compact does not roll that hour again.
    db.prepare(`UPDATE samples_minute SET active = 1000 WHERE t = ?`).run(t0);
    h.compact(t0 + 3.5 * H, 60_000, 48 * H, 30 * 24 * H);
    const again = db.prepare(`SELECT t, active FROM samples_hour WHERE real_server = '192.0.2.11:80' ORDER BY t`).all();
    expect(again).toEqual([{ t: t0, active: 2.5 }, { t: t0 + H, active: 8.5 }, { t: t0 + 2 * H, active: 14.5 }]);
    // Minute rows past their 48 h go; hour rows stay for their 30 days, then go.
    h.compact(t0 + 52 * H, 60_000, 48 * H, 30 * 24 * H);
    expect(db.prepare('SELECT count(*) AS n FROM samples_minute').get()).toEqual({ n: 0 });
    const week = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', t0 + 52 * H - 7 * 24 * H, t0 + 52 * H);
    expect(week.series[0]!.points.map((p) => [p.t, p.activeConns, p.max?.activeConns, p.spanMs])).toEqual([
      [t0, 2.5, 5, H],
      [t0 + H, 8.5, 11, H],
      [t0 + 2 * H, 14.5, 17, H],
    ]);
    h.compact(t0 + 31 * 24 * H, 60_000, 48 * H, 30 * 24 * H);
    expect(db.prepare('SELECT count(*) AS n FROM samples_hour').get()).toEqual({ n: 0 });
  });

  it('compacts in steps that give the event loop back; a run stopped half-way loses nothing, and the result is the one compact() gives', async () => {
    const H = 3_600_000;
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % H);
    // 600 real servers: 602 series (each real server, the service, the cluster), two steps of 500.
    const wide = (t: number, i: number): ClusterSnapshot => {
      const s = snap(t, i, 2 * i);
      const rs = s.services[0]!.realServers[0]!;
      s.services[0]!.realServers = Array.from({ length: 600 }, (_, j) => ({ ...rs, key: `198.51.100.${j % 250}:${8000 + j}`, activeConns: i + j }));
      return s;
    };
    const stores = [0, 1].map(() => {
      const d = testDb();
      const h = new HistoryStore(d);
      for (let i = 0; i < 18; i++) h.record(wide(t0 + i * 600_000, i));
      return { d, h };
    });
    const [stepped, whole] = stores as [(typeof stores)[0], (typeof stores)[0]];
    try {
      // Stopped after three steps: the raw rows folded (two steps), 500 of 602 series rolled.
      let calls = 0;
      const first = await stepped.h.compactInSteps(t0 + 2.5 * H, 60_000, 48 * H, 30 * 24 * H, () => ++calls >= 3);
      expect(first.steps).toBe(3);
      const rolled = (t: number) => (stepped.d.prepare('SELECT count(*) AS n FROM samples_hour WHERE t = ?').get(t) as { n: number }).n;
      expect(rolled(t0)).toBe(500);
      // The next run finishes the hours for every series, and records how far it got.
      const second = await stepped.h.compactInSteps(t0 + 2.5 * H, 60_000, 48 * H, 30 * 24 * H);
      expect(second.steps).toBeGreaterThan(1);
      expect([rolled(t0), rolled(t0 + H), rolled(t0 + 2 * H)]).toEqual([602, 602, 0]);
      expect(stepped.d.prepare('SELECT through FROM history_rollup').get()).toEqual({ through: t0 + 2 * H });
      whole.h.compact(t0 + 2.5 * H, 60_000, 48 * H, 30 * 24 * H);
      const rows = (d: Db) => ['samples', 'samples_minute', 'samples_hour'].map((tier) => d.prepare(`SELECT * FROM ${tier} ORDER BY cluster, service, real_server, t`).all());
      expect(rows(stepped.d)).toEqual(rows(whole.d));
      expect(rows(whole.d)[2]).toHaveLength(2 * 602);
    } finally {
      stepped.d.close();
      whole.d.close();
    }
  });

  // SQLite's upgrade path (a PostgreSQL store is created at the current schema).
  it.runIf(testBackend === 'sqlite')('a store that rolled hours before the rollup marker existed starts after its last hour row', () => {
    const H = 3_600_000;
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % H);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-hist-'));
    const raw = new Database(path.join(dir, 'console.db'));
    // The schema as it was just before the migration that added the rollup marker.
    const marker = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE history_rollup'));
    expect(marker).toBeGreaterThan(0);
    MIGRATIONS.slice(0, marker).forEach((sql, v) => {
      raw.exec(sql);
      raw.pragma(`user_version = ${v + 1}`);
    });
    raw.prepare(`INSERT INTO samples_hour VALUES ('lab', '', '', ?, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)`).run(t0);
    raw.close();
    db = openDatabase(dir);
    expect(db.prepare('SELECT through FROM history_rollup').all()).toEqual([{ through: t0 + H }]);
  });

  it('answers a range from the finest tier that holds each part, in one bucket size, within the point budget', () => {
    db = testDb();
    const h = new HistoryStore(db);
    const H = 3_600_000;
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % H);
    // A sample every 2 s for 6 h; keep 2 h raw, so 4 h become minute rows and 3 whole hours hour rows.
    for (let t = t0; t < t0 + 6 * H; t += 2000) h.record(snap(t, (t - t0) / H, 1));
    const now = t0 + 6 * H;
    h.compact(now, 2 * H, 48 * H, 30 * 24 * H);
    // 6 h at <= 720 points: 30 s buckets; minute rows stand alone (a minute is wider), raw rows average by 30 s.
    const six = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', t0, now);
    expect(six.resolutionMs).toBe(30_000);
    const pts = six.series[0]!.points;
    expect(pts.length).toBeLessThanOrEqual(720);
    expect(pts.filter((p) => p.spanMs === 60_000)).toHaveLength(4 * 60);
    expect(pts.filter((p) => p.spanMs === 30_000)).toHaveLength(2 * 120);
    expect(pts.every((p, i) => i === 0 || p.t > pts[i - 1]!.t)).toBe(true);
    // Each part's average is of its own samples: the first raw bucket (t0+4h) is 15 samples of 4.00..4.0078 h.
    const firstRaw = pts.find((p) => p.spanMs === 30_000)!;
    expect(firstRaw.t).toBe(t0 + 4 * H);
    // (Points carry five significant digits; one sample more or less moves the average by ~0.0003.)
    expect(firstRaw.activeConns).toBeCloseTo(4 + 14 / H * 1000, 4);
    // 7 days: 15-minute buckets, 16 from minute rows and 8 from raw samples (the hour rows cover the
    // same time as minute rows, so they are not read).
    const week = h.query('lab', 'TCP 192.0.2.100:80', '192.0.2.11:80', now - 7 * 24 * H, now);
    expect(week.resolutionMs).toBe(900_000);
    expect(week.series[0]!.points.map((p) => p.spanMs)).toEqual(new Array<number>(24).fill(900_000));
  });

  it('picks the smallest bucket that keeps a range within its points', () => {
    expect(bucketFor(15 * 60_000, 720)).toBe(2000);
    expect(bucketFor(3_600_000, 720)).toBe(5000);
    expect(bucketFor(24 * 3_600_000, 720)).toBe(120_000);
    expect(bucketFor(7 * 24 * 3_600_000, 720)).toBe(900_000);
    expect(bucketFor(400 * 24 * 3_600_000, 10)).toBe(40 * 86_400_000);
    expect(bucketFor(401 * 24 * 3_600_000, 10)).toBe(41 * 86_400_000);
  });
});
