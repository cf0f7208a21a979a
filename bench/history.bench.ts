// Bench (#19): the history query behind a service's chart for the 7 d range, in a store that holds
// a fleet of 1,000 services x 20 real servers, p50 over RUNS and the points it returns; beside it,
// the same 7 days read at minute resolution (what a store without the hourly tier would have to
// return: 10,080 points per series). Also the incremental hourly rollup of one hour of the fleet.
//
// The store is the console's own (migrations, HistoryStore) in a scratch SQLite file. What it holds:
// the hour tier for all 22,001 series (every real server, every service, the cluster) over 7 days;
// the benched service's 21 series also in the minute tier (48 h) and the raw tier (2 h, every 10 s,
// the large-cluster sampling). Other services have no minute or raw rows (63 M rows would not fit a
// bench run); a query reads only its own series through the primary key, so they change the
// B-tree's depth, not the rows read. The query is what GET .../history?service=S&by=realServer
// does: the real servers present in the range, then their series and the service's.
//
// Standalone: npx tsx bench/history.bench.ts
import '../bin/server-only-shim';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../server/db';
import { CLUSTER_SERIES, HistoryStore } from '../server/collector/history';
import { pct, runIfMain } from './standalone';
import type { BenchContext, BenchRow } from './types';

const SERVICES = 1000;
const REAL_SERVERS = 20;
const RUNS = 20;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLUSTER = 'fleet-01';

const svcKey = (i: number) => `tcp:198.51.${Math.floor(i / 250)}.${i % 250}:80`;
const rsKey = (j: number) => `203.0.113.${j + 1}:80`;
/** A service's series: its own ('') and each real server's. */
const SERIES = ['', ...Array.from({ length: REAL_SERVERS }, (_, j) => rsKey(j))];
/** A row's figures from one level (active, inactive, cps, packets and bytes in and out), and its peaks. */
const figures = (v: number) => [v, v * 3, v / 10, v * 8, v * 7, v * 4000, v * 90000];
const peaks = (v: number) => [v * 1.5, v / 5, v * 6000, v * 120000];

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = path.join(ctx.workDir, 'history');
  fs.rmSync(dir, { recursive: true, force: true });
  const db = openDatabase(dir, 'history.db');
  const store = new HistoryStore(db);
  // A fixed "now" on an hour boundary plus 30 min, so tiers meet where compact() would leave them.
  const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * MINUTE;
  const rawFrom = Math.floor((now - 2 * HOUR) / MINUTE) * MINUTE;
  const minuteFrom = Math.floor((now - 48 * HOUR) / HOUR) * HOUR;
  const hourFrom = now - 7 * DAY;
  const benched = svcKey(500);
  const wave = (t: number, k: number) => 50 + 40 * Math.sin(t / 3_600_000 + k);

  const t0 = performance.now();
  const cols = 'cluster, service, real_server, t, active, inactive, cps, in_pps, out_pps, in_bps, out_bps';
  const hourIns = db.prepare(`INSERT INTO samples_hour (${cols}, max_active, max_cps, max_in_bps, max_out_bps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const minuteIns = db.prepare(`INSERT INTO samples_minute (${cols}, max_active, max_cps, max_in_bps, max_out_bps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const rawIns = db.prepare(`INSERT INTO samples (${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // The baseline's table: 7 days of minute rows of the benched service, as if minutes were all there were.
  db.exec('CREATE TABLE minutes_7d AS SELECT * FROM samples_minute WHERE 0; CREATE UNIQUE INDEX minutes_7d_key ON minutes_7d (cluster, service, real_server, t)');
  const m7Ins = db.prepare(`INSERT INTO minutes_7d (${cols}, max_active, max_cps, max_in_bps, max_out_bps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let hourRows = 0;
  db.transaction(() => {
    const keys: [string, string][] = [[CLUSTER_SERIES, '']];
    for (let i = 0; i < SERVICES; i++) for (const rs of SERIES) keys.push([svcKey(i), rs]);
    for (const [svc, rs] of keys)
      for (let t = Math.ceil(hourFrom / HOUR) * HOUR; t < minuteFrom; t += HOUR) {
        const v = wave(t, rs.length);
        hourIns.run(CLUSTER, svc, rs, t, ...figures(v), ...peaks(v));
        hourRows++;
      }
  })();
  db.transaction(() => {
    for (const rs of SERIES) {
      for (let t = minuteFrom; t < rawFrom; t += MINUTE) {
        const v = wave(t, rs.length);
        minuteIns.run(CLUSTER, benched, rs, t, ...figures(v), ...peaks(v));
      }
      for (let t = rawFrom; t <= now; t += 10_000) {
        const v = wave(t, rs.length);
        rawIns.run(CLUSTER, benched, rs, t, ...figures(v));
      }
      for (let t = Math.ceil(hourFrom / MINUTE) * MINUTE; t <= now; t += MINUTE) {
        const v = wave(t, rs.length);
        m7Ins.run(CLUSTER, benched, rs, t, ...figures(v), ...peaks(v));
      }
    }
  })();
  ctx.log(`history: filled ${hourRows.toLocaleString('en')} hour rows (+ the benched service's minute and raw tiers) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const from = now - 7 * DAY;
  const to = now;
  const query = () => {
    const rs = store.realServers(CLUSTER, benched, from, to);
    return store.series(CLUSTER, [{ service: benched, realServer: null }, ...rs.map((r) => ({ service: benched, realServer: r }))], from, to);
  };
  const first = query();
  const points = first.series.reduce((n, s) => n + s.points.length, 0);
  const perSeries = Math.max(...first.series.map((s) => s.points.length));
  const bytes = Buffer.byteLength(JSON.stringify(first));
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    query();
    times.push(performance.now() - t);
  }
  const minuteRead = db.prepare('SELECT * FROM minutes_7d WHERE cluster = ? AND service = ? AND real_server = ? AND t >= ? AND t < ? ORDER BY t');
  const baseline = () => SERIES.reduce((n, rs) => n + minuteRead.all(CLUSTER, benched, rs, from, to).length, 0);
  const basePoints = baseline();
  const baseTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    baseline();
    baseTimes.push(performance.now() - t);
  }

  // The incremental rollup: one more hour of minute rows for the whole fleet, then the runtime's
  // compactInSteps rolls that hour only (the hours before are already rolled); its longest step is
  // how long requests wait. Baseline: the same hour rolled by one statement over the time index
  // (how compact() did it before it went series by series).
  const rollHour = Math.floor(now / HOUR) * HOUR - HOUR;
  db.prepare('DELETE FROM samples_hour WHERE t >= ?').run(rollHour - HOUR);
  db.transaction(() => {
    for (let i = 0; i < SERVICES; i++) {
      if (svcKey(i) === benched) continue;
      for (const rs of SERIES)
        for (let t = rollHour - HOUR; t < rollHour + HOUR; t += MINUTE) {
          const v = wave(t, rs.length);
          minuteIns.run(CLUSTER, svcKey(i), rs, t, ...figures(v), ...peaks(v));
        }
    }
  })();
  // First compact rolls up to the hour before rollHour; the timed one rolls exactly one hour.
  store.compact(rollHour + 2 * HOUR + 2 * MINUTE, 2 * HOUR + MINUTE, 48 * HOUR, 30 * DAY);
  const tRoll = performance.now();
  const stepped = await store.compactInSteps(rollHour + 3 * HOUR + 2 * MINUTE, 2 * HOUR + MINUTE, 48 * HOUR, 30 * DAY);
  const rollMs = performance.now() - tRoll;
  const rolled = (db.prepare('SELECT count(*) AS n FROM samples_hour WHERE t = ?').get(rollHour) as { n: number }).n;
  db.prepare('DELETE FROM samples_hour WHERE t = ?').run(rollHour);
  const V = ['active', 'inactive', 'cps', 'in_pps', 'out_pps', 'in_bps', 'out_bps'];
  const P = ['active', 'cps', 'in_bps', 'out_bps'];
  const oneStatement = db.prepare(
    `INSERT OR REPLACE INTO samples_hour (cluster, service, real_server, t, ${V.join(', ')}, ${P.map((c) => `max_${c}`).join(', ')})
     SELECT cluster, service, real_server, (t / 3600000) * 3600000 AS h, ${V.map((c) => `avg(${c})`).join(', ')}, ${P.map((c) => `max(coalesce(max_${c}, ${c}))`).join(', ')}
     FROM samples_minute WHERE t >= ? AND t < ? GROUP BY cluster, service, real_server, h`,
  );
  const tOne = performance.now();
  oneStatement.run(rollHour, rollHour + HOUR);
  const oneMs = performance.now() - tOne;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const p50 = pct(times, 50);
  return [
    {
      group: 'history',
      name: `7 d of a service by real server (1+${REAL_SERVERS} series), store of ${SERVICES.toLocaleString('en')} svc x ${REAL_SERVERS} rs: p50`,
      value: p50,
      unit: 'ms',
      baseline: { name: 'the same 7 d at minute resolution', value: pct(baseTimes, 50), unit: 'ms' },
      target: '< 100 ms, <= 720 points per series',
      met: p50 < 100 && perSeries <= 720,
      note: `p95 ${pct(times, 95).toFixed(1)} ms; ${points.toLocaleString('en')} points (${perSeries} per series at ${(first.resolutionMs ?? 0) / 1000} s), ${(bytes / 1024).toFixed(0)} KiB JSON; minute read: ${basePoints.toLocaleString('en')} points`,
    },
    {
      group: 'history',
      name: `hourly rollup of one hour, ${(SERVICES * (REAL_SERVERS + 1)).toLocaleString('en')} series: longest step (requests wait this long)`,
      value: stepped.longestMs,
      unit: 'ms',
      baseline: { name: 'one statement over the time index, as before', value: oneMs, unit: 'ms' },
      target: '< 100 ms',
      met: stepped.longestMs < 100,
      note: `${stepped.steps} steps, ${(rollMs / 1000).toFixed(1)} s in all (with the yields); ${rolled.toLocaleString('en')} hour rows written`,
    },
  ];
}

runIfMain(import.meta.url, run, { needsLab: false });
