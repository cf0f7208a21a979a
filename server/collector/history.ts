import 'server-only';
import type { ClusterSnapshot, HistoryPoint, HistoryResponse, HistorySeries } from '@/lib/models/cluster';
import type { Db, Statement } from '@/server/db';

// History of rates and connections, for sparklines and charts. Three tiers: every poll's figures
// (samples) for rawRetentionMinutes, one-minute averages and maxima (samples_minute) for
// minuteRetentionHours, hourly averages and maxima (samples_hour) for hourRetentionDays. Each
// tier is filled from the one below by compact(), incrementally: raw rows are folded as they
// leave their tier, and hours are rolled only past the last hour already rolled. Figures come
// from the director that holds the service's VIP; service '' is the cluster as a whole.

/** Above this many real servers a cluster is sampled at most every LARGE_CLUSTER_SAMPLE_MS. */
export const LARGE_CLUSTER_REAL_SERVERS = 2000;
export const LARGE_CLUSTER_SAMPLE_MS = 10_000;

/** The key of the cluster-wide series (the sum over its services). */
export const CLUSTER_SERIES = '';

/** At most this many points per series unless asked for fewer (a chart is ~1,000 px wide). */
export const DEFAULT_MAX_POINTS = 720;

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Series per compaction step: a step holds the event loop for tens of milliseconds (bench: 1,000 x 20 real servers). */
const SERIES_PER_STEP = 500;
/** Bucket sizes a query picks from: the smallest that keeps the series under its point budget. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/** Pick the bucket for a range: the smallest step giving at most maxPoints points. */
export function bucketFor(rangeMs: number, maxPoints: number): number {
  const want = rangeMs / Math.max(1, maxPoints);
  return STEPS.find((s) => s >= want) ?? Math.ceil(want / 86_400_000) * 86_400_000;
}

/** One series asked for: a service (or '' = the cluster) and a real server (null = the service as a whole). */
export interface SeriesKey {
  service: string;
  realServer: string | null;
}

/** Rows per statement when record() writes to PostgreSQL. */
const SAMPLE_BATCH = 5_000;

const VALUES = ['active', 'inactive', 'cps', 'in_pps', 'out_pps', 'in_bps', 'out_bps'] as const;
const PEAKS = ['active', 'cps', 'in_bps', 'out_bps'] as const;

type Tier = 'samples' | 'samples_minute' | 'samples_hour';
const TIER_SPAN: Record<Tier, number> = { samples: 0, samples_minute: MINUTE, samples_hour: HOUR };

interface Row {
  t: number;
  span: number;
  active: number;
  inactive: number;
  cps: number;
  in_pps: number;
  out_pps: number;
  in_bps: number;
  out_bps: number;
  max_active: number;
  max_cps: number;
  max_in_bps: number;
  max_out_bps: number;
}

/** Five significant digits: what a chart or a person can use (0.0041 cps stays), and less JSON than SQLite's full doubles. */
const sig5 = (x: number): number => (Number.isInteger(x) ? x : Number(x.toPrecision(5)));

function toPoint(r: Row): HistoryPoint {
  return {
    t: r.t,
    activeConns: sig5(r.active),
    inactiveConns: sig5(r.inactive),
    cps: sig5(r.cps),
    inPps: sig5(r.in_pps),
    outPps: sig5(r.out_pps),
    inBps: sig5(r.in_bps),
    outBps: sig5(r.out_bps),
    spanMs: r.span,
    max: { activeConns: r.max_active, cps: sig5(r.max_cps), inBps: sig5(r.max_in_bps), outBps: sig5(r.max_out_bps) },
  };
}

export class HistoryStore {
  private readonly lastRecorded = new Map<string, number>();
  private readonly insert;
  private readonly bucketed = new Map<Tier, Statement<[Record<string, unknown>]>>();
  private readonly firstAt = new Map<Tier, Statement<unknown[]>>();
  private readonly realServersIn = new Map<Tier, Statement<unknown[]>>();
  private readonly serviceKnown;
  private batchInsert: Statement | null = null;
  private readonly compaction;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO samples (cluster, service, real_server, t, active, inactive, cps, in_pps, out_pps, in_bps, out_bps)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The larger of two values: SQLite's two-argument max(), PostgreSQL's greatest().
    const greatest = db.dialect === 'postgres' ? 'greatest' : 'max';
    for (const tier of ['samples', 'samples_minute', 'samples_hour'] as const) {
      const peak = (c: string) => (tier === 'samples' ? `max(${c})` : `max(coalesce(max_${c}, ${c}))`);
      // Buckets of @b ms (integer division of an INTEGER column): the average of what the tier
      // holds in each bucket and the largest single value (a raw sample's, or a rolled row's max).
      this.bucketed.set(
        tier,
        db.prepare(
          `SELECT CAST(t / @b AS BIGINT) * @b AS t, ${greatest}(@b, ${TIER_SPAN[tier]}) AS span, ${VALUES.map((c) => `avg(${c}) AS ${c}`).join(', ')},
                  ${PEAKS.map((c) => `${peak(c)} AS max_${c}`).join(', ')}
           FROM ${tier} WHERE cluster = @cluster AND service = @service AND real_server = @rs AND t >= @from AND t < @until
           GROUP BY 1 ORDER BY 1`,
        ),
      );
      this.firstAt.set(tier, db.prepare(`SELECT min(t) AS t FROM ${tier} WHERE cluster = ? AND service = ? AND real_server = ? AND t >= ?`));
      this.realServersIn.set(tier, db.prepare(`SELECT DISTINCT real_server AS rs FROM ${tier} WHERE cluster = ? AND service = ? AND real_server <> '' AND t >= ? AND t <= ?`));
    }
    const cols = `cluster, service, real_server, t, ${VALUES.join(', ')}, ${PEAKS.map((c) => `max_${c}`).join(', ')}`;
    const series = 'cluster = ? AND service = ? AND real_server = ?';
    const keyOrder = 'ORDER BY cluster, service, real_server LIMIT 1';
    // A rolled row replaces the one of its series and minute (hour): an upsert both dialects read.
    const replace = `ON CONFLICT (cluster, service, real_server, t) DO UPDATE SET ${[...VALUES, ...PEAKS.map((c) => `max_${c}`)].map((c) => `${c} = excluded.${c}`).join(', ')}`;
    this.compaction = {
      fold: db.prepare<unknown[]>(
        `INSERT INTO samples_minute (${cols})
         SELECT cluster, service, real_server, (t / 60000) * 60000 AS m, ${VALUES.map((c) => `avg(${c})`).join(', ')}, ${PEAKS.map((c) => `max(${c})`).join(', ')}
         FROM samples WHERE ${series} AND t < ? GROUP BY cluster, service, real_server, m ${replace}`,
      ),
      dropRaw: db.prepare<unknown[]>(`DELETE FROM samples WHERE ${series} AND t < ?`),
      roll: db.prepare<unknown[]>(
        `INSERT INTO samples_hour (${cols})
         SELECT cluster, service, real_server, (t / 3600000) * 3600000 AS h, ${VALUES.map((c) => `avg(${c})`).join(', ')},
                ${PEAKS.map((c) => `max(coalesce(max_${c}, ${c}))`).join(', ')}
         FROM samples_minute WHERE ${series} AND t >= ? AND t < ? GROUP BY cluster, service, real_server, h ${replace}`,
      ),
      rolled: db.prepare('SELECT through FROM history_rollup WHERE id = 1'),
      setRolled: db.prepare<unknown[]>('INSERT INTO history_rollup (id, through) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET through = excluded.through'),
      dropMinutes: db.prepare<unknown[]>('DELETE FROM samples_minute WHERE t < ?'),
      dropHours: db.prepare<unknown[]>('DELETE FROM samples_hour WHERE t < ?'),
      // The series of a tier in key order, one seek each (the key index of samples, the primary key of samples_minute).
      firstSeries: new Map((['samples', 'samples_minute'] as const).map((t) => [t, db.prepare(`SELECT cluster, service, real_server AS rs FROM ${t} ${keyOrder}`)])),
      nextSeries: new Map(
        (['samples', 'samples_minute'] as const).map((t) => [t, db.prepare<unknown[]>(`SELECT cluster, service, real_server AS rs FROM ${t} WHERE (cluster, service, real_server) > (?, ?, ?) ${keyOrder}`)]),
      ),
    };
    this.serviceKnown = db.prepare(
      `SELECT 1 FROM samples_hour WHERE cluster = @cluster AND service = @service AND real_server = @rs
       UNION ALL SELECT 1 FROM samples_minute WHERE cluster = @cluster AND service = @service AND real_server = @rs
       UNION ALL SELECT 1 FROM samples WHERE cluster = @cluster AND service = @service AND real_server = @rs LIMIT 1`,
    );
  }

  /** Records one merged snapshot: a row per service and per real server on the active director, and the cluster's sum. */
  record(s: ClusterSnapshot): void {
    // A large cluster every poll is tens of thousands of rows every two seconds (profiled: a fifth
    // of the server's CPU at 1,000 services x 20 real servers); its sparklines keep 30 points in
    // five minutes at one sample per 10 s.
    let rows = 0;
    for (const svc of s.services) rows += svc.realServers.length;
    const last = this.lastRecorded.get(s.name);
    if (rows > LARGE_CLUSTER_REAL_SERVERS && last !== undefined && s.takenAt - last < LARGE_CLUSTER_SAMPLE_MS) return;
    this.lastRecorded.set(s.name, s.takenAt);
    const put = this.sampleWriter();
    this.db.transaction(() => {
      const total = [0, 0, 0, 0, 0, 0, 0];
      let any = false;
      for (const svc of s.services) {
        if (svc.activeDirector === null) continue;
        any = true;
        let active = 0;
        let inactive = 0;
        for (const rs of svc.realServers) {
          active += rs.activeConns ?? 0;
          inactive += rs.inactiveConns ?? 0;
          const r = rs.rates;
          put(s.name, svc.key, rs.key, s.takenAt, rs.activeConns ?? 0, rs.inactiveConns ?? 0, r?.cps ?? 0, r?.inPps ?? 0, r?.outPps ?? 0, r?.inBps ?? 0, r?.outBps ?? 0);
        }
        const r = svc.rates;
        const row = [active, inactive, r?.cps ?? 0, r?.inPps ?? 0, r?.outPps ?? 0, r?.inBps ?? 0, r?.outBps ?? 0];
        row.forEach((v, i) => (total[i]! += v));
        put(s.name, svc.key, '', s.takenAt, ...row);
      }
      // No VIP holder known anywhere (every director unreachable): no row, so the chart shows a gap.
      if (any) put(s.name, CLUSTER_SERIES, '', s.takenAt, ...total);
      put.flush();
    })();
  }

  /**
   * How record() writes its rows: SQLite, one prepared insert each (in-process, cheap); PostgreSQL,
   * one statement per SAMPLE_BATCH rows (the columns as arrays through unnest()), so a 20,000-row
   * cluster is four round trips, not 20,000.
   */
  private sampleWriter(): ((...row: unknown[]) => void) & { flush: () => void } {
    if (this.db.dialect !== 'postgres') return Object.assign((...row: unknown[]) => void this.insert.run(...row), { flush: () => {} });
    this.batchInsert ??= this.db.prepare(
      `INSERT INTO samples (cluster, service, real_server, t, ${VALUES.join(', ')})
       SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), ${VALUES.map(() => 'CAST(? AS DOUBLE PRECISION[])').join(', ')})`,
    );
    const stmt = this.batchInsert;
    let cols: unknown[][] = Array.from({ length: 4 + VALUES.length }, () => []);
    const flush = () => {
      if (cols[0]!.length === 0) return;
      stmt.run(...cols);
      cols = cols.map(() => []);
    };
    return Object.assign(
      (...row: unknown[]) => {
        row.forEach((v, i) => cols[i]!.push(v));
        if (cols[0]!.length >= SAMPLE_BATCH) flush();
      },
      { flush },
    );
  }

  /** One series (the service's own when realServer is null), at every poll where the range allows. */
  query(cluster: string, service: string, realServer: string | null, from: number, to: number, maxPoints = DEFAULT_MAX_POINTS): HistoryResponse {
    return this.series(cluster, [{ service, realServer }], from, to, maxPoints);
  }

  /** Several series over one range, each at most maxPoints points of one bucket size (coarser where only rollups remain). */
  series(cluster: string, keys: readonly SeriesKey[], from: number, to: number, maxPoints = DEFAULT_MAX_POINTS): HistoryResponse {
    const b = bucketFor(to - from, maxPoints);
    const series: HistorySeries[] = keys.map(({ service, realServer }) => ({
      cluster,
      service,
      realServer,
      points: this.points(cluster, service, realServer ?? '', from, to, b),
    }));
    return { from, to, resolutionMs: b, series };
  }

  /** Real servers of a service that have samples in the range (a removed one included), sorted. */
  realServers(cluster: string, service: string, from: number, to: number): string[] {
    const found = new Set<string>();
    for (const st of this.realServersIn.values()) for (const r of st.all(cluster, service, from, to) as { rs: string }[]) found.add(r.rs);
    return [...found].sort();
  }

  /** Whether any tier holds a row of this series (a service that is gone but still in history counts). */
  known(cluster: string, service: string, realServer: string | null): boolean {
    return this.serviceKnown.get({ cluster, service, rs: realServer ?? '' }) !== undefined;
  }

  private points(cluster: string, service: string, rs: string, from: number, to: number, b: number): HistoryPoint[] {
    // Each tier covers the time before the next finer one starts: finer rows win where both exist.
    const first = (tier: Tier) => (this.firstAt.get(tier)!.get(cluster, service, rs, from) as { t: number | null }).t ?? Infinity;
    const rawFrom = first('samples');
    const minuteFrom = Math.min(first('samples_minute'), rawFrom);
    const read = (tier: Tier, until: number) =>
      (this.bucketed.get(tier)!.all({ b, cluster, service, rs, from, until: Math.min(until, to + 1) }) as Row[]).map(toPoint);
    // A bucket that straddles two tiers is cut at the finer tier's start, so no time is counted twice.
    return [...read('samples_hour', minuteFrom), ...read('samples_minute', rawFrom), ...read('samples', Infinity)];
  }

  /**
   * Folds raw samples older than rawRetentionMs into minute rows, whole hours of minute rows not
   * yet rolled into hour rows, and drops each tier's rows past its retention. All at once: see
   * compactInSteps for the runtime's way.
   */
  compact(now: number, rawRetentionMs: number, minuteRetentionMs: number, hourRetentionMs = 30 * 24 * HOUR): void {
    for (const step of this.compactSteps(now, rawRetentionMs, minuteRetentionMs, hourRetentionMs)) void step;
  }

  /**
   * compact() a few hundred series at a time, giving the event loop back between steps: at 1,000
   * services x 20 real servers the hourly rollup is ~2 s in 44 steps of at most ~70 ms, where one
   * statement held every request for ~5.6 s (bench/history.bench.ts). Stops early when `stopped()` says so
   * (what is done stays done; the rest is picked up by the next run).
   */
  async compactInSteps(now: number, rawRetentionMs: number, minuteRetentionMs: number, hourRetentionMs: number, stopped: () => boolean = () => false): Promise<{ steps: number; longestMs: number }> {
    let steps = 0;
    let longestMs = 0;
    let t = performance.now();
    for (const step of this.compactSteps(now, rawRetentionMs, minuteRetentionMs, hourRetentionMs)) {
      void step;
      longestMs = Math.max(longestMs, performance.now() - t);
      steps++;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopped()) break;
      t = performance.now();
    }
    return { steps, longestMs };
  }

  /**
   * The work of compact(), one step per SERIES_PER_STEP series. Each series is read through its
   * own key (cluster, service, real server, time): the rows of the range only, where one statement
   * over the whole tier went through the time index and looked every row up again.
   */
  private *compactSteps(now: number, rawRetentionMs: number, minuteRetentionMs: number, hourRetentionMs: number): Generator<void, void, void> {
    // Whole minutes only, so a bucket is never averaged from part of its samples.
    const cut = Math.floor((now - rawRetentionMs) / MINUTE) * MINUTE;
    // An hour is complete once every minute of it has been folded.
    const hourCut = Math.floor(cut / HOUR) * HOUR;
    const c = this.compaction;
    // Raw rows folded and dropped in one transaction per step: a series is never folded twice.
    for (const batch of this.seriesBatches('samples')) {
      this.db.transaction(() => {
        for (const k of batch) {
          c.fold.run(...k, cut);
          c.dropRaw.run(...k, cut);
        }
      })();
      yield;
    }
    // Incremental: only the hours after the last one rolled for every series.
    const since = this.rolledThrough();
    if (hourCut > since) {
      for (const batch of this.seriesBatches('samples_minute')) {
        this.db.transaction(() => {
          for (const k of batch) c.roll.run(...k, since, hourCut);
        })();
        yield;
      }
      c.setRolled.run(hourCut);
    }
    c.dropMinutes.run(now - minuteRetentionMs);
    c.dropHours.run(now - hourRetentionMs);
    yield;
  }

  /** Where the hourly rollup has reached (exclusive), recorded once every series is rolled (0: nothing rolled yet). */
  private rolledThrough(): number {
    return (this.compaction.rolled.get() as { through: number } | undefined)?.through ?? 0;
  }

  /** The series a tier holds, SERIES_PER_STEP at a time, found by seeking from one key to the next (fresh at every step: rows may come and go between). */
  private *seriesBatches(tier: 'samples' | 'samples_minute'): Generator<[string, string, string][]> {
    const next = this.compaction.nextSeries.get(tier)!;
    let key: [string, string, string] = ['', '', ''];
    let row = this.compaction.firstSeries.get(tier)!.get() as { cluster: string; service: string; rs: string } | undefined;
    for (;;) {
      const batch: [string, string, string][] = [];
      while (row && batch.length < SERIES_PER_STEP) {
        key = [row.cluster, row.service, row.rs];
        batch.push(key);
        row = next.get(...key) as typeof row;
      }
      if (batch.length === 0) return;
      yield batch;
      // Seek again from the last key: what was done in the step does not disturb the walk.
      row = next.get(...key) as typeof row;
    }
  }
}
