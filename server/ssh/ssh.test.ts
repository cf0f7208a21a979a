import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DirectorConfig } from '../config/schema';
import { defineCommand } from '../commands/command';
import { ipAddrJson, pidofKeepalived } from '../commands/catalogue';
import { DirectorError } from './errors';
import { exec, execRaw, execSequence, execStreamRaw } from './exec';
import { SshPool, type SshPoolOptions } from './pool';
import { freePort, keygen, startSshd, writeScript, type TestSshd } from './test-sshd';

// Against a REAL OpenSSH sshd started here on 127.0.0.1 (random port, temp dir, root login
// with a key generated here). The lab test (ssh.lab.test.ts) repeats the important parts
// against the lab directors as a non-root user with real sudo.

let dir = '';
let sshd: TestSshd;
let jump: TestSshd;
let clientKey = '';
let pool: SshPool;
const pools: SshPool[] = [];

// Limits far above what a loopback sshd needs, so a machine under load (the unit suite beside the
// lab VM on two cores) does not turn a handshake or a command into a timeout; the tests about
// timeouts set their own small limits.
const TUNING = {
  connectTimeoutMs: 20_000,
  commandTimeoutMs: 30_000,
  keepaliveIntervalMs: 5000,
  maxChannelsPerDirector: 4,
  reconnectMinMs: 100,
  reconnectMaxMs: 800,
  compress: false,
};

function director(over: Record<string, unknown> = {}): DirectorConfig {
  return DirectorConfig.parse({
    name: 'hostdir',
    host: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    privateKeyPath: clientKey,
    hostKey: sshd.hostKeyFingerprint,
    ...over,
  });
}

function newPool(over: Partial<typeof TUNING> = {}, opts: Omit<SshPoolOptions, 'tuning'> = {}): SshPool {
  const p = new SshPool({ ...opts, tuning: { ...TUNING, ...over } });
  pools.push(p);
  return p;
}

/** Waits for a condition (no time limit of its own beyond a generous one: a loaded CI host is slow). */
const until = (check: () => void | Promise<void>): Promise<void> => vi.waitFor(check, { timeout: 60_000, interval: 20 });

/**
 * A TCP relay on 127.0.0.1 in front of the test sshd that counts connections: each one is a connect
 * attempt by the client. 'drop' closes every connection at once (a transient failure to connect).
 */
async function countingRelay(target: number, mode: 'relay' | 'drop'): Promise<{ port: number; attempts: number[]; close: () => Promise<void> }> {
  const attempts: number[] = [];
  const sockets = new Set<Socket>();
  const srv = createServer((c) => {
    attempts.push(performance.now());
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.on('error', () => undefined);
    if (mode === 'drop') {
      c.destroy();
      return;
    }
    const up = connect(target, '127.0.0.1');
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => c.destroy());
    c.pipe(up).pipe(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    attempts,
    close: () =>
      new Promise<void>((r) => {
        for (const x of sockets) x.destroy();
        srv.close(() => r());
      }),
  };
}

async function codeOf(p: Promise<unknown>): Promise<DirectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DirectorError) return e;
    throw e;
  }
  throw new Error('expected a DirectorError');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lvsc-ssh-'));
  clientKey = path.join(dir, 'id_ed25519');
  const k = keygen(clientKey, 'ed25519');
  const kp = keygen(path.join(dir, 'id_pass'), 'ed25519', 'sekrit');
  writeFileSync(path.join(dir, 'authorized_keys'), `${k.pub}\n${kp.pub}\n`);
  // FAKE sudo, for the sudo-refused unit test ONLY (the host has no sudo; real sudo is proven
  // in ssh.lab.test.ts). It refuses `id` like sudo -n does without a NOPASSWD rule, and runs
  // anything else.
  mkdirSync(path.join(dir, 'fakebin'));
  writeScript(
    path.join(dir, 'fakebin', 'sudo'),
    [
      '#!/bin/sh',
      '# FAKE sudo for server/ssh/ssh.test.ts only.',
      'if [ "$1" = -n ] && [ "$2" = -u ] && [ "$4" = -- ]; then echo "as $3" >&2; shift 4',
      'else [ "$1" = -n ] && [ "$2" = -- ] || { echo "fake sudo: expected -n -- or -n -u USER --" >&2; exit 2; }; shift 2; fi',
      'case "$1" in id) echo "sudo: a password is required" >&2; exit 1 ;; esac',
      'exec "$@"',
      '',
    ].join('\n'),
  );
  const fakePath = `SetEnv PATH=${path.join(dir, 'fakebin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  [sshd, jump] = await Promise.all([startSshd(dir, 'dir', [fakePath]), startSshd(dir, 'jump')]);
  pool = newPool();
}, 30_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.closeAll()));
  await sshd?.stop();
  await jump?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('exec over one persistent connection', () => {
  it('returns stdout, stderr and exit code; non-zero exit throws command-failed', async () => {
    const d = director();
    const r = await execRaw(d, ['sh', '-c', 'echo out; echo err >&2; exit 3'], { pool, okExitCodes: [3] });
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    const e = await codeOf(execRaw(d, ['sh', '-c', 'echo boom >&2; exit 2'], { pool }));
    expect(e.code).toBe('command-failed');
    expect(e.exitCode).toBe(2);
    expect(e.stderr).toBe('boom\n');
    expect(e.command).toEqual(['sh', '-c', 'echo boom >&2; exit 2']);
    expect(e.message).toContain("hostdir (127.0.0.1:");
    expect(e.message).toContain('failed with exit code 2: boom');
  });

  it('passes hostile arguments literally and stdin through', async () => {
    const d = director();
    const argv = ['printf', '[%s]\\n', "it's", '$(id)', '`id`', ';', '', 'a\nb', '-n'];
    const r = await execRaw(d, argv, { pool });
    expect(r.stdout).toBe("[it's]\n[$(id)]\n[`id`]\n[;]\n[]\n[a\nb]\n[-n]\n");
    expect((await execRaw(d, ['cat'], { pool, stdin: 'hello\n' })).stdout).toBe('hello\n');
    await expect(execRaw(d, ['echo', 'a\0b'], { pool })).rejects.toThrow(/NUL/);
  });

  it('runs catalogue commands (exec takes only CatalogueCommand)', async () => {
    const d = director();
    const r = await exec(d, ipAddrJson(), { pool });
    expect(JSON.parse(r.stdout)).toBeInstanceOf(Array);
    // pidof exits 1 when nothing runs: accepted by the catalogue entry.
    expect([0, 1]).toContain((await exec(d, pidofKeepalived(), { pool })).exitCode);
  });

  it('ssh.compress: zlib is agreed with the sshd and the output arrives intact; off by default', async () => {
    const d = director();
    const text = Array.from({ length: 2000 }, (_, i) => `  -> 198.51.100.${i % 250}:80        Masq    100    ${i}          0`).join('\n');
    const zipped = newPool({ compress: true });
    expect((await execRaw(d, ['cat'], { pool: zipped, stdin: text })).stdout).toBe(text);
    expect(zipped.statusOf(d.name, d.cluster)?.compression).toBe('zlib@openssh.com');
    const plain = newPool();
    expect((await execRaw(d, ['cat'], { pool: plain, stdin: text })).stdout).toBe(text);
    expect(plain.statusOf(d.name, d.cluster)?.compression).toBe('none');
  });

  it('runs commands concurrently over ONE connection, queueing beyond the channel cap', async () => {
    // Each command records that it started, then blocks on its own fifo until the test opens it:
    // concurrency and queueing are read from who started while nobody could finish, not from
    // timings. The command limit is far above anything a loaded machine needs.
    const gates = mkdtempSync(path.join(dir, 'gates-'));
    for (let i = 0; i < 10; i++) execFileSync('mkfifo', [path.join(gates, `gate-${i}`)]);
    const started = (): string[] => (existsSync(path.join(gates, 'started')) ? readFileSync(path.join(gates, 'started'), 'utf8').split('\n').filter(Boolean) : []);
    // Opening a fifo for writing waits for its reader: only gates of started commands are opened.
    const open = (i: number): Promise<void> => writeFile(path.join(gates, `gate-${i}`), 'go\n');
    const releaseAll = async (released: Set<number>): Promise<void> => {
      while (released.size < 10) {
        await until(() => expect(started().map(Number).filter((i) => !released.has(i)).length).toBeGreaterThan(0));
        for (const i of started().map(Number)) {
          if (released.has(i)) continue;
          released.add(i);
          await open(i);
        }
      }
    };
    const d = director({ name: 'conc' });
    const gated = (p: SshPool, i: number) =>
      execRaw(d, ['sh', '-c', 'echo "$1" >> "$2/started"; read go < "$2/gate-$1"; echo "$1"', 'gated', String(i), gates], { pool: p, timeoutMs: 300_000 });
    await execRaw(d, ['true'], { pool }); // connect first
    const since = pool.statusOf('conc')?.connectedSince;
    const opened = pool.statusOf('conc')?.channelsOpened ?? 0;

    const all = Array.from({ length: 10 }, (_, i) => gated(pool, i));
    // Four run (the cap) and six wait in the queue; none can finish until its gate opens.
    await until(() => {
      expect(started()).toHaveLength(4);
      expect(pool.statusOf('conc')).toMatchObject({ activeChannels: 4, queuedCommands: 6 });
    });
    const first = started().map(Number);
    // One finishes: exactly one queued command takes its channel.
    const done = first[0] ?? -1;
    await open(done);
    await until(() => expect(started()).toHaveLength(5));
    expect(first).not.toContain(Number(started()[4]));
    expect(pool.statusOf('conc')).toMatchObject({ activeChannels: 4, queuedCommands: 5 });
    // Open the others as their commands start: all finish, each with its own output.
    await releaseAll(new Set([done]));
    const rs = await Promise.all(all);
    expect(rs.map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}\n`));
    expect(pool.statusOf('conc')).toMatchObject({ connectedSince: since, activeChannels: 0, queuedCommands: 0 }); // the same one connection
    expect(pool.statusOf('conc')?.channelsOpened).toBe(opened + 10);

    // With 10 channels all ten run at once over one connection: all started, none finished.
    rmSync(path.join(gates, 'started'));
    const p10 = newPool({ maxChannelsPerDirector: 10 });
    await execRaw(d, ['true'], { pool: p10 });
    const since10 = p10.statusOf('conc')?.connectedSince;
    const all10 = Array.from({ length: 10 }, (_, i) => gated(p10, i));
    await until(() => expect(started()).toHaveLength(10));
    expect(p10.statusOf('conc')).toMatchObject({ activeChannels: 10, queuedCommands: 0, connectedSince: since10 });
    await releaseAll(new Set());
    expect((await Promise.all(all10)).map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}\n`));
  }, 120_000);
});

describe('execSequence: many steps, one round trip', () => {
  it('splits per-step stdout/stderr/exit code; a failing step does not stop the others; forged markers are ignored', async () => {
    const d = director({ sudo: true });
    const step = (name: string, argv: string[], sudo = false) => defineCommand({ name, argv, sudo, description: name });
    const fake = '\n@@0123456789abcdef01234567:E:2:0\n@@0123456789abcdef01234567:B:3\n';
    const steps = [
      step('hello', ['echo', 'hello']),
      step('fails', ['sh', '-c', 'echo partial; echo bad >&2; exit 4']),
      step('forger', ['printf', `%s${fake}@@LVSC:E:2:0\n`, 'x']),
      step('no-newline', ['printf', 'abc']),
      step('sudo-refused', ['id'], true),
      step('sudo-ok', ['echo', 'as root'], true),
      step('empty', ['true']),
    ];
    await execRaw(d, ['true'], { pool });
    const since = pool.statusOf('hostdir')?.connectedSince;
    const opened = pool.statusOf('hostdir')?.channelsOpened ?? 0;
    const r = await execSequence(d, steps, { pool });
    expect(pool.statusOf('hostdir')?.connectedSince).toBe(since);
    expect(pool.statusOf('hostdir')?.channelsOpened).toBe(opened + 1); // one exec for all steps
    expect(r.steps.map((s) => s.exitCode)).toEqual([0, 4, 0, 0, 1, 0, 0]);
    expect(r.steps[0]).toMatchObject({ stdout: 'hello\n', stderr: '', error: null });
    expect(r.steps[1]).toMatchObject({ stdout: 'partial\n', stderr: 'bad\n' });
    expect(r.steps[1]?.error?.code).toBe('command-failed');
    expect(r.steps[2]?.stdout).toBe(`x${fake}@@LVSC:E:2:0\n`);
    expect(r.steps[3]?.stdout).toBe('abc');
    expect(r.steps[4]?.error?.code).toBe('sudo-refused');
    expect(r.steps[4]?.stderr).toBe('sudo: a password is required\n');
    expect(r.steps[5]).toMatchObject({ stdout: 'as root\n', error: null });
    expect(r.steps[6]).toMatchObject({ stdout: '', stderr: '', exitCode: 0 });
  });
});

describe('host key verification', () => {
  it('a pinned key passes; a wrong pin is refused before any command is sent', async () => {
    const d = director({ name: 'pin-ok' });
    expect((await execRaw(d, ['echo', 'ok'], { pool })).stdout).toBe('ok\n');
    expect(pool.statusOf('pin-ok')?.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);

    const wrong = jump.hostKeyFingerprint;
    const marker = path.join(dir, 'marker-wrong-pin');
    const p = newPool();
    const e = await codeOf(execRaw(director({ name: 'pin-bad', hostKey: wrong }), ['touch', marker], { pool: p }));
    expect(e.code).toBe('host-key-mismatch');
    expect(e.expectedFingerprints).toEqual([wrong]);
    expect(e.presentedFingerprint).toBe(sshd.hostKeyFingerprint);
    expect(e.message).toContain(`expected ${wrong}, presented ${sshd.hostKeyFingerprint}`);
    expect(e.message).toContain('update hostKey in the config');
    expect(e.command).toEqual(['touch', marker]);
    expect(existsSync(marker)).toBe(false);
    expect(p.statusOf('pin-bad')).toMatchObject({ state: 'failed', lastError: { code: 'host-key-mismatch' } });
    // Fails fast from then on (terminal, see "reconnect"), still without sending anything.
    expect((await codeOf(execRaw(director({ name: 'pin-bad', hostKey: wrong }), ['touch', marker], { pool: p }))).code).toBe('host-key-mismatch');
    expect(existsSync(marker)).toBe(false);
  });

  it('known_hosts: match, mismatch, unknown, hashed, revoked', async () => {
    const line = `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub.split(' ').slice(0, 2).join(' ')}`;
    const other = `[127.0.0.1]:${sshd.port} ${jump.hostKeyPub.split(' ').slice(0, 2).join(' ')}`;
    const files = {
      match: line,
      mismatch: other,
      unknown: `[127.0.0.1]:1 ${sshd.hostKeyPub.split(' ').slice(0, 2).join(' ')}`,
      hashed: line,
      revoked: `@revoked * ${sshd.hostKeyPub.split(' ').slice(0, 2).join(' ')}\n${line}`,
    };
    const res: Record<string, string> = {};
    const marker = path.join(dir, 'marker-kh');
    for (const [name, text] of Object.entries(files)) {
      const f = path.join(dir, `kh_${name}`);
      writeFileSync(f, `${text}\n`);
      if (name === 'hashed') execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
      const d = director({ name: `kh-${name}`, hostKey: undefined, knownHostsPath: f });
      try {
        await execRaw(d, ['touch', marker], { pool });
        res[name] = 'ok';
        rmSync(marker, { force: true });
      } catch (e) {
        res[name] = e instanceof DirectorError ? e.code : String(e);
        expect(existsSync(marker)).toBe(false);
      }
    }
    expect(res).toEqual({ match: 'ok', mismatch: 'host-key-mismatch', unknown: 'host-key-unknown', hashed: 'ok', revoked: 'host-key-mismatch' });
    expect(readFileSync(path.join(dir, 'kh_hashed'), 'utf8')).toMatch(/^\|1\|/);
  });
});

describe('failures are typed', () => {
  it('command timeout stops the remote process and the connection keeps working', async () => {
    const d = director({ name: 'timeout' });
    const pidFile = path.join(dir, 'sleeper.pid');
    await execRaw(d, ['true'], { pool });
    // The command cannot end on its own within the test run: the exec settling at all is the limit
    // at work (how soon after the limit it settles is a bench figure, not a test).
    const e = await codeOf(execRaw(d, ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 3600`], { pool, timeoutMs: 2000 }));
    expect(e.code).toBe('command-timeout');
    expect(e.message).toContain('limit 2.0 s');
    expect((await execRaw(d, ['echo', 'still here'], { pool })).stdout).toBe('still here\n');
    // The sleeper is gone: sshd refuses signal requests for root sessions (no post-auth
    // privsep), so here it is the director-side `timeout` watchdog (limit + 1 s) that ends it.
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    await until(() => expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')).toBe(false));
  });

  it('output over the cap → output-too-large', async () => {
    // 2 MB of zeros at once (not seq, which a loaded machine runs slowly): the cap is hit, not the
    // command limit; the generous limit keeps a machine under load from turning it into a timeout.
    const e = await codeOf(execRaw(director(), ['head', '-c', '2000000', '/dev/zero'], { pool, maxOutputBytes: 1024 * 1024, timeoutMs: 120_000 }));
    expect(e.code).toBe('output-too-large');
  });

  it('auth failure → auth-failed', async () => {
    const stranger = path.join(dir, 'id_stranger');
    keygen(stranger, 'ed25519');
    const p = newPool();
    const e = await codeOf(execRaw(director({ name: 'auth', privateKeyPath: stranger }), ['true'], { pool: p }));
    expect(e.code).toBe('auth-failed');
    expect(e.message).toContain('authentication failed for user root');
    // A passphrase-protected key works with its passphrase.
    const ok = await execRaw(director({ name: 'pass', privateKeyPath: path.join(dir, 'id_pass'), passphrase: 'sekrit' }), ['echo', 'p'], { pool: p });
    expect(ok.stdout).toBe('p\n');
  });

  it('connect refused → connect-refused; silent server → connect-timeout', async () => {
    const port = await freePort();
    const p = newPool({ connectTimeoutMs: 400 });
    const e = await codeOf(execRaw(director({ name: 'refused', port }), ['true'], { pool: p }));
    expect(e.code).toBe('connect-refused');
    expect(p.statusOf('refused')).toMatchObject({ state: 'backoff', reconnectAttempts: 0 });
    expect(p.statusOf('refused')?.nextAttemptAt).not.toBeNull();

    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const addr = silent.address();
    const sport = typeof addr === 'object' && addr ? addr.port : 0;
    // The server never speaks: without the connect limit this exec would never settle.
    const e2 = await codeOf(execRaw(director({ name: 'silent', port: sport }), ['true'], { pool: p }));
    expect(e2.code).toBe('connect-timeout');
    expect(e2.message).toContain('0.4 s');
    await p.closeAll();
    silent.close();
  });

  it('sudo refusal (fake sudo, see beforeAll) → sudo-refused', async () => {
    const e = await codeOf(execRaw(director(), ['id'], { pool, sudo: true }));
    expect(e.code).toBe('sudo-refused');
    expect(e.commandText).toBe('sudo -n -- id');
    expect(e.message).toContain('sudo refused');
    // Not a refusal: the command itself failing under sudo.
    expect((await codeOf(execRaw(director(), ['false'], { pool, sudo: true }))).code).toBe('command-failed');
  });

  it('a command with runAs runs as `sudo -n -u USER --` whatever the director\'s sudo setting; its refusal is sudo-refused', async () => {
    const asUser = (argv: string[]) => defineCommand({ name: 'asUser', argv, sudo: false, runAs: 'lvs-haproxy', description: 'test', stdin: 'line\n' });
    const r = await exec(director({ sudo: false }), asUser(['cat']), { pool });
    expect([r.stdout, r.stderr]).toEqual(['line\n', 'as lvs-haproxy\n']);
    const e = await codeOf(exec(director({ sudo: true }), asUser(['id']), { pool }));
    expect(e.code).toBe('sudo-refused');
    expect(e.commandText).toBe('sudo -n -u lvs-haproxy -- id');
  });
});

describe('channel reserve', () => {
  it('viewer (low-priority) commands hold at most max-2 channels: a normal command runs while they all wait', async () => {
    const p = newPool({ commandTimeoutMs: 60_000 }); // 4 channels: 2 for low priority
    const d = director({ name: 'reserve' });
    await execRaw(d, ['true'], { pool: p });
    const flag = path.join(dir, 'flag-reserve');
    const lows = Array.from({ length: 6 }, (_, i) =>
      execRaw(d, ['sh', '-c', `while [ ! -e '${flag}' ]; do sleep 0.05; done; echo low ${i}`], { pool: p, priority: 'low' }),
    );
    for (const l of lows) l.catch(() => undefined); // awaited below
    for (let i = 0; i < 600 && p.statusOf('reserve')?.lowPriorityChannels !== 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(p.statusOf('reserve')).toMatchObject({ activeChannels: 2, lowPriorityChannels: 2, queuedCommands: 4 });
    // The collector's refresh or an operator's change: runs now, though six viewer reads wait.
    const normal = await Promise.all([execRaw(d, ['echo', 'normal a'], { pool: p }), execRaw(d, ['echo', 'normal b'], { pool: p })]);
    expect(normal.map((r) => r.stdout)).toEqual(['normal a\n', 'normal b\n']);
    expect(p.statusOf('reserve')).toMatchObject({ lowPriorityChannels: 2, queuedCommands: 4 });
    writeFileSync(flag, '');
    expect((await Promise.all(lows)).map((r) => r.stdout)).toEqual(Array.from({ length: 6 }, (_, i) => `low ${i}\n`));
    expect(p.statusOf('reserve')).toMatchObject({ activeChannels: 0, lowPriorityChannels: 0, queuedCommands: 0 });
    rmSync(flag);
  }, 180_000);
});

describe('pool keyed by cluster and director', () => {
  it('same-named directors of two clusters get two connections that both stay open while used alternately', async () => {
    // Generous limits: this host is shared and loaded; nothing here is timed.
    const p = newPool({ commandTimeoutMs: 60_000 });
    const prod = { ...director({ name: 'lb1' }), cluster: 'prod' };
    const staging = { ...director({ name: 'lb1' }), cluster: 'staging' };
    await execRaw(prod, ['true'], { pool: p });
    await execRaw(staging, ['true'], { pool: p });
    const since = [p.statusOf('lb1', 'prod')?.connectedSince, p.statusOf('lb1', 'staging')?.connectedSince];
    expect(since.every((x) => typeof x === 'string')).toBe(true);
    // A long command on prod's lb1 (it waits for a flag file: the sshd is on this host) must not be
    // cut by staging's lb1 being used meanwhile.
    const flag = path.join(dir, 'flag-pool-key');
    const long = execRaw(prod, ['sh', '-c', `while [ ! -e '${flag}' ]; do sleep 0.05; done; echo prod-done`], { pool: p });
    long.catch(() => undefined); // awaited below
    for (let i = 0; i < 3; i++) {
      expect((await execRaw(staging, ['echo', `staging ${i}`], { pool: p })).stdout).toBe(`staging ${i}\n`);
      expect((await execRaw(prod, ['echo', `prod ${i}`], { pool: p })).stdout).toBe(`prod ${i}\n`);
    }
    writeFileSync(flag, '');
    expect((await long).stdout).toBe('prod-done\n');
    expect([p.statusOf('lb1', 'prod')?.connectedSince, p.statusOf('lb1', 'staging')?.connectedSince]).toEqual(since);
    expect(p.status().map((st) => [st.cluster, st.director, st.state]).sort()).toEqual([
      ['prod', 'lb1', 'ready'],
      ['staging', 'lb1', 'ready'],
    ]);
    rmSync(flag);
  }, 180_000);
});

describe('reconnect', () => {
  it('a killed session is replaced at once; a full sshd restart is survived with backoff', async () => {
    const d = director({ name: 'reconnect' });
    const p = newPool();
    await execRaw(d, ['true'], { pool: p });
    const since = p.statusOf('reconnect')?.connectedSince;
    expect(sshd.killSessions()).toBeGreaterThan(0);
    // The next exec succeeds (reconnected transparently; the command was never sent on the dead one).
    expect((await execRaw(d, ['echo', 'back'], { pool: p })).stdout).toBe('back\n');
    expect(p.statusOf('reconnect')?.connectedSince).not.toBe(since);

    // Full outage: typed failures while down, success after restart.
    await sshd.stop();
    await until(() => expect(p.statusOf('reconnect')?.state).not.toBe('ready'));
    const down = await codeOf(execRaw(d, ['true'], { pool: p }));
    expect(['disconnected', 'connect-refused']).toContain(down.code);
    const fast = await codeOf(execRaw(d, ['true'], { pool: p }));
    expect(['disconnected', 'connect-refused']).toContain(fast.code);
    expect(p.statusOf('reconnect')?.state).toBe('backoff'); // not terminal: it keeps trying
    await sshd.start();
    // The backoff timer reconnects by itself; commands meanwhile fail fast with a typed error.
    await until(async () => {
      const r = await execRaw(d, ['echo', 'up'], { pool: p }).catch((e: unknown) => {
        if (!(e instanceof DirectorError)) throw e;
        return null;
      });
      expect(r?.stdout).toBe('up\n');
    });
    const st = p.statusOf('reconnect');
    expect(st).toMatchObject({ state: 'ready', reconnectAttempts: 0 });
    expect(st?.lastExecOkAt).not.toBeNull();
  });

  it('backoff between failed attempts doubles from reconnectMinMs up to reconnectMaxMs (jitter pinned)', async () => {
    const relay = await countingRelay(sshd.port, 'drop');
    try {
      // random() is asked once per scheduled retry; the microtask then sees what was scheduled.
      const scheduled: number[] = [];
      const p = newPool(
        { reconnectMinMs: 20, reconnectMaxMs: 160 },
        {
          random: () => {
            queueMicrotask(() => {
              const st = p.statusOf('flaky');
              if (st?.backoffMs != null) scheduled.push(st.backoffMs);
            });
            return 1; // the full delay: base/2 + base/2
          },
        },
      );
      const d = director({ name: 'flaky', port: relay.port });
      expect((await codeOf(execRaw(d, ['true'], { pool: p }))).code).toBe('unreachable');
      expect(p.statusOf('flaky')).toMatchObject({ state: 'backoff', reconnectAttempts: 0 });
      await until(() => expect(relay.attempts.length).toBeGreaterThanOrEqual(8));
      await p.closeAll();
      // 20, 20, 40, 80, 160, then capped: the delays each retry was scheduled with (not clock
      // readings, which a loaded machine spreads).
      const want = [20, 20, 40, 80, 160, 160, 160];
      expect(scheduled.length).toBeGreaterThanOrEqual(want.length);
      expect(scheduled.slice(0, want.length)).toEqual(want);
      // Timers never fire early: each attempt came at least its delay after the previous one.
      relay.attempts.slice(1, want.length + 1).forEach((t, i) => expect(t - (relay.attempts[i] ?? 0), `gap ${i + 1}`).toBeGreaterThanOrEqual((want[i] ?? 0) - 2));
    } finally {
      await relay.close();
    }
  });

  it('a host-key mismatch or a refused login is terminal: no retry loop, commands fail fast, reconnectNow tries once', async () => {
    const stranger = path.join(dir, 'id_stranger_terminal');
    keygen(stranger, 'ed25519');
    const relays = { hostKey: await countingRelay(sshd.port, 'relay'), auth: await countingRelay(sshd.port, 'relay'), transient: await countingRelay(sshd.port, 'drop') };
    try {
      const p = newPool({ reconnectMinMs: 20, reconnectMaxMs: 40 });
      const hk = director({ name: 't-hostkey', port: relays.hostKey.port, hostKey: jump.hostKeyFingerprint });
      const au = director({ name: 't-auth', port: relays.auth.port, privateKeyPath: stranger });
      const tr = director({ name: 't-transient', port: relays.transient.port });
      expect((await codeOf(execRaw(hk, ['true'], { pool: p }))).code).toBe('host-key-mismatch');
      expect((await codeOf(execRaw(au, ['true'], { pool: p }))).code).toBe('auth-failed');
      expect((await codeOf(execRaw(tr, ['true'], { pool: p }))).code).toBe('unreachable');
      expect(p.statusOf('t-hostkey')).toMatchObject({ state: 'failed', nextAttemptAt: null, lastError: { code: 'host-key-mismatch' } });
      expect(p.statusOf('t-auth')).toMatchObject({ state: 'failed', nextAttemptAt: null, lastError: { code: 'auth-failed' } });
      expect(p.statusOf('t-transient')?.state).toBe('backoff');
      // The transient one retries on its own (same backoff settings); by the time it made five more
      // attempts, the terminal ones would have too if they retried.
      await until(() => expect(relays.transient.attempts.length).toBeGreaterThanOrEqual(6));
      expect([relays.hostKey.attempts.length, relays.auth.attempts.length]).toEqual([1, 1]);
      // Commands fail fast with the same error, without connecting.
      for (let i = 0; i < 3; i++) {
        const e = await codeOf(execRaw(hk, ['true'], { pool: p }));
        expect(e.code).toBe('host-key-mismatch');
        expect(e.message).toContain('not retried automatically');
        expect((await codeOf(execRaw(au, ['true'], { pool: p }))).code).toBe('auth-failed');
      }
      expect([relays.hostKey.attempts.length, relays.auth.attempts.length]).toEqual([1, 1]);
      // "Retry now": exactly one more attempt each, and failed again.
      p.reconnectNow('t-hostkey');
      p.reconnectNow('t-auth');
      await until(() => {
        expect(p.statusOf('t-hostkey')?.state).toBe('failed');
        expect(p.statusOf('t-auth')?.state).toBe('failed');
        expect([relays.hostKey.attempts.length, relays.auth.attempts.length]).toEqual([2, 2]);
      });
      const after = relays.transient.attempts.length;
      await until(() => expect(relays.transient.attempts.length).toBeGreaterThanOrEqual(after + 5));
      expect([relays.hostKey.attempts.length, relays.auth.attempts.length]).toEqual([2, 2]);
      expect(p.statusOf('t-hostkey')?.reconnectAttempts).toBe(1);
      await p.closeAll();
    } finally {
      await Promise.all(Object.values(relays).map((r) => r.close()));
    }
  });
});

describe('execStream', () => {
  it('streams 200k lines with bounded buffering (backpressure)', async () => {
    const d = director({ name: 'stream' });
    const p = newPool();
    // 200 000 lines of 101 bytes = 20 MB.
    const s = execStreamRaw(d, ['seq', '-f', '%0100.0f', '1', '200000'], { pool: p });
    let n = 0;
    let last = '';
    let heldBytes = -1;
    const heap0 = process.memoryUsage().heapUsed;
    for await (const line of s) {
      n++;
      last = line;
      if (n === 1) {
        // Stall the consumer: the director must stop sending once the SSH window is full.
        await new Promise((r) => setTimeout(r, 700));
        heldBytes = s.stats.bytes + s.stats.buffered;
      }
    }
    const heapGrowth = process.memoryUsage().heapUsed - heap0;
    expect(n).toBe(200_000);
    expect(last).toBe(`${'0'.repeat(94)}200000`);
    expect(s.stats.bytes).toBe(200_000 * 101);
    // Received while stalled = consumed + buffered: about one SSH window (2 MiB) plus the stream buffer.
    expect(heldBytes).toBeGreaterThan(0);
    expect(heldBytes).toBeLessThan(6 * 1024 * 1024);
    console.log(`[numbers] execStream: ${heldBytes} bytes received while the consumer stalled (of 20.2 MB); heap growth ${(heapGrowth / 1e6).toFixed(1)} MB`);
    expect(p.statusOf('stream')?.activeChannels).toBe(0);
  });

  it('breaking out early stops the command and frees the channel', async () => {
    const d = director({ name: 'stream-break' });
    const p = newPool();
    let n = 0;
    for await (const _line of execStreamRaw(d, ['yes'], { pool: p })) {
      if (++n === 1000) break;
    }
    expect(n).toBe(1000);
    expect(p.statusOf('stream-break')?.activeChannels).toBe(0);
    expect((await execRaw(d, ['echo', 'ok'], { pool: p })).stdout).toBe('ok\n');
  });

  it('a failing streamed command throws after its lines', async () => {
    const lines: string[] = [];
    const e = await codeOf(
      (async () => {
        for await (const l of execStreamRaw(director(), ['sh', '-c', 'echo a; echo b; echo oops >&2; exit 5'], { pool })) lines.push(l);
      })(),
    );
    expect(lines).toEqual(['a', 'b']);
    expect(e.code).toBe('command-failed');
    expect(e.stderr).toBe('oops\n');
  });
});

describe('jump host', () => {
  it('reaches the director through forwardOut, verifying both host keys', async () => {
    const via = { host: '127.0.0.1', port: jump.port, user: 'root', hostKey: jump.hostKeyFingerprint };
    const d = director({ name: 'jumped', jumpHost: via });
    const p = newPool();
    const r = await execRaw(d, ['sh', '-c', 'echo via jump; echo "$SSH_CLIENT"'], { pool: p });
    const [said, sshClient] = r.stdout.split('\n');
    expect(said).toBe('via jump');
    // The director sees a connection whose client end is a socket of the jump host's sshd.
    const srcPort = Number(sshClient?.split(' ')[1]);
    expect(jump.ownsLocalPort(srcPort)).toBe(true);
    expect(sshd.ownsLocalPort(srcPort)).toBe(false);

    const marker = path.join(dir, 'marker-jump');
    const bad = await codeOf(execRaw(director({ name: 'jump-bad', jumpHost: { ...via, hostKey: sshd.hostKeyFingerprint } }), ['touch', marker], { pool: p }));
    expect(bad.code).toBe('host-key-mismatch');
    expect(bad.side).toBe('jump-host');
    expect(bad.message).toContain('jump host');
    const badDir = await codeOf(execRaw(director({ name: 'jump-dir-bad', hostKey: jump.hostKeyFingerprint, jumpHost: via }), ['touch', marker], { pool: p }));
    expect(badDir.code).toBe('host-key-mismatch');
    expect(badDir.side).toBe('director');
    const untrusted = await codeOf(
      execRaw(director({ name: 'jump-untrusted', jumpHost: { host: '127.0.0.1', port: jump.port, user: 'root' } }), ['touch', marker], { pool: p }),
    );
    expect(untrusted.code).toBe('host-key-unknown');
    expect(existsSync(marker)).toBe(false);
  });
});
