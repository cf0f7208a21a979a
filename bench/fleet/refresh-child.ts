// Child process of bench/ssh-refresh.bench.ts: runs the console's real refresh code, so it must be
// started as `node --conditions=react-server --import tsx bench/fleet/refresh-child.ts MODE JSON`
// (the react-server condition is how Next.js loads server code: `server-only` resolves to its
// empty module). Each measurement runs in its own process so its RSS is its own.
//
//   single JSON = { configPath, cluster, director, iterations, warmup, baseline: string[] }
//     refreshDirector() over one warm pooled connection vs `ssh …baseline` (a new OpenSSH process
//     and handshake each time, one command) and vs the same 5 commands in one new `ssh` (same work
//     on the director, no parsing), interleaved so all see the same machine load.
//   cycle JSON = { configPath, warmup, maxWarmup, cycles }
//     every director of the config refreshed in parallel through the Collector (refreshNow per
//     cluster = createDirectorRefresher().refresh + the per-director merges), over warm connections.
//   noop: loads the same modules and exits (the runtime's own RSS floor).
//
// BENCH_HEAP_SNAPSHOT=1: the cycle mode also writes a V8 heap snapshot after its cycles and a full GC
// (bench/.work/profiles/cycle-N<directors>-<pid>.heapsnapshot; summarise it with any heap-snapshot
// reader: nodes, edges and strings are plain JSON).
//
// Prints one JSON line on stdout.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Collector } from '@/server/collector/collector';
import { describeRefreshError } from '@/server/ssh/describe-error';
import type { ObservedDirectorData } from '@/server/collector/observation';
import { createDirectorRefresher, refreshDirector, steadyRefreshCommands } from '@/server/collector/refresh-director';
import { loadConfigFile } from '@/server/config/load';
import type { DirectorConfig } from '@/server/config/schema';
import { fullArgv, toRemoteCommand } from '@/server/commands/quote';
import { usesSudo } from '@/server/ssh/exec';
import { SshPool } from '@/server/ssh/pool';

export interface SingleResult {
  ours: number[];
  /** Console CPU (user+system) per timed refresh, ms. */
  oursCpu: number[];
  baseline: number[];
  /** The same 5 commands through one new OpenSSH connection (raw output, not parsed). */
  sameWork: number[];
  /** The refresh that also read the two keepalived dumps (second warm-up refresh). */
  dumpReadMs: number | null;
  connectMs: number;
  services: number;
  realServers: number;
  baselineBytes: number;
  sameWorkBytes: number;
  /** Refreshes that failed (and were retried, untimed). */
  failures: number;
  failureSamples: string[];
}

export interface CycleResult {
  cold: { wallMs: number; cpuMs: number };
  warmupCycles: number;
  cycles: Array<{ wallMs: number; cpuUserMs: number; cpuSystemMs: number; rssMiB: number; hostCpuMs: number }>;
  maxRssMiB: number;
  /** After the cycles and a full GC: what is retained. */
  retained: { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number } | null;
  /**
   * Sampled every 10 ms through the measured cycles (a sample waits for synchronous work, so these
   * are lower bounds): the largest JS heap used and committed, buffers (external + array buffers).
   */
  peak: { heapUsedMiB: number; heapTotalMiB: number; externalMiB: number; rssMiB: number };
  /** The heap snapshot written after the cycles (BENCH_HEAP_SNAPSHOT=1), if any. */
  heapSnapshot?: string;
  directors: number;
  services: number;
  realServers: number;
  /** Failed director refreshes during warm-up / during the measured cycles. */
  warmupErrors: number;
  errors: number;
  /** Distinct errors seen (code: message), for the report. */
  errorSamples: string[];
}

export interface NoopResult {
  maxRssMiB: number;
}

function runSsh(args: readonly string[]): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`ssh exited ${code}: ${err.trim()}`));
      else resolve({ ms: performance.now() - t0, bytes });
    });
  });
}

/** All CPU time of the host (every process, the replaying sshds included), in ms. */
function hostCpuMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  const busy = f.reduce((a, b, i) => (i === 3 || i === 4 || i > 7 ? a : a + b), 0);
  return (busy * 1000) / 100; // USER_HZ = 100
}

/** The refresh's steady-state commands as one shell line, the way an operator would type them. */
function sameWorkCommand(director: DirectorConfig): string {
  return steadyRefreshCommands()
    .map((s) => toRemoteCommand(fullArgv(s.argv, usesSudo(director, s))))
    .join('; ');
}

async function single(a: { configPath: string; cluster: string; director: string; iterations: number; warmup: number; baseline: string[]; sameWorkSsh: string[] }): Promise<SingleResult> {
  const config = loadConfigFile(a.configPath);
  const director = config.clusters.find((c) => c.name === a.cluster)?.directors.find((d) => d.name === a.director);
  if (!director) throw new Error(`no director ${a.cluster}/${a.director} in ${a.configPath}`);
  const pool = new SshPool({ tuning: config.ssh });
  try {
    let memo = { dumpRequestedAt: null as number | null, fingerprint: '' };
    let previous: ObservedDirectorData | null = null;
    const failures: string[] = [];
    /** One refresh; a failed one is counted and retried (up to 3 times), never timed. */
    const once = async (): Promise<{ ms: number; cpuMs: number }> => {
      for (let attempt = 0; ; attempt++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        try {
          const r = await refreshDirector(director, pool, previous, memo);
          const ms = performance.now() - t0;
          const c = process.cpuUsage(c0);
          memo = r.memo;
          previous = r.data;
          return { ms, cpuMs: (c.user + c.system) / 1000 };
        } catch (e) {
          const { code, message } = describeRefreshError(e);
          failures.push(`${code}: ${message}`);
          if (attempt >= 2) throw e;
        }
      }
    };
    // Warm-up: the first refresh connects (and asks keepalived for a dump), the second reads the
    // dumps, later ones are the steady state measured below.
    const connectMs = (await once()).ms;
    const dumpReadMs = (await once()).ms;
    for (let i = 2; i < a.warmup; i++) await once();
    const same = [...a.sameWorkSsh, sameWorkCommand(director)];
    await runSsh(a.baseline);
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const baseline: number[] = [];
    const sameWork: number[] = [];
    let baselineBytes = 0;
    let sameWorkBytes = 0;
    for (let i = 0; i < a.iterations; i++) {
      const o = await once();
      ours.push(o.ms);
      oursCpu.push(o.cpuMs);
      const b = await runSsh(a.baseline);
      baseline.push(b.ms);
      baselineBytes = b.bytes;
      const s = await runSsh(same);
      sameWork.push(s.ms);
      sameWorkBytes = s.bytes;
    }
    const data = previous as ObservedDirectorData | null;
    return {
      ours,
      oursCpu,
      baseline,
      sameWork,
      dumpReadMs,
      connectMs,
      services: data?.services.length ?? 0,
      realServers: data?.services.reduce((n, s) => n + s.realServers.length, 0) ?? 0,
      baselineBytes,
      sameWorkBytes,
      failures: failures.length,
      failureSamples: [...new Set(failures)].slice(0, 3),
    };
  } finally {
    await pool.closeAll();
  }
}

async function cycle(a: { configPath: string; warmup: number; maxWarmup: number; cycles: number }): Promise<CycleResult> {
  const config = loadConfigFile(a.configPath);
  const refresher = createDirectorRefresher(config);
  const failures: string[] = [];
  const collector = new Collector({
    clusters: config.clusters,
    pollIntervalMs: config.pollIntervalMs,
    refresh: async (c, d, previous) => {
      try {
        return await refresher.refresh(c, d, previous);
      } catch (e) {
        const { code, message } = describeRefreshError(e);
        failures.push(`${c.name}/${d.name}: ${code}: ${message}`);
        throw e;
      }
    },
    describeError: describeRefreshError,
  });
  // Not started: no timers; each cycle refreshes every cluster now, all in parallel.
  const names = collector.clusterNames();
  const all = async (): Promise<void> => {
    await Promise.all(names.map((n) => collector.refreshNow(n)));
  };
  try {
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    await all();
    const u0 = process.cpuUsage(c0);
    const cold = { wallMs: performance.now() - t0, cpuMs: (u0.user + u0.system) / 1000 };
    // Warm-up until every director has had its keepalived dump asked for and read: a director
    // whose refresh failed asks again on its next one. At least `warmup` cycles, at most maxWarmup.
    let warmupCycles = 1;
    for (;;) {
      const before = failures.length;
      await all();
      warmupCycles++;
      if (warmupCycles >= a.maxWarmup || (warmupCycles >= a.warmup && failures.length === before)) break;
    }
    const warmupErrors = failures.length;
    const cycles: CycleResult['cycles'] = [];
    const MiB = 1048576;
    const peak = { heapUsedMiB: 0, heapTotalMiB: 0, externalMiB: 0, rssMiB: 0 };
    const sample = (): void => {
      const m = process.memoryUsage();
      peak.heapUsedMiB = Math.max(peak.heapUsedMiB, m.heapUsed / MiB);
      peak.heapTotalMiB = Math.max(peak.heapTotalMiB, m.heapTotal / MiB);
      peak.externalMiB = Math.max(peak.externalMiB, (m.external + m.arrayBuffers) / MiB);
      peak.rssMiB = Math.max(peak.rssMiB, m.rss / MiB);
    };
    const sampler = setInterval(sample, 10);
    for (let i = 0; i < a.cycles; i++) {
      // A short pause between cycles, as between polls (lets the sessions of the last one end).
      await new Promise((r) => setTimeout(r, 300));
      const h0 = hostCpuMs();
      c0 = process.cpuUsage();
      t0 = performance.now();
      await all();
      const wallMs = performance.now() - t0;
      const u = process.cpuUsage(c0);
      cycles.push({ wallMs, cpuUserMs: u.user / 1000, cpuSystemMs: u.system / 1000, rssMiB: process.memoryUsage().rss / 1048576, hostCpuMs: hostCpuMs() - h0 });
    }
    clearInterval(sampler);
    sample();
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    const snaps = collector.snapshots();
    const stats = collector.stats();
    let retained: CycleResult['retained'] = null;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      const m = process.memoryUsage();
      retained = { rssMiB: m.rss / MiB, heapUsedMiB: m.heapUsed / MiB, heapTotalMiB: m.heapTotal / MiB, externalMiB: (m.external + m.arrayBuffers) / MiB };
    }
    let heapSnapshot: string | undefined;
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      const dir = path.join(process.cwd(), 'bench', '.work', 'profiles');
      mkdirSync(dir, { recursive: true });
      heapSnapshot = v8.writeHeapSnapshot(path.join(dir, `cycle-N${stats.length}-${process.pid}.heapsnapshot`));
    }
    return {
      cold,
      warmupCycles,
      cycles,
      maxRssMiB,
      retained,
      peak,
      ...(heapSnapshot ? { heapSnapshot } : {}),
      directors: stats.length,
      services: snaps.reduce((n, s) => n + s.services.length, 0),
      realServers: snaps.reduce((n, s) => n + s.services.reduce((m, x) => m + x.realServers.length, 0), 0),
      warmupErrors,
      errors: failures.length - warmupErrors,
      errorSamples: [...new Set(failures.map((f) => f.replace(/ \(127\.0\.0\.1:\d+\)/, '')))].slice(0, 3),
    };
  } finally {
    await refresher.close();
  }
}

export interface LoopsResult {
  seconds: number;
  pollIntervalMs: number;
  slow: string | null;
  /** Per director: completed refreshes, median and max gap between completions (ms), errors. */
  directors: Array<{ name: string; refreshes: number; medianGapMs: number | null; maxGapMs: number | null; errors: number }>;
}

/**
 * loops JSON = { configPath, seconds, slow }: the Collector as it runs in the console (one loop per
 * director, started, not driven), for `seconds` after a warm-up; `slow` names the director whose
 * replay answers with added latency (set by the parent through its "latency" file).
 */
async function loops(a: { configPath: string; seconds: number; slow: string | null; warmupSeconds: number }): Promise<LoopsResult> {
  const config = loadConfigFile(a.configPath);
  const refresher = createDirectorRefresher(config);
  const done = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let measuring = false;
  const collector = new Collector({
    clusters: config.clusters,
    pollIntervalMs: config.pollIntervalMs,
    refresh: async (c, d, previous) => {
      try {
        const r = await refresher.refresh(c, d, previous);
        if (measuring) done.set(d.name, [...(done.get(d.name) ?? []), performance.now()]);
        return r;
      } catch (e) {
        if (measuring) errors.set(d.name, (errors.get(d.name) ?? 0) + 1);
        throw e;
      }
    },
    describeError: describeRefreshError,
  });
  collector.start();
  try {
    await new Promise((r) => setTimeout(r, a.warmupSeconds * 1000));
    measuring = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, a.seconds * 1000));
    measuring = false;
    const names = config.clusters.flatMap((c) => c.directors.map((d) => d.name));
    return {
      seconds: a.seconds,
      pollIntervalMs: config.pollIntervalMs,
      slow: a.slow,
      directors: names.map((name) => {
        const times = [t0, ...(done.get(name) ?? [])];
        const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t)).sort((x, y) => x - y);
        return {
          name,
          refreshes: times.length - 1,
          medianGapMs: gaps.length ? (gaps[Math.floor(gaps.length / 2)] ?? null) : null,
          maxGapMs: gaps.length ? (gaps[gaps.length - 1] ?? null) : null,
          errors: errors.get(name) ?? 0,
        };
      }),
    };
  } finally {
    collector.stop();
    await refresher.close();
  }
}

async function main(): Promise<void> {
  const [mode, json] = process.argv.slice(2);
  const args: unknown = JSON.parse(json ?? '{}');
  let out: SingleResult | CycleResult | NoopResult | LoopsResult;
  if (mode === 'single') out = await single(args as Parameters<typeof single>[0]);
  else if (mode === 'cycle') out = await cycle(args as Parameters<typeof cycle>[0]);
  else if (mode === 'loops') out = await loops(args as Parameters<typeof loops>[0]);
  else if (mode === 'noop') out = { maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  else throw new Error(`unknown mode ${mode}`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`refresh-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
