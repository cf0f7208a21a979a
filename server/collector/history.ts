import 'server-only';
import type { ClusterSnapshot, HistoryPoint, HistoryResponse } from '@/lib/models/cluster';
import type { Db } from '@/server/db';

// Short history of rates and connections: every poll's figures for a while, then one-minute
// averages, then nothing. Figures come from the director that holds the service's VIP.

/** Above this many real servers a cluster is sampled at most every LARGE_CLUSTER_SAMPLE_MS. */
export const LARGE_CLUSTER_REAL_SERVERS = 2000;
export const LARGE_CLUSTER_SAMPLE_MS = 10_000;

export class HistoryStore {
  private readonly lastRecorded = new Map<string, number>();
  private readonly insert;
  private readonly selectRaw;
  private readonly selectMinute;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO samples (cluster, service, real_server, t, active, inactive, cps, in_pps, out_pps, in_bps, out_bps)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const cols = 't, active AS activeConns, inactive AS inactiveConns, cps, in_pps AS inPps, out_pps AS outPps, in_bps AS inBps, out_bps AS outBps';
    this.selectRaw = db.prepare(
      `SELECT ${cols} FROM samples WHERE cluster = ? AND service = ? AND real_server = ? AND t >= ? AND t <= ? ORDER BY t`,
    );
    this.selectMinute = db.prepare(
      `SELECT ${cols} FROM samples_minute WHERE cluster = ? AND service = ? AND real_server = ? AND t >= ? AND t <= ? ORDER BY t`,
    );
  }

  /** Records one merged snapshot: a row per service and per real server on the active director. */
  record(s: ClusterSnapshot): void {
    // A large cluster every poll is tens of thousands of rows every two seconds (profiled: a fifth
    // of the server's CPU at 1,000 services x 20 real servers); its sparklines keep 30 points in
    // five minutes at one sample per 10 s.
    let rows = 0;
    for (const svc of s.services) rows += svc.realServers.length;
    const last = this.lastRecorded.get(s.name);
    if (rows > LARGE_CLUSTER_REAL_SERVERS && last !== undefined && s.takenAt - last < LARGE_CLUSTER_SAMPLE_MS) return;
    this.lastRecorded.set(s.name, s.takenAt);
    this.db.transaction(() => {
      for (const svc of s.services) {
        if (svc.activeDirector === null) continue;
        let active = 0;
        let inactive = 0;
        for (const rs of svc.realServers) {
          active += rs.activeConns ?? 0;
          inactive += rs.inactiveConns ?? 0;
          const r = rs.rates;
          this.insert.run(s.name, svc.key, rs.key, s.takenAt, rs.activeConns ?? 0, rs.inactiveConns ?? 0, r?.cps ?? 0, r?.inPps ?? 0, r?.outPps ?? 0, r?.inBps ?? 0, r?.outBps ?? 0);
        }
        const r = svc.rates;
        this.insert.run(s.name, svc.key, '', s.takenAt, active, inactive, r?.cps ?? 0, r?.inPps ?? 0, r?.outPps ?? 0, r?.inBps ?? 0, r?.outBps ?? 0);
      }
    })();
  }

  query(cluster: string, service: string, realServer: string | null, from: number, to: number): HistoryResponse {
    const key = realServer ?? '';
    const minute = this.selectMinute.all(cluster, service, key, from, to) as HistoryPoint[];
    const raw = this.selectRaw.all(cluster, service, key, from, to) as HistoryPoint[];
    // Raw samples win where both exist; minute averages cover older time.
    const firstRaw = raw[0]?.t ?? Infinity;
    const points = [...minute.filter((p) => p.t < firstRaw), ...raw];
    return { from, to, series: [{ cluster, service, realServer, points }] };
  }

  /** Folds raw samples older than rawRetentionMs into minute averages; drops minute rows past their retention. */
  compact(now: number, rawRetentionMs: number, minuteRetentionMs: number): void {
    // Whole minutes only, so a bucket is never averaged from part of its samples.
    const cut = Math.floor((now - rawRetentionMs) / 60_000) * 60_000;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO samples_minute (cluster, service, real_server, t, active, inactive, cps, in_pps, out_pps, in_bps, out_bps)
           SELECT cluster, service, real_server, (t / 60000) * 60000 AS m,
                  avg(active), avg(inactive), avg(cps), avg(in_pps), avg(out_pps), avg(in_bps), avg(out_bps)
           FROM samples WHERE t < ? GROUP BY cluster, service, real_server, m`,
        )
        .run(cut);
      this.db.prepare('DELETE FROM samples WHERE t < ?').run(cut);
      this.db.prepare('DELETE FROM samples_minute WHERE t < ?').run(now - minuteRetentionMs);
    })();
  }
}
