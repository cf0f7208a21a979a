import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSsh, waitFor } from '@/server/testing/lab';
import { ConsoleConfig, type DirectorConfig } from '../config/schema';
import {
  conntrackFigures,
  ipAddrJson,
  ipvsadmConnections,
  ipvsadmEditRealServer,
  ipvsadmList,
  ipvsadmListService,
  ipvsadmSave,
  ipvsadmTimeout,
  journalctlEntries,
  keepalivedConfigTest,
  keepalivedSignal,
  nmcliConnections,
  nmcliDevices,
  nmcliRunning,
  pidofKeepalived,
  readFile,
  sysctlRead,
  writeTrackFile,
  type CatalogueCommand,
} from '../commands/catalogue';
import { DirectorError } from './errors';
import { exec, execRaw, execSequence } from './exec';
import { SshPool } from './pool';

// Against the lab directors (lab/global-setup.ts boots the lab), as the non-root
// `lvsconsole` user with the lab's real sudoers. Every ssh round trip costs 0.5–1 s under
// TCG, so checks are batched into execSequence where possible. Anything changed is restored.

const ROOT = path.resolve(__dirname, '../..');
const STATE = path.join(ROOT, 'lab/.state');
const CTL = path.join(ROOT, 'lab/ctl');

let cfg: ConsoleConfig;
let dir1: DirectorConfig;
let dir2: DirectorConfig;
let pool: SshPool;
const pools: SshPool[] = [];

function newPool(): SshPool {
  const p = new SshPool({
    // Limits far above what a loaded CI machine needs under TCG (a 25-step sequence once took > 20 s).
    tuning: { connectTimeoutMs: 60_000, commandTimeoutMs: 120_000, reconnectMinMs: 300, reconnectMaxMs: 3000, maxChannelsPerDirector: 6 },
  });
  pools.push(p);
  return p;
}

function ctl(...args: string[]): string {
  return execFileSync('bash', [CTL, ...args], { encoding: 'utf8', timeout: 60_000 });
}

async function failure(p: Promise<unknown>): Promise<DirectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DirectorError) return e;
    throw e;
  }
  throw new Error('expected a DirectorError');
}

beforeAll(() => {
  cfg = ConsoleConfig.parse(parse(readFileSync(path.join(STATE, 'console.yaml'), 'utf8')));
  const ds = cfg.clusters.flatMap((c) => c.directors);
  const d1 = ds.find((d) => d.name === 'dir1');
  const d2 = ds.find((d) => d.name === 'dir2');
  if (!d1 || !d2) throw new Error('console.yaml has no dir1/dir2');
  dir1 = d1;
  dir2 = d2;
  expect(dir1.user).toBe('lvsconsole');
  expect(dir1.sudo).toBe(true);
  pool = newPool();
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.closeAll()));
});

describe('lab: host keys, sudo, timeouts', () => {
  it('the pinned host key passes and ipvsadm -Ln runs through sudo', async () => {
    const r = await exec(dir1, ipvsadmList({ exact: true, mode: 'list' }), { pool });
    expect(r.stdout).toMatch(/^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)/);
    expect(r.stdout).toContain('192.0.2.100:80');
    expect(pool.statusOf('dir1', 'lab')).toMatchObject({ state: 'ready', hostKeyFingerprint: dir1.hostKey });
  });

  it('a wrong pin is refused with host-key-mismatch and nothing runs', async () => {
    const marker = '/tmp/lvsc-wrong-pin-marker';
    const p = newPool();
    const wrong = { ...dir1, hostKey: dir2.hostKey };
    const e = await failure(execRaw(wrong, ['touch', marker], { pool: p }));
    expect(e.code).toBe('host-key-mismatch');
    expect(e.expectedFingerprints).toEqual([dir2.hostKey]);
    expect(e.presentedFingerprint).toBe(dir1.hostKey);
    expect(e.message).toContain(`expected ${dir2.hostKey}, presented ${dir1.hostKey}`);
    // The marker was never created (checked over the good connection).
    const chk = await execRaw(dir1, ['test', '-e', marker], { pool, okExitCodes: [0, 1] });
    expect(chk.exitCode).toBe(1);
  });

  it('a command sudoers does not allow is refused (sudo-refused)', async () => {
    const e = await failure(execRaw(dir1, ['id'], { pool, sudo: true }));
    expect(e.code).toBe('sudo-refused');
    expect(e.commandText).toBe('sudo -n -- id');
    console.log(`[lab] sudo refusal stderr: ${JSON.stringify(e.stderr.trim())}`);
  });

  it('anything outside the catalogue is refused by sudo: clearing or adding services, other files, other signals, shells, injected arguments', async () => {
    const hostile: string[][] = [
      ['/usr/sbin/ipvsadm', '-C'],
      ['/usr/sbin/ipvsadm', '-A', '-t', '192.0.2.200:80', '-s', 'rr'],
      ['/usr/sbin/ipvsadm', '-d', '-t', '192.0.2.100:80', '-r', '192.0.2.11:80'],
      ['/usr/sbin/ipvsadm', '-e', '-t', '192.0.2.100:80', '-r', '192.0.2.11:80', '-g', '-w', '1;id'],
      ['/usr/sbin/ipvsadm', '--restore'],
      ['/usr/bin/cat', '/etc/shadow'],
      ['/usr/bin/pkill', '-9', 'keepalived'],
      ['/usr/bin/pkill', '-USR1', '-F', '/tmp/evil.pid'],
      ['/usr/sbin/keepalived', '-t', '-f', '/etc/shadow'],
      ['/bin/sh', '-c', 'id'],
      ['/usr/bin/tee', '/etc/sudoers.d/x'],
    ];
    const refusals: string[] = [];
    for (const argv of hostile) {
      const e = await failure(execRaw(dir1, argv, { pool, sudo: true }));
      expect(e.code, argv.join(' ')).toBe('sudo-refused');
      refusals.push(argv.join(' '));
    }
    console.log(`[lab] sudo refused all ${refusals.length}: ${refusals.join(' | ')}`);
    // And nothing changed: the lab's services are all still there.
    const list = await execRaw(dir1, ['/usr/sbin/ipvsadm', '-Ln'], { pool, sudo: true });
    expect(list.stdout).toContain('192.0.2.100:80');
  });

  it('a hanging command times out, is killed on the director, and the connection stays usable', async () => {
    const pidFile = '/tmp/lvsc-sleeper.pid';
    // It cannot end on its own during the run: the exec settling is the limit at work (how soon is
    // a bench row, bench/ssh-exec.bench.ts).
    const e = await failure(execRaw(dir1, ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 3600`], { pool, timeoutMs: 1500 }));
    expect(e.code).toBe('command-timeout');
    // sshd delivers our TERM for a non-root session (and `timeout` on the director is the
    // backstop at limit + 1 s): the sleeper is gone within a few seconds at most.
    const r = await execRaw(
      dir1,
      ['sh', '-c', `p=$(cat ${pidFile}); rm -f ${pidFile}; for i in $(seq 50); do kill -0 "$p" 2>/dev/null || { echo gone after $i; exit 0; }; sleep 0.1; done; echo alive`],
      { pool },
    );
    console.log(`[lab] timed-out sleeper: ${r.stdout.trim()} (x 0.1 s)`);
    expect(r.stdout).toMatch(/^gone after \d+/);
  });
});

describe('lab: catalogue vs the directors sudoers, in one round trip', () => {
  it('execSequence of the refresh steps (and every sudo entry) runs in one exec', async () => {
    const single0 = Date.now();
    await execRaw(dir1, ['true'], { pool });
    const single = Date.now() - single0;
    const allowed: CatalogueCommand[] = [
      ipvsadmList({ exact: true, mode: 'list' }),
      ipvsadmList({ exact: true, mode: 'stats' }),
      ipvsadmList({ exact: true, mode: 'rate' }),
      ipvsadmList({ exact: false, mode: 'thresholds' }),
      ipvsadmList({ exact: false, mode: 'persistent-conn' }),
      ipvsadmList({ exact: false, mode: 'tun-info' }),
      ipvsadmListService({ protocol: 'tcp', address: '192.0.2.100', port: 80 }),
      ipvsadmListService({ protocol: 'tcp', address: '2001:db8::1', port: 80 }, { exact: true, mode: 'stats' }),
      ipvsadmListService({ protocol: 'udp', address: '192.0.2.101', port: 5353 }),
      ipvsadmListService({ fwmark: 1, family: 'inet' }),
      ipvsadmConnections(),
      ipvsadmSave(),
      ipvsadmTimeout(),
      keepalivedSignal('data'),
      keepalivedSignal('stats'),
      keepalivedSignal('json'),
      keepalivedConfigTest(),
      ipAddrJson(),
      pidofKeepalived(),
      sysctlRead(['net.ipv4.ip_forward', 'net.ipv4.vs.expire_quiescent_template', 'net.ipv4.conf.all.arp_ignore']),
      conntrackFigures(),
      journalctlEntries({ source: { identifiers: ['Keepalived', 'Keepalived_vrrp', 'Keepalived_healthcheckers'] }, lines: 3 }),
      readFile('/var/log/keepalived.log', { tailLines: 5 }),
    ];
    // NetworkManager is optional on a director: dir1 has nmcli but does not run it (exit 8, "not
    // running"); a director without nmcli answers 127. Neither needs sudo.
    const optional: CatalogueCommand[] = [nmcliRunning(), nmcliDevices(), nmcliConnections()];
    // Allowed by sudo, but the lab has no IPv6 fwmark service: ipvsadm itself answers "No such service".
    const notInSudoers: CatalogueCommand[] = [ipvsadmListService({ fwmark: 2, family: 'inet6' })];
    const opened0 = pool.statusOf('dir1', 'lab')?.channelsOpened ?? 0;
    const t0 = Date.now();
    const r = await execSequence(dir1, [...allowed, ...notInSudoers, ...optional], { pool });
    const seq = Date.now() - t0;
    // One round trip: exactly one exec channel for all the steps.
    expect((pool.statusOf('dir1', 'lab')?.channelsOpened ?? 0) - opened0).toBe(1);
    const report = r.steps.map((s) => `${s.command.argv.join(' ')} -> ${s.exitCode}${s.error ? ` ${s.error.code}: ${s.stderr.trim().slice(0, 120)}` : ''}`);
    console.log(`[lab] sequence of ${r.steps.length} steps in ${seq} ms (one plain exec: ${single} ms)\n  ${report.join('\n  ')}`);
    r.steps.slice(0, allowed.length).forEach((s, i) => {
      // The sudoers allows every one of these. pkill exits 1 (not a refusal) if another lab test
      // has keepalived stopped on dir1 right now; everything else must succeed.
      expect(s.error?.code, report[i]).not.toBe('sudo-refused');
      if (s.command.name !== 'keepalivedSignal') expect(s.error, report[i]).toBeNull();
    });
    for (const s of r.steps.slice(allowed.length, allowed.length + notInSudoers.length)) {
      expect(s.error?.code).toBe('command-failed');
      expect(s.stderr).toContain('No such service');
    }
    for (const s of r.steps.slice(-optional.length)) expect([0, 8, 127], s.command.argv.join(' ')).toContain(s.exitCode);
    expect(r.steps.at(-optional.length)?.stderr).toContain('NetworkManager is not running');
    expect(r.steps[0]?.stdout).toContain('IP Virtual Server version');
    expect(r.steps[10]?.stdout).toContain('IPVS connection entries');
    expect(JSON.parse(r.steps[17]?.stdout ?? '')).toBeInstanceOf(Array);

    // The JSON dump requested by signal 36 lands in /tmp/keepalived.json, readable by the console
    // user without sudo (keepalived runs with group lvsconsole and umask 027: root:lvsconsole 0640;
    // sudoers has no cat).
    const json = await exec(dir1, readFile('/tmp/keepalived.json'), { pool });
    expect(JSON.parse(json.stdout)).toBeInstanceOf(Array);
  });

  it("keepalived's dumps are root:lvsconsole 0640: the console user reads them, other local users cannot (VRRP passwords)", async () => {
    await labSsh('dir1', 'rm -f /tmp/keepalived.data');
    await exec(dir1, keepalivedSignal('data'), { pool });
    await waitFor('a fresh /tmp/keepalived.data on dir1', async () => (await labSsh('dir1', 'test -s /tmp/keepalived.data && echo yes || echo no')).trim() === 'yes');
    expect((await labSsh('dir1', 'stat -c "%a %U %G" /tmp/keepalived.data')).trim()).toBe('640 root lvsconsole');
    const data = await exec(dir1, readFile('/tmp/keepalived.data'), { pool });
    expect(data.stdout).toMatch(/^ *VRRP Instance = VI_V4$/m);
    const other = await labSsh('dir1', 'runuser -u nobody -- cat /tmp/keepalived.data >/dev/null 2>&1 && echo readable || echo refused');
    expect(other.trim()).toBe('refused');
  });

  it('edits a real server weight and writes a track file (each restored to its current value)', async () => {
    const save = await exec(dir1, ipvsadmSave(), { pool });
    // Any DR real server of an IPv4 TCP service (other lab tests may have taken some away).
    const m = /^-a -t (\d+\.\d+\.\d+\.\d+):(\d+) -r (\d+\.\d+\.\d+\.\d+):(\d+) -g -w (\d+)$/m.exec(save.stdout);
    expect(m, save.stdout).not.toBeNull();
    const [, vip, vport, rip, rport, w] = m ?? [];
    await exec(
      dir1,
      ipvsadmEditRealServer({
        service: { protocol: 'tcp', address: vip ?? '', port: Number(vport) },
        realServer: { address: rip ?? '', port: Number(rport) },
        forward: 'route',
        weight: Number(w),
      }),
      { pool },
    );
    const track = '/var/lib/lvs-console/track/rs3-80';
    const cur = (await execRaw(dir1, ['cat', track], { pool })).stdout.trim();
    expect(cur).toMatch(/^\d+$/);
    const wr = await exec(dir1, writeTrackFile('rs3-80', Number(cur)), { pool });
    expect(wr.stdout).toBe(`${cur}\n`);
  });
});

describe('lab: reconnect', () => {
  it('while dir2 sshd is down exec fails with a typed error; after start it succeeds again', async () => {
    const p = newPool();
    await execRaw(dir2, ['true'], { pool: p });
    ctl('sshd', 'stop', 'dir2');
    try {
      // Open sessions survive a stopped listener: the pooled connection still works.
      expect((await execRaw(dir2, ['echo', 'alive'], { pool: p })).stdout).toBe('alive\n');
      // Now lose that connection too: kill our own session's sshd process (the parent of `timeout`).
      const killed = await failure(execRaw(dir2, ['sh', '-c', 'kill -9 $(ps -o ppid= -p $PPID)'], { pool: p }));
      expect(killed.code).toBe('disconnected');
      const down = await failure(execRaw(dir2, ['true'], { pool: p }));
      expect(down).toBeInstanceOf(DirectorError);
      console.log(`[lab] dir2 sshd down: ${down.code}: ${down.message}`);
      expect(['unreachable', 'connect-refused', 'connect-timeout', 'disconnected']).toContain(down.code);
      expect(p.statusOf('dir2', 'lab')?.state).not.toBe('ready');
    } finally {
      ctl('sshd', 'start', 'dir2');
    }
    const t0 = Date.now();
    let ok = false;
    let lastErr = '';
    while (!ok && Date.now() - t0 < 60_000) {
      try {
        ok = (await execRaw(dir2, ['echo', 'back'], { pool: p })).stdout === 'back\n';
      } catch (e) {
        expect(e).toBeInstanceOf(DirectorError);
        lastErr = (e as DirectorError).code;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(ok, lastErr).toBe(true);
    console.log(`[lab] dir2 back ${Date.now() - t0} ms after sshd start; status ${JSON.stringify(p.statusOf('dir2', 'lab'))}`);
  });
});
