// Bench: the console's production server and its cluster page at size, against a REPLAYED fleet of
// 2 directors (one cluster, fleet-01) × 1,000 services × 20 real servers (bench/fleet/fleet.ts:
// real OpenSSH sshd on 127.0.0.1 printing generated outputs; not real directors).
//
//   1. As shipped (the collector polls every 2 s):
//      Browser (Playwright + Debian's Chromium), on the fresh server: /clusters/fleet-01 from
//        navigation start to the first real-server row visible (first useful paint), to the filter
//        taking a keystroke and the table updating (interactive), the filter's keystroke-to-update
//        (median of 5), and the gzip size of the JS the page loaded (gzipped here with zlib).
//      API: GET /api/clusters and GET /api/clusters/fleet-01 under CLIENTS concurrent keep-alive
//        clients for LOAD_SECONDS each (Node's fetch, in this process): p50/p95/p99, throughput.
//      RSS: VmRSS / VmHWM of the next-server process (the started `next start` or its child).
//   2. Diagnostic, same fleet, the collector polling once a minute: one API read on an idle server
//      and the same browser figures, to separate the page's own cost from a busy server.
//   Baselines: the operator's view of the same table, a new `ssh director ipvsadm -Ln` (and
//   `… | grep` for the filter); React + ReactDOM's own gzip size for the JS.
//
// Needs a production build: if .next/BUILD_ID is missing it runs `npm run build` once (timed).
// Stops everything it started (the server by its pid and the pids of its children, the fleet).
//
// Standalone: npx tsx bench/api.bench.ts [workDir]
import '../bin/server-only-shim';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { stringify } from 'yaml';
import { hashPassword } from '../server/auth/password';
import { descendantPids, freePort } from '../server/ssh/test-sshd';
import { startFleet, type Fleet } from './fleet/fleet';
import { CHROMIUM, CHROMIUM_ARGS, pct, runIfMain } from './standalone';
import { type BenchContext, type BenchRow } from './types';

// Every page and API read needs a login: the bench logs in once per server as a viewer and sends
// the session cookie with every request (the browser gets the same cookies).
const BENCH_USER = { name: 'bench-viewer', password: 'bench-viewer-password-5821', role: 'viewer' as const };
let authCookies: { name: string; value: string }[] = [];
function authHeaders(): Record<string, string> {
  return authCookies.length ? { cookie: authCookies.map((c) => `${c.name}=${c.value}`).join('; ') } : {};
}

async function login(base: string): Promise<void> {
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ name: BENCH_USER.name, password: BENCH_USER.password }),
    signal: AbortSignal.timeout(30_000),
  });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`bench login refused: HTTP ${r.status}`);
  authCookies = r.headers.getSetCookie().map((c) => {
    const [pair = ''] = c.split(';');
    const i = pair.indexOf('=');
    return { name: pair.slice(0, i), value: pair.slice(i + 1) };
  });
}

/** The fleet's config plus the bench's viewer account (rewritten in place). */
/** A parsed configuration as a file says it: without the `cluster` the schema stamps on each director. */
function fileForm(config: Fleet['config']): unknown {
  return { ...config, clusters: config.clusters.map((c) => ({ ...c, directors: c.directors.map(({ cluster: _stamped, ...d }) => d) })) };
}

async function withBenchUser(fleet: Fleet): Promise<Fleet> {
  const users = [{ name: BENCH_USER.name, role: BENCH_USER.role, passwordHash: await hashPassword(BENCH_USER.password) }];
  const config = { ...fleet.config, auth: { ...fleet.config.auth, users } };
  writeFileSync(fleet.configPath, `# REPLAYED director fleet (bench/fleet), with the bench's viewer account\n${stringify(fileForm(config))}`);
  return { ...fleet, config };
}

const SERVICES = 1000;
const REAL_SERVERS = 20;
const CLIENTS = 20;
const LOAD_SECONDS = 10;
const NAVIGATIONS = 3;
const KEYSTROKES = 5;
/** The diagnostic run's poll interval: the collector barely runs, so the server only answers requests. */
const DIAG_POLL_MS = 60_000;
const ROW_TIMEOUT_MS = 60_000;

// ------------------------------------------------------------------------------------- helpers

const median = (xs: readonly number[]): number => pct(xs, 50);
const r1 = (x: number): number => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** A /proc/<pid>/status field in KiB (VmRSS, VmHWM), NaN when gone. */
function vm(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

async function ensureBuild(ctx: BenchContext): Promise<{ built: boolean; ms: number }> {
  if (existsSync(path.join(ctx.root, '.next', 'BUILD_ID'))) return { built: false, ms: 0 };
  ctx.log('no .next/BUILD_ID: running `npm run build` once');
  const t0 = performance.now();
  const log = path.join(ctx.workDir, 'api-build.log');
  const code = await new Promise<number>((resolve, reject) => {
    const out = createWriteStream(log);
    const c = spawn('npm', ['run', 'build'], { cwd: ctx.root, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.pipe(out);
    c.stderr.pipe(out);
    c.on('error', reject);
    c.on('close', (rc) => resolve(rc ?? -1));
  });
  if (code !== 0) throw new Error(`npm run build exited ${code}: ${readFileSync(log, 'utf8').trim().split('\n').slice(-8).join(' | ')}`);
  return { built: true, ms: performance.now() - t0 };
}

interface Server {
  base: string;
  /** The next-server process (whose RSS is reported). */
  pid: number;
  started: ChildProcess;
  firstRssKiB: number;
  stop: () => Promise<void>;
}

async function startServer(ctx: BenchContext, fleet: Fleet): Promise<Server> {
  const port = fleet.config.listen.port;
  const base = `http://127.0.0.1:${port}`;
  const nextBin = path.join(ctx.root, 'node_modules', 'next', 'dist', 'bin', 'next');
  const logFile = path.join(ctx.workDir, 'api-server.log');
  const out = createWriteStream(logFile);
  const started = spawn(process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: ctx.root,
    env: { ...process.env, LVS_CONSOLE_CONFIG: fleet.configPath, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.stdout?.pipe(out);
  started.stderr?.pipe(out);
  const startedPid = started.pid ?? -1;
  let exited = false;
  const exitedP = new Promise<void>((r) => started.once('exit', () => ((exited = true), r())));
  const known = new Set<number>();
  const stop = async (): Promise<void> => {
    for (const p of descendantPids(startedPid)) known.add(p);
    if (!exited) started.kill('SIGTERM');
    await Promise.race([exitedP, sleep(10_000)]);
    if (!exited) started.kill('SIGKILL');
    // Children of ours that outlived it (only if still the same program).
    for (const p of known) {
      if (cmdline(p).includes('next')) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  };
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (exited) throw new Error(`next start exited: ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ')}`);
      try {
        const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) });
        await r.arrayBuffer();
        if (r.ok) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error('the server did not answer /api/health within 120 s');
      await sleep(200);
    }
    const all = [startedPid, ...descendantPids(startedPid)];
    all.forEach((p) => known.add(p));
    const pid = all.find((p) => cmdline(p).startsWith('next-server')) ?? startedPid;
    await login(base);
    return { base, pid, started, firstRssKiB: vm(pid, 'VmRSS'), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Wait until the cluster's snapshot has every service and every director live (and, with
 * `checkers`, keepalived's checker verdicts: the generated fleet has real servers that are down).
 */
async function waitForSnapshot(base: string, cluster: string, checkers = false): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/api/clusters/${cluster}`, { headers: authHeaders(), signal: AbortSignal.timeout(60_000) });
      const text = await r.text();
      const s = JSON.parse(text) as { services?: unknown[]; directors?: Array<{ live?: boolean }> };
      const full = r.ok && s.services?.length === SERVICES && (s.directors ?? []).every((d) => d.live === true);
      if (full && (!checkers || text.includes('"health":"down"'))) return { ms: performance.now() - t0, bytes: Buffer.byteLength(text) };
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`no snapshot with ${SERVICES} services within 300 s`);
    await sleep(500);
  }
}

interface Load {
  latencies: number[];
  errors: number;
  bytes: number;
  seconds: number;
}

/** `clients` keep-alive clients, each requesting `url` back to back for `seconds`. */
async function load(url: string, clients: number, seconds: number): Promise<Load> {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const r = await fetch(url, { headers: authHeaders(), signal: AbortSignal.timeout(120_000) });
          const b = await r.arrayBuffer();
          if (!r.ok) errors++;
          else {
            latencies.push(performance.now() - s);
            bytes = b.byteLength;
          }
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, bytes, seconds: (performance.now() - t0) / 1000 };
}

function sshOnce(fleet: Fleet, port: number, command: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const c = spawn('ssh', [...fleet.sshArgs(port), ...command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`ssh exited ${code}: ${err}`))));
  });
}

/** A copy of the fleet's config with another poll interval, port and state dir. */
function variantConfig(fleet: Fleet, file: string, pollIntervalMs: number, port: number, stateDir: string): Fleet {
  const config = { ...fleet.config, pollIntervalMs, listen: { ...fleet.config.listen, port }, stateDir };
  writeFileSync(file, `# REPLAYED director fleet (bench/fleet), diagnostic variant: the collector polls every ${pollIntervalMs} ms\n${stringify(fileForm(config))}`);
  return { ...fleet, config, configPath: file };
}

// ------------------------------------------------------------------------------------- browser

interface PageProbe {
  firstRow: number | null;
  changes: Array<{ t: number; paint: number; v: string | null }>;
  keys: number[];
}

/**
 * Installed before any page script: times the first visible real-server row (polled every frame),
 * every change of the shown-services count (at the frame that shows it) and every keydown. Plain
 * JS text, not a function: tsx's transform would add helpers the page does not have.
 */
const PROBE_SCRIPT = `
(() => {
  const w = window;
  w.__lvs = { firstRow: null, changes: [], keys: [] };
  const check = () => {
    const el = document.querySelector('[data-testid="real-server-row"]');
    if (el && el.getBoundingClientRect().height > 0) { w.__lvs.firstRow = performance.now(); return; }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
  document.addEventListener('keydown', () => w.__lvs.keys.push(performance.now()), true);
  new MutationObserver((list) => {
    for (const m of list) {
      if (m.attributeName !== 'data-services') continue;
      const v = m.target.getAttribute('data-services');
      const t = performance.now();
      requestAnimationFrame(() => w.__lvs.changes.push({ t, paint: performance.now(), v }));
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-services'] });
})();
`;

async function probe(page: Page): Promise<PageProbe> {
  return await page.evaluate(() => (window as unknown as { __lvs: PageProbe }).__lvs);
}

async function shownServices(page: Page): Promise<string | null> {
  return await page.getByTestId('services-count').getAttribute('data-services');
}

/** Wait until the deferred filter has settled (table not busy, no count change for 300 ms). */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="services-table"]')?.getAttribute('aria-busy') !== 'true', undefined, { timeout: 30_000 });
  let n = (await probe(page)).changes.length;
  for (;;) {
    await sleep(300);
    const m = (await probe(page)).changes.length;
    if (m === n) return;
    n = m;
  }
}

interface BrowserResult {
  firstPaint: number[];
  commits: number[];
  interactive: number;
  keystroke: number[];
  jsGzipBytes: number;
  jsRawBytes: number;
  jsFiles: number;
  /** Why a figure is missing, when one is. */
  problems: string[];
  /** First navigation: commit, the page's snapshot request, first row (s since navigation start). */
  timeline: string;
}

/** Wait until the server answers /api/health within 100 ms twice in a row (at most maxMs). */
async function quiesce(base: string, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let fast = 0;
  while (fast < 2 && performance.now() - t0 < maxMs) {
    const s = performance.now();
    try {
      const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(maxMs) });
      await r.arrayBuffer();
      fast = performance.now() - s < 100 ? fast + 1 : 0;
    } catch {
      fast = 0;
    }
    await sleep(500);
  }
  return performance.now() - t0;
}

async function browserMetrics(ctx: BenchContext, url: string, apiPath: string, navigations: number, base: string | null): Promise<BrowserResult> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  try {
    const firstPaint: number[] = [];
    /** Navigation start → commit (the HTML's first bytes), per navigation: the server's share. */
    const commits: number[] = [];
    let interactive = NaN;
    const keystroke: number[] = [];
    const scripts = new Map<string, Buffer>();
    let timeline = '';
    for (let nav = 0; nav < navigations; nav++) {
      // The previous page's requests (each sparkline's history read) may still be running.
      if (base !== null) {
        const waited = await quiesce(base, 120_000);
        if (waited > 2000) ctx.log(`browser: waited ${Math.round(waited / 1000)} s for the server to go idle before navigation ${nav + 1}`);
      }
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addCookies(authCookies.map((c) => ({ ...c, url: new URL(url).origin })));
      const page = await context.newPage();
      await page.addInitScript({ content: PROBE_SCRIPT });
      // A figure from a page that broke (a hydration mismatch, an uncaught error) is no figure.
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`navigation ${nav + 1}: console error: ${m.text().slice(0, 300)} (${m.location().url})`);
      });
      page.on('pageerror', (e) => problems.push(`navigation ${nav + 1}: page error: ${e.message.slice(0, 300)}`));
      const pending: Array<Promise<void>> = [];
      // The page's own snapshot requests: start → end (or failure), seconds since navigation.
      const t0 = Date.now();
      const api: string[] = [];
      const started = new Map<unknown, number>();
      // The full snapshot, and (a large cluster) its first screen `?services=N` preloaded beside it.
      const label = (u: string) => (new URL(u).searchParams.has('services') ? 'first screen ' : '');
      page.on('request', (req) => {
        if (new URL(req.url()).pathname.endsWith(apiPath)) started.set(req, Date.now());
      });
      page.on('requestfinished', (req) => {
        const s = started.get(req);
        if (s !== undefined) api.push(`${label(req.url())}${((s - t0) / 1000).toFixed(1)}→${((Date.now() - t0) / 1000).toFixed(1)} s`);
      });
      page.on('requestfailed', (req) => {
        const s = started.get(req);
        if (s !== undefined) api.push(`${((s - t0) / 1000).toFixed(1)}→failed ${((Date.now() - t0) / 1000).toFixed(1)} s (${req.failure()?.errorText ?? '?'})`);
      });
      if (nav === 0) {
        page.on('response', (resp) => {
          if (resp.request().resourceType() !== 'script') return;
          pending.push(
            resp.body().then(
              (b) => void scripts.set(resp.url(), b),
              () => undefined,
            ),
          );
        });
      }
      // BENCH_API_PROFILE=file.cpuprofile: a CPU profile of the first navigation up to the first row
      // (with BENCH_API_PROFILE_UNTIL=interactive: up to the first keystroke the table answered).
      const profileTo = nav === 0 ? process.env.BENCH_API_PROFILE : undefined;
      const profileUntilInteractive = process.env.BENCH_API_PROFILE_UNTIL === 'interactive';
      const stopProfile = async () => {
        if (!cdp || !profileTo) return;
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(`${profileTo}${base === null ? '' : `-${new URL(base).port}`}.cpuprofile`, JSON.stringify(profile));
      };
      const cdp = profileTo ? await context.newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      // One budget from navigation start to the first row.
      const committed = await page
        .goto(url, { waitUntil: 'commit', timeout: ROW_TIMEOUT_MS })
        .then(() => true)
        .catch(() => false);
      const commitS = ((Date.now() - t0) / 1000).toFixed(1);
      if (committed) commits.push(Date.now() - t0);
      const shown =
        committed &&
        (await page
          .getByTestId('real-server-row')
          .first()
          .waitFor({ state: 'visible', timeout: Math.max(1000, ROW_TIMEOUT_MS - (Date.now() - t0)) })
          .then(() => true)
          .catch(() => false));
      if (!committed) {
        problems.push(`the page itself did not arrive within ${ROW_TIMEOUT_MS / 1000} s (navigation not committed)`);
        await context.close();
        break;
      }
      if (!shown) {
        await Promise.all(pending);
        const state = (await page.getByTestId('error-state').count()) > 0 ? 'an error state' : 'the loading skeleton';
        problems.push(`no real-server row within ${ROW_TIMEOUT_MS / 1000} s: the page showed ${state}; its snapshot requests: ${api.join(', ') || 'none finished'}`);
        await context.close();
        break;
      }
      await page.waitForFunction(() => (window as unknown as { __lvs: PageProbe }).__lvs.firstRow !== null, undefined, { timeout: 10_000 });
      firstPaint.push((await probe(page)).firstRow ?? NaN);
      if (!profileUntilInteractive) await stopProfile();
      if (nav === 0) timeline = `commit ${commitS} s, snapshot request(s) ${api.join(' + ') || '?'}, first row ${((Date.now() - t0) / 1000).toFixed(1)} s`;
      if (nav === 0) {
        // Interactive: a keystroke in the filter that the table answers ("z" matches nothing).
        const input = page.getByLabel('Filter services and real servers');
        // Only once every service is in (the first screen shows the first few, filter disabled).
        await page.waitForFunction(() => document.querySelector('[data-testid="services-count"]')?.hasAttribute('data-loading-total') === false, undefined, { timeout: ROW_TIMEOUT_MS });
        const full = await shownServices(page);
        for (let attempt = 0; attempt < 10 && Number.isNaN(interactive); attempt++) {
          const n = (await probe(page)).changes.length;
          await input.press('z');
          await page
            .waitForFunction((k) => (window as unknown as { __lvs: PageProbe }).__lvs.changes.length > k, n, { timeout: 3000 })
            .catch(() => undefined);
          const p = await probe(page);
          const hit = p.changes.slice(n).find((c) => c.v !== full);
          if (hit) interactive = hit.paint;
          else await input.fill('');
        }
        if (Number.isNaN(interactive)) problems.push('the filter never changed the shown count in 10 tries');
        if (profileUntilInteractive) await stopProfile();
        // Keystroke to update: type a real-server fragment, then time the last key.
        const fragments: Array<[string, string]> = [
          ['198.51.100.1', '7'],
          ['203.0.113.2', '4'],
          ['198.51.100.2', '3'],
          ['203.0.113.1', '5'],
          ['198.51.100.9', '1'],
        ];
        for (const [prefix, last] of fragments.slice(0, KEYSTROKES)) {
          await input.fill(prefix);
          await settle(page);
          const before = await shownServices(page);
          const p0 = await probe(page);
          await input.press(last);
          const ok = await page
            .waitForFunction(
              ([k, b]) => (window as unknown as { __lvs: PageProbe }).__lvs.changes.slice(k).some((c) => c.v !== b),
              [p0.changes.length, before] as const,
              { timeout: 10_000 },
            )
            .then(() => true)
            .catch(() => false);
          const p1 = await probe(page);
          const key = p1.keys[p0.keys.length];
          const hit = p1.changes.slice(p0.changes.length).find((c) => c.v !== before);
          if (ok && key !== undefined && hit) keystroke.push(hit.paint - key);
          else problems.push(`keystroke "${prefix}${last}": the shown count did not change from ${before}`);
        }
        await Promise.all(pending);
      }
      await context.close();
    }
    let gz = 0;
    let raw = 0;
    for (const b of scripts.values()) {
      gz += gzipSync(b).length;
      raw += b.length;
    }
    for (const p of problems) ctx.log(`browser: ${p}`);
    return { firstPaint, commits, interactive, keystroke, jsGzipBytes: gz, jsRawBytes: raw, jsFiles: scripts.size, problems, timeline };
  } finally {
    await browser.close();
  }
}

/** gzip of React + ReactDOM's client production builds: the framework's own floor. */
function frameworkFloorKiB(root: string): number {
  const files = ['react/cjs/react.production.js', 'react-dom/cjs/react-dom-client.production.js', 'scheduler/cjs/scheduler.production.js'];
  return (
    files.reduce((n, f) => {
      const p = path.join(root, 'node_modules', f);
      return existsSync(p) ? n + gzipSync(readFileSync(p)).length : n;
    }, 0) / 1024
  );
}

function browserRows(
  b: BrowserResult,
  cluster: string,
  label: string,
  snapshotBytes: number,
  sshBase: BenchRow['baseline'],
  grepBase: BenchRow['baseline'],
  judge: boolean,
): BenchRow[] {
  const fup = median(b.firstPaint);
  const problems = b.problems.length > 0 ? `; ${b.problems.join('; ')}` : '';
  return [
    {
      group: 'browser',
      name: `/clusters/${cluster} (${SERVICES} svc × ${REAL_SERVERS} rs)${label}: first useful paint (nav start → first real-server row visible)`,
      value: Math.round(fup),
      unit: 'ms',
      baseline: sshBase,
      ...(judge ? { target: '< 1.5 s', met: fup < 1500 } : {}),
      note:
        `median of ${b.firstPaint.length} fresh context(s) (${b.firstPaint.map((x) => Math.round(x)).join('/') || 'none'} ms; HTML committed at ${b.commits.map((x) => Math.round(x)).join('/') || 'none'} ms); the snapshot JSON is ${Math.round(snapshotBytes / 1024)} KiB` +
        `${b.timeline ? `; first navigation: ${b.timeline}` : ''}${problems}`,
    },
    {
      group: 'browser',
      name: `/clusters/${cluster}${label}: time to interactive (filter takes a key, table updates)`,
      value: Math.round(b.interactive),
      unit: 'ms',
      baseline: sshBase,
      ...(judge ? { target: '< 2 s (issue #20)', met: b.interactive < 2000 } : {}),
      note: 'nav start → the frame showing the filtered count after the first accepted keystroke, first navigation',
    },
    {
      group: 'browser',
      name: `/clusters/${cluster}${label}: filter keystroke → table updated (median of ${b.keystroke.length})`,
      value: r1(median(b.keystroke)),
      unit: 'ms',
      baseline: grepBase,
      ...(judge ? { target: '< 100 ms', met: b.keystroke.length > 0 && median(b.keystroke) < 100 } : {}),
      note: `keydown → the frame after the shown count changed; all: ${b.keystroke.map((x) => Math.round(x)).join('/') || 'none'} ms`,
    },
  ];
}

// ------------------------------------------------------------------------------------- run

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  mkdirSync(ctx.workDir, { recursive: true });
  const rows: BenchRow[] = [];
  const build = await ensureBuild(ctx);
  const stateDir = path.join(ctx.workDir, `api-state-${process.pid}`);
  const diagConfig = path.join(ctx.workDir, `api-diag-${process.pid}.yaml`);
  ctx.log(`starting 2 REPLAYED directors × ${SERVICES} services × ${REAL_SERVERS} real servers`);
  const fleet = await withBenchUser(await startFleet({ n: 2, services: SERVICES, realServers: REAL_SERVERS, workDir: ctx.workDir, listenPort: await freePort(), stateDir, log: ctx.log }));
  let server: Server | null = null;
  try {
    const cluster = fleet.clusters[0] ?? 'fleet-01';
    const d0 = fleet.directors[0];
    if (!d0) throw new Error('no director');

    ctx.log('baselines: new ssh ipvsadm -Ln (×5) and ssh "ipvsadm -Ln | grep" on the replayed master');
    const sshTimes: number[] = [];
    for (let i = 0; i < 5; i++) sshTimes.push(await sshOnce(fleet, d0.port, ['ipvsadm', '-Ln']));
    const sshBase = { name: 'new `ssh director ipvsadm -Ln` p50 (operator view)', value: r1(median(sshTimes)), unit: 'ms' };
    const grepBase = { name: 'new `ssh director "ipvsadm -Ln | grep FRAG"`', value: r1(await sshOnce(fleet, d0.port, ['ipvsadm -Ln | grep -F 198.51.100.17 >/dev/null'])), unit: 'ms' };

    // 1. The configuration as shipped (the collector polls every 2 s).
    const t0 = performance.now();
    server = await startServer(ctx, fleet);
    const srv = server;
    ctx.log(`server up (next-server pid ${srv.pid}, poll ${fleet.config.pollIntervalMs} ms); waiting for a snapshot of ${SERVICES} services`);
    const ready = await waitForSnapshot(srv.base, cluster);
    const readyMs = performance.now() - t0;
    // Let the keepalived dump be read (the refresh after the first asks for it) before measuring.
    await sleep(5000);

    // Fresh contexts one after another, without waiting for the server to go idle: it never does in
    // this configuration (see the diagnostic run). A single navigation varied by a second run to run.
    ctx.log(`browser: ${NAVIGATIONS} navigations to /clusters/${cluster}`);
    const b = await browserMetrics(ctx, `${srv.base}/clusters/${cluster}`, `/api/clusters/${cluster}`, NAVIGATIONS, null);
    rows.push(...browserRows(b, cluster, '', ready.bytes, sshBase, grepBase, true));

    // Let the page's leftover requests (its sparklines' history reads) drain first.
    const drainMs = await quiesce(srv.base, 120_000);
    ctx.log(`load: ${CLIENTS} clients on /api/health (${LOAD_SECONDS / 2} s), /api/clusters and /api/clusters/${cluster} (${LOAD_SECONDS} s each)`);
    const health = await load(`${srv.base}/api/health`, CLIENTS, LOAD_SECONDS / 2);
    const list = await load(`${srv.base}/api/clusters`, CLIENTS, LOAD_SECONDS);
    const detail = await load(`${srv.base}/api/clusters/${cluster}`, CLIENTS, LOAD_SECONDS);
    // The page's own read: the same snapshot with real servers as rows (lib/models/compact-snapshot.ts).
    const detailRows = await load(`${srv.base}/api/clusters/${cluster}?form=rows`, CLIENTS, LOAD_SECONDS);
    const endRss = { rss: vm(srv.pid, 'VmRSS'), hwm: vm(srv.pid, 'VmHWM') };
    const floor =
      `the server's floor, GET /api/health under the same load: p50 ${r1(pct(health.latencies, 50))} ms, p99 ${r1(pct(health.latencies, 99))} ms (${health.errors} errors); ` +
      `started after waiting ${Math.round(drainMs / 1000)} s for the browser's requests to drain`;
    for (const [what, l] of [
      ['GET /api/clusters', list],
      [`GET /api/clusters/${cluster}`, detail],
      [`GET /api/clusters/${cluster}?form=rows (the page's form)`, detailRows],
    ] as const) {
      for (const p of [50, 95, 99]) {
        rows.push({
          group: 'api',
          name: `${what} (2 replayed directors × ${SERVICES} svc × ${REAL_SERVERS} rs), ${CLIENTS} clients: p${p}`,
          value: r1(pct(l.latencies, p)),
          unit: 'ms',
          baseline: sshBase,
          // issue #20: the cluster's detail under 20 clients, p50 < 1 s and p99 < 2 s
          ...(what !== 'GET /api/clusters' && p !== 95 ? { target: p === 50 ? '< 1 s' : '< 2 s', met: l.latencies.length > 0 && l.errors === 0 && pct(l.latencies, p) < (p === 50 ? 1000 : 2000) } : {}),
          note:
            p === 50
              ? `${l.latencies.length} responses in ${r1(l.seconds)} s (${r1(l.latencies.length / l.seconds)}/s; requests start during the first ${LOAD_SECONDS} s), ${l.errors} errors, ${Math.round(l.bytes / 1024)} KiB each; ${floor}`
              : undefined,
        });
      }
    }
    rows.push({
      group: 'api',
      name: 'next-server RSS after the browser and API load runs',
      value: r1(endRss.rss / 1024),
      unit: 'MiB',
      baseline: { name: 'next-server RSS when /api/health first answered', value: r1(srv.firstRssKiB / 1024), unit: 'MiB' },
      target: '<= 400 MiB',
      met: endRss.rss / 1024 <= 400,
      note:
        `peak (VmHWM) ${r1(endRss.hwm / 1024)} MiB; pid ${srv.pid} (${cmdline(srv.pid).trim().slice(0, 40)}); ` +
        `snapshot with ${SERVICES} services ${Math.round(readyMs / 1000)} s after start${build.built ? `; built first: npm run build took ${Math.round(build.ms / 1000)} s` : ''}`,
    });
    await srv.stop();
    server = null;

    // 2. Diagnostic: the same fleet with the collector polling once a minute, so the server is not
    //    busy merging between requests: what the page and one read cost on their own.
    const diag = variantConfig(fleet, diagConfig, DIAG_POLL_MS, await freePort(), `${stateDir}-diag`);
    server = await startServer(ctx, diag);
    const srv2 = server;
    ctx.log(`diagnostic server up (poll ${DIAG_POLL_MS} ms); waiting for the snapshot with keepalived's checkers (its second refresh)`);
    const ready2 = await waitForSnapshot(srv2.base, cluster, true);
    const single: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s0 = performance.now();
      const r = await fetch(`${srv2.base}/api/clusters/${cluster}`, { headers: authHeaders(), signal: AbortSignal.timeout(120_000) });
      await r.arrayBuffer();
      single.push(performance.now() - s0);
    }
    rows.push({
      group: 'api',
      name: `GET /api/clusters/${cluster}, one client, idle server (diagnostic: collector polls every ${DIAG_POLL_MS / 1000} s)`,
      value: r1(median(single)),
      unit: 'ms',
      baseline: sshBase,
      note:
        `median of 5 sequential requests (${single.map((x) => Math.round(x)).join('/')} ms), ${Math.round(ready2.bytes / 1024)} KiB each; ` +
        'a read re-merges only when a director reported since (Collector.snapshot) and re-serialises only a new merge (server/api/read/clusters.ts)',
    });
    ctx.log(`diagnostic browser: up to ${NAVIGATIONS} navigations`);
    const b2 = await browserMetrics(ctx, `${srv2.base}/clusters/${cluster}`, `/api/clusters/${cluster}`, NAVIGATIONS, srv2.base);
    rows.push(...browserRows(b2, cluster, ` (diagnostic: collector polls every ${DIAG_POLL_MS / 1000} s)`, ready2.bytes, sshBase, grepBase, false));
    const js = b2.jsFiles > 0 && b2.firstPaint.length > 0 ? b2 : b;
    rows.push({
      group: 'browser',
      name: `/clusters/${cluster}: JS shipped (gzip)`,
      value: r1(js.jsGzipBytes / 1024),
      unit: 'KiB',
      baseline: { name: 'React + ReactDOM client production, gzip (framework floor)', value: r1(frameworkFloorKiB(ctx.root)), unit: 'KiB' },
      target: '< 250 KB gzip',
      met: js.jsGzipBytes < 250_000,
      note:
        `${js.jsFiles} script responses of the first navigation` +
        `${js === b2 ? ' (diagnostic run, table rendered)' : ' (the table never rendered: chunks loaded later, if any, are not counted)'}, ` +
        `${Math.round(js.jsRawBytes / 1024)} KiB raw, gzipped here with zlib's default level`,
    });
  } finally {
    await server?.stop();
    await fleet.stop();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(`${stateDir}-diag`, { recursive: true, force: true });
    rmSync(diagConfig, { force: true });
  }
  return rows;
}

// Standalone: npx tsx bench/api.bench.ts [workDir]
runIfMain(import.meta.url, run, { needsLab: true });
