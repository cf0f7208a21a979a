// Bench (#5): from the drain API call to weight 0 verified on both lab directors, p50/p95, beside the
// bare minimum by hand: the same `sudo -n ipvsadm -e … -w 0` plus `ipvsadm -Ln --exact -t …` re-read,
// in ONE ssh exec per director, both directors in parallel, over already-open OpenSSH ControlMaster
// connections. The lab is emulated (TCG), so the ratio is the figure. Target: the console adds <= 20%.
//
// The console side is the real route handler (POST /api/clusters/lab/drain) called in process with a
// logged-in operator's session: authentication, CSRF, zod, planning from the live snapshot, SQLite
// intent, both directors over the console's pooled ssh2 connections, verification, audit. The
// runtime's collector polls the lab as in production meanwhile (the same load a real drain meets).
// Each drain is undone (restore, not timed) before the next; runs alternate console / by hand.
//
// Standalone: npx tsx bench/drain.bench.ts
import '../bin/server-only-shim';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { pct } from './standalone';
import type { BenchContext, BenchRow } from './types';

const RUNS = 10;
const SVC = '192.0.2.100:80';
const RS = '192.0.2.11:80';
const PASSWORD = 'bench-operator-password';

const r1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sshArgs(root: string, control: string, dir: 'dir1' | 'dir2'): string[] {
  return ['-F', path.join(root, 'lab', '.state', 'ssh_config'), '-l', 'lvsconsole', '-o', `ControlPath=${control}-${dir}`, '-o', 'ControlMaster=auto', '-o', 'ControlPersist=120', dir];
}

function sshRun(args: string[], command: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ssh', [...args, command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function weightIn(listing: string): number | null {
  const line = listing.split('\n').find((l) => l.includes(`-> ${RS} `));
  return line ? Number(line.trim().split(/\s+/)[3]) : null;
}

/** The bare minimum: one ssh exec per director (set + re-read), both in parallel, over open masters. */
async function byHand(root: string, control: string, w: number): Promise<number> {
  const cmd = `sudo -n ipvsadm -e -t ${SVC} -r ${RS} -g -w ${w}; sudo -n ipvsadm -Ln --exact -t ${SVC}`;
  const t = performance.now();
  const rs = await Promise.all((['dir1', 'dir2'] as const).map((d) => sshRun(sshArgs(root, control, d), cmd)));
  const ms = performance.now() - t;
  for (const r of rs) if (weightIn(r.out) !== w) throw new Error(`by hand: weight not ${w} after the edit: ${r.out.slice(0, 300)}`);
  return ms;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  if (!ctx.labUp) return [{ group: 'drain', name: 'drain -> verified weight 0 on both directors', value: NaN, unit: 'ms', note: 'lab not running: skipped' }];
  const control = path.join(ctx.workDir, 'cm');
  // A console configuration: the lab's, with its own state directory and one operator account.
  const { hashPassword } = await import('../server/auth/password');
  const labCfg = parse(fs.readFileSync(path.join(ctx.root, 'lab', '.state', 'console.yaml'), 'utf8')) as Record<string, unknown>;
  const dir = fs.mkdtempSync(path.join(ctx.workDir, 'drain-'));
  const cfg = {
    ...labCfg,
    stateDir: path.join(dir, 'state'),
    auth: { users: [{ name: 'bench', role: 'operator', passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) }] },
  };
  const file = path.join(dir, 'console.yaml');
  fs.writeFileSync(file, stringify(cfg));
  process.env.LVS_CONSOLE_CONFIG = file;

  const { request, cookiesFrom } = await import('../server/testing/console-env');
  const login = await import('../app/api/auth/login/route');
  const drainRoute = await import('../app/api/clusters/[cluster]/drain/route');
  const restoreRoute = await import('../app/api/clusters/[cluster]/restore/route');
  const { getRuntime } = await import('../server/runtime');
  const params = { params: Promise.resolve({ cluster: 'lab' }) };
  const lres = await login.POST(request('/api/auth/login', { method: 'POST', body: { name: 'bench', password: PASSWORD } }), { params: Promise.resolve({}) });
  if (lres.status !== 200) throw new Error(`login failed: ${lres.status} ${await lres.text()}`);
  const c = cookiesFrom(lres);
  const session = { cookie: c.header, csrf: c.values.lvs_csrf ?? '' };
  const post = async (h: typeof drainRoute.POST, body: unknown, tries = 1) => {
    for (let i = 1; ; i++) {
      const res = await h(request('/api/clusters/lab/x', { method: 'POST', body, ...session }), params);
      const json = (await res.json()) as { outcome?: string; message?: string; error?: { message: string }; directors?: { durationMs: number }[] };
      if (res.status === 200 && json.outcome === 'ok') return Math.max(0, ...(json.directors ?? []).map((d) => d.durationMs));
      // Untimed restores are retried: a loaded emulated lab sometimes times a command out.
      if (i >= tries) throw new Error(`console: ${res.status} ${json.message ?? json.error?.message ?? ''}`);
      ctx.log(`retrying: ${json.message ?? json.error?.message ?? res.status}`);
    }
  };

  try {
    // Wait for the console to see both directors and keepalived's dump.
    const rt = getRuntime();
    for (let i = 0; i < 120; i++) {
      const s = rt.collector.snapshot('lab');
      if (s && s.directors.every((d) => d.live) && s.services.some((x) => x.realServers.some((r) => r.checkerAlive !== null))) break;
      await sleep(500);
    }
    // Open the OpenSSH masters (not timed) and warm both paths once.
    for (const d of ['dir1', 'dir2'] as const) {
      const r = spawnSync('ssh', [...sshArgs(ctx.root, control, d), 'true'], { timeout: 60_000 });
      if (r.status !== 0) throw new Error(`ssh master to ${d}: ${r.stderr.toString().trim()}`);
    }
    await byHand(ctx.root, control, 0);
    await byHand(ctx.root, control, 100);
    await post(drainRoute.POST, { target: RS, service: SVC, reason: 'bench warm-up' });
    await post(restoreRoute.POST, { target: RS, service: SVC, reason: 'bench' });

    const consoleMs: number[] = [];
    const handMs: number[] = [];
    /** The slowest director's own apply (ssh exec of the set + re-read) inside each console drain. */
    const execMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ctx.log(`drain run ${i + 1}/${RUNS}`);
      // Untimed: let the console see the table as the previous run left it (it plans from the truth).
      await getRuntime().collector.refreshNow('lab');
      const t = performance.now();
      execMs.push(await post(drainRoute.POST, { target: RS, service: SVC, reason: `bench run ${i}` }));
      consoleMs.push(performance.now() - t);
      await post(restoreRoute.POST, { target: RS, service: SVC, reason: 'bench' }, 3);
      await sleep(300);
      handMs.push(await byHand(ctx.root, control, 0));
      await byHand(ctx.root, control, 100);
      await sleep(300);
    }
    const rows: BenchRow[] = [];
    for (const p of [50, 95]) {
      const v = pct(consoleMs, p);
      const b = pct(handMs, p);
      rows.push({
        group: 'drain',
        name: `POST /drain -> weight 0 verified on both directors, p${p} (${RUNS} runs)`,
        value: r1(v),
        unit: 'ms',
        baseline: { name: `ipvsadm -e + re-read, 1 ssh exec per director over open ControlMaster, parallel, p${p}`, value: r1(b), unit: 'ms' },
        target: '<= 1.2x bare minimum',
        met: v <= 1.2 * b,
        note: `ratio ${(v / b).toFixed(2)}x (emulated lab: the ratio is the figure); of which the slowest director's ssh apply p${p} ${r1(pct(execMs, p))} ms`,
      });
    }
    return rows;
  } finally {
    await getRuntime().close().catch(() => undefined);
    // Leave rs1 at its configured weight even if a run failed half way, then close the masters.
    for (const d of ['dir1', 'dir2'] as const) await sshRun(sshArgs(ctx.root, control, d), `sudo -n ipvsadm -e -t ${SVC} -r ${RS} -g -w 100`).catch(() => undefined);
    for (const d of ['dir1', 'dir2'] as const) spawnSync('ssh', [...sshArgs(ctx.root, control, d), '-O', 'exit'], { stdio: 'ignore', timeout: 10_000 });
  }
}

if (process.argv[1]?.endsWith('drain.bench.ts')) {
  const root = path.resolve(__dirname, '..');
  const workDir = path.join(root, 'bench', '.work');
  fs.mkdirSync(workDir, { recursive: true });
  void run({ root, workDir, labUp: true, log: (m) => console.error(m) }).then(
    (rows) => {
      console.log(JSON.stringify(rows, null, 2));
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
