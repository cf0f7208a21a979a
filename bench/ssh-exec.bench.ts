// Bench: the speed figures of the SSH layer that tests no longer assert (tests check order and
// conditions; how fast is measured here, beside a baseline from the same run).
//
//  Host (a real OpenSSH sshd started here on 127.0.0.1, as server/ssh/ssh.test.ts does):
//   - warm exec over the pooled ssh2 connection vs a fresh OpenSSH `ssh … true` (p50 of N each);
//   - 10 × `sleep 0.3` over ONE connection with 4 and with 10 channels vs the same 10 one after another;
//   - how soon a command limit (500 ms) and a connect limit (400 ms, a server that never speaks)
//     turn into their errors;
//   - how soon after an sshd restart a command succeeds again (backoff 100-800 ms).
//  Lab (when it is up):
//   - warm exec vs a fresh `ssh` to dir1 as the console user (emulated VM: the ratio is the figure);
//   - a refresh of 6 commands as one execSequence vs 6 separate execs (parallel, and one after another);
//   - a hanging command with a 1.5 s limit: how soon command-timeout comes back;
//   - VRRP failover: keepalived stopped gracefully on dir1 -> the VIP on dir2 (polled over ssh), then
//     started again and the VIP back on dir1 (not timed; the lab is left as found).
//
// Standalone: npx tsx bench/ssh-exec.bench.ts [workDir]
import '../bin/server-only-shim';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { parseConfigText } from '../server/config/load';
import { DirectorConfig } from '../server/config/schema';
import { DirectorError } from '../server/ssh/errors';
import { conntrackFigures, ipAddrJson, ipvsadmList, pidofKeepalived, readFile, type CatalogueCommand } from '../server/commands/catalogue';
import { exec, execRaw, execSequence } from '../server/ssh/exec';
import { SshPool } from '../server/ssh/pool';
import { keygen, startSshd } from '../server/ssh/test-sshd';
import { generateDirector } from './fleet/generate';
import { runIfMain } from './standalone';
import type { BenchContext, BenchRow } from './types';

const exe = promisify(execFile);
const WARM_N = 20;
const FRESH_N = 5;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] ?? NaN);
};
const r1 = (x: number): number => Math.round(x * 10) / 10;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** The error a promise rejects with (a DirectorError), and how long it took. */
async function failureTime(f: () => Promise<unknown>): Promise<{ code: string; ms: number }> {
  const t = performance.now();
  try {
    await f();
  } catch (e) {
    return { code: e instanceof DirectorError ? e.code : String(e), ms: performance.now() - t };
  }
  throw new Error('expected a failure');
}

/** A warm exec over the pooled connection against a fresh `ssh` (process, handshake, one command), by their medians. */
function warmRow(where: string, warm: number[], fresh: { name: string; ms: number[] }, more: Pick<BenchRow, 'target' | 'met'> & { note: string }): BenchRow {
  const ratio = r1(median(fresh.ms) / median(warm));
  return {
    group: 'ssh',
    name: `${where}: warm exec (\`true\`) over the pooled connection, p50`,
    value: r1(median(warm)),
    unit: 'ms',
    baseline: { name: fresh.name, value: r1(median(fresh.ms)), unit: 'ms' },
    ...more,
    note: `${ratio}x; ${more.note}`,
  };
}

/** How soon a command over its limit fails (with command-timeout, within `withinMs`). */
async function commandLimitRow(where: string, argv: string[], limitMs: number, run: (argv: string[], timeoutMs: number) => Promise<unknown>, target: { text: string; withinMs: number }): Promise<BenchRow> {
  const r = await failureTime(() => run(argv, limitMs));
  return {
    group: 'ssh',
    name: `${where}: \`${argv.join(' ')}\` with a ${limitMs < 1000 ? `${limitMs} ms` : `${limitMs / 1000} s`} command limit -> ${r.code}`,
    value: Math.round(r.ms),
    unit: 'ms',
    baseline: { name: 'the limit', value: limitMs, unit: 'ms' },
    target: target.text,
    met: r.code === 'command-timeout' && r.ms < target.withinMs,
  };
}

async function hostRows(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(ctx.workDir, 'ssh-exec-'));
  const clientKey = path.join(dir, 'id_ed25519');
  writeFileSync(path.join(dir, 'authorized_keys'), `${keygen(clientKey, 'ed25519').pub}\n`);
  const sshd = await startSshd(dir, 'bench');
  const tuning = { connectTimeoutMs: 3000, commandTimeoutMs: 30_000, keepaliveIntervalMs: 5000, maxChannelsPerDirector: 4, reconnectMinMs: 100, reconnectMaxMs: 800, compress: false };
  const pools: SshPool[] = [];
  const pool = (over: Partial<typeof tuning> = {}) => {
    const p = new SshPool({ tuning: { ...tuning, ...over } });
    pools.push(p);
    return p;
  };
  const director = (over: Record<string, unknown> = {}) =>
    DirectorConfig.parse({ name: 'bench', host: '127.0.0.1', port: sshd.port, user: 'root', privateKeyPath: clientKey, hostKey: sshd.hostKeyFingerprint, ...over });
  const rows: BenchRow[] = [];
  try {
    const d = director();
    const p4 = pool();
    await execRaw(d, ['true'], { pool: p4 });

    // Warm exec vs a fresh OpenSSH ssh (process + handshake + 1 command).
    const warm: number[] = [];
    for (let i = 0; i < WARM_N; i++) warm.push(await timed(() => execRaw(d, ['true'], { pool: p4 })));
    const kh = path.join(dir, 'known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub.split(' ').slice(0, 2).join(' ')}\n`);
    const fresh: number[] = [];
    for (let i = 0; i < FRESH_N; i++) {
      fresh.push(await timed(() => exe('ssh', ['-i', clientKey, '-p', String(sshd.port), '-o', `UserKnownHostsFile=${kh}`, '-o', 'BatchMode=yes', 'root@127.0.0.1', 'true'])));
    }
    rows.push(
      warmRow('host sshd', warm, { name: 'fresh OpenSSH `ssh root@127.0.0.1 true`, p50', ms: fresh }, {
        note: `${WARM_N} warm, ${FRESH_N} fresh; sshd's per-session fork+exec dominates both on this host`,
      }),
    );

    // Concurrency: 10 × sleep 0.3 over one connection, 4 and 10 channels, vs one after another.
    const sleeps = (p: SshPool) => Promise.all(Array.from({ length: 10 }, () => execRaw(d, ['sleep', '0.3'], { pool: p })));
    const sequential = await timed(async () => {
      for (let i = 0; i < 10; i++) await execRaw(d, ['sleep', '0.3'], { pool: p4 });
    });
    const four = await timed(() => sleeps(p4));
    const p10 = pool({ maxChannelsPerDirector: 10 });
    await execRaw(d, ['true'], { pool: p10 });
    const ten = await timed(() => sleeps(p10));
    /** The 10 in parallel over `channels` against the same 10 one after another. */
    const parallelRow = (channels: string, ms: number, atMost: number): BenchRow => ({
      group: 'ssh',
      name: `host sshd: 10 × sleep 0.3 over one connection, ${channels}`,
      value: Math.round(ms),
      unit: 'ms',
      baseline: { name: 'the same 10 one after another', value: Math.round(sequential), unit: 'ms' },
      target: `< ${atMost} × one after another`,
      met: ms < sequential * atMost,
      note: `${r1(ms / sequential)} of sequential`,
    });
    rows.push(parallelRow('4 channels (3 waves)', four, 0.6), parallelRow('10 channels (1 wave)', ten, 0.5));

    // Limits: a command limit and a connect limit turn into their errors soon after the limit.
    rows.push(await commandLimitRow('host sshd', ['sleep', '3600'], 500, (argv, timeoutMs) => execRaw(d, argv, { pool: p4, timeoutMs }), { text: '< limit + 1 s', withinMs: 1500 }));
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const addr = silent.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const conn = await failureTime(() => execRaw(director({ name: 'silent', port }), ['true'], { pool: pool({ connectTimeoutMs: 400 }) }));
      rows.push({
        group: 'ssh',
        name: `host: a server that never speaks, 400 ms connect limit -> ${conn.code}`,
        value: Math.round(conn.ms),
        unit: 'ms',
        baseline: { name: 'the limit', value: 400, unit: 'ms' },
        target: '< 2 s',
        met: conn.code === 'connect-timeout' && conn.ms < 2000,
      });
    } finally {
      silent.close();
    }

    rows.push(await compressionRow(dir, sshd.port, (over) => director(over), pool));

    // Back after a full sshd restart (the backoff timer reconnects; commands fail fast meanwhile).
    const pr = pool();
    const dr = director({ name: 'restart' });
    await execRaw(dr, ['true'], { pool: pr });
    await sshd.stop();
    await execRaw(dr, ['true'], { pool: pr }).catch(() => undefined);
    await sshd.start();
    const t0 = performance.now();
    let failures = 0;
    for (;;) {
      const ok = await execRaw(dr, ['true'], { pool: pr }).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (++failures > 1000) throw new Error('not back after 1000 attempts');
      await new Promise((r) => setTimeout(r, 20));
    }
    rows.push({
      group: 'ssh',
      name: 'host sshd: first command that succeeds after an sshd restart',
      value: Math.round(performance.now() - t0),
      unit: 'ms',
      baseline: { name: 'reconnectMaxMs', value: tuning.reconnectMaxMs, unit: 'ms' },
      note: `backoff ${tuning.reconnectMinMs}-${tuning.reconnectMaxMs} ms with jitter; ${failures} fast failures meanwhile (polled every 20 ms)`,
    });
  } finally {
    await Promise.all(pools.map((p) => p.closeAll()));
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** A TCP relay to 127.0.0.1:`port` that counts the bytes the server sends. */
async function countingRelay(port: number): Promise<{ port: number; fromServer: () => number; close: () => void }> {
  let bytes = 0;
  const relay = createServer((client) => {
    const server = connect(port, '127.0.0.1');
    server.on('data', (b: Buffer) => (bytes += b.length));
    client.pipe(server).pipe(client);
    const end = () => (client.destroy(), server.destroy());
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const a = relay.address();
  return { port: typeof a === 'object' && a ? a.port : 0, fromServer: () => bytes, close: () => relay.close() };
}

/**
 * ssh.compress (issue 20's "bytes read per refresh"): the two listings a refresh reads (the fleet's
 * generated `--persistent-conn` and `--stats` of 200 services x 10 real servers) sent by `cat` over a
 * warm connection with and without compression; bytes on the wire counted by a relay in front of
 * the sshd, and the console's CPU per read.
 */
async function compressionRow(
  dir: string,
  sshdPort: number,
  director: (over: Record<string, unknown>) => DirectorConfig,
  pool: (over: { compress?: boolean }) => SshPool,
): Promise<BenchRow> {
  const o = generateDirector({ services: 200, realServers: 10, cluster: 0, director: 0, fleetIndex: 0 });
  const file = path.join(dir, 'listings.txt');
  writeFileSync(file, o.persistent + o.stats);
  const plainBytes = Buffer.byteLength(o.persistent + o.stats);
  const N = 10;
  const measure = async (compress: boolean) => {
    const relay = await countingRelay(sshdPort);
    try {
      const d = director({ name: compress ? 'zlib' : 'plain', port: relay.port });
      const p = pool({ compress });
      await execRaw(d, ['cat', file], { pool: p });
      const before = relay.fromServer();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < N; i++) await execRaw(d, ['cat', file], { pool: p });
      const cpu = process.cpuUsage(cpu0);
      return { wire: (relay.fromServer() - before) / N, cpuMs: (cpu.user + cpu.system) / 1000 / N, agreed: p.statusOf(d.name)?.compression ?? '?' };
    } finally {
      relay.close();
    }
  };
  const plain = await measure(false);
  const zlib = await measure(true);
  return {
    group: 'ssh',
    name: 'host sshd: bytes on the wire per refresh\'s two listings (200 svc x 10 rs), ssh.compress: true',
    value: Math.round(zlib.wire / 1024),
    unit: 'KiB',
    baseline: { name: 'the same without compression (the default)', value: Math.round(plain.wire / 1024), unit: 'KiB' },
    target: '<= 330 KiB',
    met: zlib.wire / 1024 <= 330,
    note:
      `${Math.round(plainBytes / 1024)} KiB of text; agreed: ${zlib.agreed} (${plain.agreed} without); console CPU per read ${r1(zlib.cpuMs)} ms compressed, ${r1(plain.cpuMs)} ms plain; ` +
      `mean of ${N} reads over a warm connection, counted by a relay in front of the sshd`,
  };
}

async function labRows(ctx: BenchContext): Promise<BenchRow[]> {
  const state = path.join(ctx.root, 'lab', '.state');
  const file = path.join(state, 'console.yaml');
  const dir1 = parseConfigText(readFileSync(file, 'utf8'), file).clusters[0]?.directors.find((x) => x.name === 'dir1');
  if (!dir1) throw new Error('no dir1 in lab/.state/console.yaml');
  const pool = new SshPool({ tuning: { connectTimeoutMs: 20_000, commandTimeoutMs: 20_000, reconnectMinMs: 300, reconnectMaxMs: 3000, maxChannelsPerDirector: 6 } });
  const rows: BenchRow[] = [];
  try {
    await execRaw(dir1, ['true'], { pool });
    const warm: number[] = [];
    for (let i = 0; i < 8; i++) warm.push(await timed(() => execRaw(dir1, ['true'], { pool })));
    const fresh: number[] = [];
    for (let i = 0; i < 4; i++) fresh.push(await timed(() => exe('ssh', ['-F', path.join(state, 'ssh_config'), '-l', 'lvsconsole', 'dir1', 'true'], { timeout: 60_000 })));
    rows.push(
      warmRow('lab dir1', warm, { name: 'fresh `ssh -F lab/.state/ssh_config -l lvsconsole dir1 true`, p50', ms: fresh }, {
        target: 'faster than a fresh ssh',
        met: median(warm) < median(fresh),
        note: 'emulated VM (TCG): the ratio is the figure',
      }),
    );
    // A typical refresh of 6 commands: one execSequence (one round trip) vs 6 execs in parallel vs one after another.
    const refresh = (): CatalogueCommand[] => [
      ipvsadmList({ exact: true, mode: 'list' }),
      ipvsadmList({ exact: true, mode: 'stats' }),
      ipAddrJson(),
      pidofKeepalived(),
      readFile('/var/log/keepalived.log', { tailLines: 20 }),
      conntrackFigures(),
    ];
    const seq: number[] = [];
    const par: number[] = [];
    const ser: number[] = [];
    for (let i = 0; i < 3; i++) {
      seq.push(await timed(() => execSequence(dir1, refresh(), { pool })));
      par.push(await timed(() => Promise.all(refresh().map((c) => exec(dir1, c, { pool })))));
      ser.push(
        await timed(async () => {
          for (const c of refresh()) await exec(dir1, c, { pool });
        }),
      );
    }
    rows.push({
      group: 'ssh',
      name: 'lab dir1: a refresh of 6 commands in one execSequence, median of 3',
      value: Math.round(median(seq)),
      unit: 'ms',
      baseline: { name: 'the same 6 as separate execs one after another', value: Math.round(median(ser)), unit: 'ms' },
      note: `6 separate execs in parallel: ${Math.round(median(par))} ms; under TCG the cost is guest CPU (sshd session, sudo, ipvsadm), not the round trip`,
    });
    rows.push(await commandLimitRow('lab dir1', ['sleep', '60'], 1500, (argv, timeoutMs) => execRaw(dir1, argv, { pool, timeoutMs }), { text: '< 4 s', withinMs: 4000 }));
  } finally {
    await pool.closeAll();
  }

  // VRRP failover in the lab, timed from the graceful stop to the VIP seen on dir2 over ssh.
  const ssh = (node: string, command: string) => exe('bash', [path.join(ctx.root, 'lab', 'ssh.sh'), node, command], { timeout: 60_000 }).then((r) => r.stdout);
  const ctl = (...args: string[]) => exe('bash', [path.join(ctx.root, 'lab', 'ctl'), ...args], { timeout: 120_000 });
  const holds = async (node: string) => (await ssh(node, 'ip -j addr show').catch(() => '')).includes('"192.0.2.100"');
  const waitHolds = async (node: string, limitMs: number): Promise<number> => {
    const t = performance.now();
    while (!(await holds(node))) if (performance.now() - t > limitMs) throw new Error(`192.0.2.100 not on ${node} within ${limitMs / 1000} s`);
    return performance.now() - t;
  };
  if (!(await holds('dir1'))) throw new Error('the lab is not at rest: 192.0.2.100 is not on dir1');
  let failover: number;
  try {
    await ctl('keepalived', 'stop', 'dir1');
    failover = await waitHolds('dir2', 120_000);
  } finally {
    await ctl('keepalived', 'start', 'dir1');
  }
  await waitHolds('dir1', 120_000);
  rows.push({
    group: 'lab',
    name: 'VRRP failover: keepalived stopped on dir1 -> 192.0.2.100 on dir2',
    value: r1(failover / 1000),
    unit: 's',
    target: '<= 20 s',
    met: failover <= 20_000,
    note: 'polled over ssh (one `ip -j addr` round trip each, ~0.5-1 s in the emulated VM); keepalived started again and the VIP back on dir1 afterwards',
  });
  return rows;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  mkdirSync(ctx.workDir, { recursive: true });
  const rows = await hostRows(ctx);
  if (ctx.labUp) rows.push(...(await labRows(ctx)));
  else rows.push({ group: 'ssh', name: 'lab dir1: warm exec, command limit, VRRP failover', value: NaN, unit: 'ms', note: 'skipped: the lab is not up (npm run lab:up)' });
  return rows;
}

// Standalone: npx tsx bench/ssh-exec.bench.ts [workDir]
runIfMain(import.meta.url, run, { needsLab: true });
