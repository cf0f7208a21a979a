import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/models/auth';
import { AuditLog } from '@/server/audit/log';
import { ClusterConfig, DirectorConfig } from '@/server/config/schema';
import { testDb } from '@/server/testing/test-db';
import { backoffMs } from '@/server/drain/reconcile';
import { SshPool } from '@/server/ssh/pool';
import { freePort, keygen, startSshd, type TestSshd } from '@/server/ssh/test-sshd';
import { HaproxyHoldStore } from './hold-store';
import { HaproxyService } from './service';

// The HAProxy hold reconciler's failure paths: an instance that does not answer, a re-apply that
// fails (HAProxy refuses it, or the command itself fails), the back-off growing with each failure,
// and a hold released while a pass runs. The real parts: the ssh2 pool and a real OpenSSH sshd on
// 127.0.0.1 (server/ssh/test-sshd.ts) running the real wrapper deploy/lvs-haproxy-cmd (and its socat). HAProxy itself is
// a STAND-IN here (a Unix socket answering `show stat` from the lab's captured CSV and `set server`
// as told): this tests the reconciler's scheduling, not HAProxy; real HAProxy is proven in
// haproxy.lab.test.ts. The reconciler's clock is injected (behind real time, so every read is fresh).

const INTERVAL = 2000;
const actor: Actor = { name: 'alice', role: 'operator', source: 'test', clusters: null, via: 'session' };

let dir = '';
let runDir = '';
let sshd: TestSshd;
let clientKey = '';
let refusedPort = 0;
const pools: SshPool[] = [];

/** A stand-in for HAProxy's admin socket (non-interactive mode: one command line, one answer, close). */
interface StandIn {
  socket: string;
  /** What `show stat` reports for galera/rs1. */
  status: string;
  /** How `set server` is answered: applied (empty answer) or refused (HAProxy's sentence). */
  onSet: 'apply' | 'refuse';
  /** Remove the socket file after the next `show stat` answer (HAProxy restarting between a read and a re-apply). */
  vanishAfterRead: boolean;
  /** Listen on the socket path again. */
  relisten: () => Promise<void>;
  /** Every command line received, in order. */
  received: string[];
  /** While set, `show stat` answers only once this resolves (a pass held in flight). */
  holdReads: Promise<void> | null;
  close: () => Promise<void>;
}

const CSV = readFileSync(path.join(__dirname, '../parsers/fixtures/haproxy/show-stat-lab-dir1.csv'), 'utf8');

function showStat(status: string): string {
  const [head = '', ...rows] = CSV.split('\n');
  const col = head.slice(2).split(',').indexOf('status');
  return [head, ...rows.map((r) => (r.startsWith('galera,rs1,') ? r.split(',').map((v, i) => (i === col ? status : v)).join(',') : r))].join('\n');
}

async function standIn(name: string): Promise<StandIn> {
  const socket = path.join(runDir, `${name}.sock`);
  const sockets = new Set<Socket>();
  const s: StandIn = { socket, status: 'UP', onSet: 'apply', vanishAfterRead: false, received: [], holdReads: null, close: () => Promise.resolve(), relisten: () => Promise.resolve() };
  // Half-open allowed: socat shuts its sending side down after the command line, as HAProxy expects.
  const srv: Server = createServer({ allowHalfOpen: true }, (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.on('error', () => undefined);
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = '';
      s.received.push(line);
      if (line === 'show stat') {
        void (s.holdReads ?? Promise.resolve()).then(() =>
          c.end(showStat(s.status), () => {
            if (s.vanishAfterRead) rmSync(socket, { force: true });
            s.vanishAfterRead = false;
          }),
        );
        return;
      }
      const m = /^set server galera\/rs1 state (drain|maint|ready)$/.exec(line);
      if (!m) return void c.end('Unknown command.\n');
      if (s.onSet === 'refuse') return void c.end('Permission denied\n');
      s.status = m[1] === 'ready' ? 'UP' : (m[1] ?? '').toUpperCase();
      c.end();
    });
  });
  await new Promise<void>((r) => srv.listen(socket, r));
  s.relisten = async () => {
    await new Promise<void>((r) => srv.close(() => r()));
    rmSync(socket, { force: true });
    await new Promise<void>((r) => srv.listen(socket, r));
  };
  s.close = () =>
    new Promise<void>((r) => {
      for (const x of sockets) x.destroy();
      srv.close(() => r());
    });
  return s;
}

function director(name: string, port: number): DirectorConfig {
  return DirectorConfig.parse({ name, host: '127.0.0.1', port, user: 'root', privateKeyPath: clientKey, hostKey: sshd.hostKeyFingerprint });
}

interface World {
  service: HaproxyService;
  audit: AuditLog;
  holds: HaproxyHoldStore;
  clock: { now: number };
  reapplies: () => { outcome: string; instance: unknown; error: unknown }[];
}

function world(instances: { name: string; director: DirectorConfig; socket: string }[]): World {
  const db = testDb();
  const audit = new AuditLog(db);
  const holds = new HaproxyHoldStore(db);
  const directors = [...new Map(instances.map((i) => [i.director.name, i.director])).values()];
  const cluster = ClusterConfig.parse({ name: 'lab', directors, haproxy: instances.map((i) => ({ name: i.name, director: i.director.name, socket: i.socket })) });
  const pool = new SshPool({ tuning: { connectTimeoutMs: 30_000, commandTimeoutMs: 60_000, reconnectMinMs: 100, reconnectMaxMs: 200 } });
  pools.push(pool);
  const clock = { now: 1_000_000 };
  const service = new HaproxyService({ clusters: [cluster], pool, audit, holds, commandTimeoutMs: 60_000, intervalMs: INTERVAL, reconcile: true, now: () => clock.now });
  const reapplies = () =>
    audit
      .list({ action: 'haproxy-reapply' })
      .reverse()
      // Each re-apply first writes an `attempted` row (issue 14, item 10), then its outcome.
      .filter((e) => e.outcome !== 'attempted')
      .map((e) => {
        const d = e.detail as { instance?: unknown; error?: unknown };
        return { outcome: e.outcome, instance: d.instance, error: d.error };
      });
  return { service, audit, holds, clock, reapplies };
}

const drainHold = (w: World, createdAt = 0) =>
  w.holds.set({ cluster: 'lab', backend: 'galera', server: 'rs1', actor: 'alice', reason: 'maintenance', createdAt, aspect: 'state', state: 'drain' });
const sets = (s: StandIn) => s.received.filter((l) => l.startsWith('set server'));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lvsc-haproxy-'));
  // HAProxy socket paths must lie under /run, /var/run or /var/lib/haproxy (the command catalogue checks).
  runDir = mkdtempSync('/run/lvsc-haproxy-test-');
  clientKey = path.join(dir, 'id_ed25519');
  writeFileSync(path.join(dir, 'authorized_keys'), `${keygen(clientKey, 'ed25519').pub}\n`);
  // The console reaches HAProxy only as `sudo -n -u lvs-haproxy -- /usr/local/sbin/lvs-haproxy-cmd
  // SOCKET` (server/commands/haproxy.ts). This host has no sudo and no installed wrapper: a
  // stand-in sudo (on the sshd's PATH only) runs the project's REAL wrapper, deploy/lvs-haproxy-cmd,
  // for exactly that argv and refuses anything else, so the line filter is on the path under test.
  // Real sudo with the real sudoers rule is proven in haproxy.lab.test.ts.
  const wrapper = path.resolve(__dirname, '../../deploy/lvs-haproxy-cmd');
  mkdirSync(path.join(dir, 'fakebin'));
  const fakeSudo = path.join(dir, 'fakebin', 'sudo');
  writeFileSync(
    fakeSudo,
    [
      '#!/bin/sh',
      '# STAND-IN sudo for server/haproxy/reconcile.test.ts only.',
      '[ "$1 $2 $3 $4 $5" = "-n -u lvs-haproxy -- /usr/local/sbin/lvs-haproxy-cmd" ] && [ "$#" -eq 6 ] || { echo "stand-in sudo: unexpected $*" >&2; exit 1; }',
      `exec sh '${wrapper}' "$6"`,
      '',
    ].join('\n'),
  );
  chmodSync(fakeSudo, 0o755);
  sshd = await startSshd(dir, 'haproxy-host', [`SetEnv PATH=${path.join(dir, 'fakebin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`]);
  refusedPort = await freePort();
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
});

let open: StandIn[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.closeAll()));
  await Promise.all(open.splice(0).map((s) => s.close()));
});

// Each pass is a few ssh round trips; a loaded CI machine makes them slow (time-outs, not timings).
describe('HAProxy hold reconciler: failure paths', { timeout: 180_000 }, () => {
  it('an instance that does not answer is skipped; the one that forgot the hold gets it back', async () => {
    const h1 = await standIn('h1');
    open = [h1];
    const w = world([
      { name: 'haproxy-dir1', director: director('dir1', sshd.port), socket: h1.socket },
      { name: 'haproxy-dir2', director: director('dir2', refusedPort), socket: h1.socket },
    ]);
    const hold = drainHold(w);
    await w.service.reconcileAll();
    expect(sets(h1)).toEqual(['set server galera/rs1 state drain']);
    expect(h1.status).toBe('DRAIN');
    // One re-apply, on the instance that answered; nothing recorded against the unreachable one.
    expect(w.reapplies()).toEqual([{ outcome: 'ok', instance: 'haproxy-dir1', error: null }]);
    expect(w.holds.open('lab')).toEqual([expect.objectContaining({ id: hold.id, reapplied: 1, lastError: null })]);
    // The read still shows why dir2 is not held: it did not answer.
    const v = await w.service.read('lab');
    expect(v.instances.map((i) => [i.name, i.error === null])).toEqual([['haproxy-dir1', true], ['haproxy-dir2', false]]);
    expect(v.instances[1]?.error).toMatch(/connection refused|refused/i);
    // Nothing drifted any more: the next pass sends nothing.
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(1);
  });

  it('a refused re-apply is recorded and retried only after a back-off that doubles with each failure', async () => {
    const h1 = await standIn('h1');
    open = [h1];
    h1.onSet = 'refuse';
    const w = world([{ name: 'haproxy-dir1', director: director('dir1', sshd.port), socket: h1.socket }]);
    drainHold(w);
    const t0 = w.clock.now;

    await w.service.reconcileAll(); // failure 1
    expect(sets(h1)).toHaveLength(1);
    expect(w.reapplies()).toEqual([{ outcome: 'failed', instance: 'haproxy-dir1', error: 'HAProxy answered: Permission denied' }]);
    expect(w.holds.open('lab')[0]).toMatchObject({ reapplied: 0, lastError: 'HAProxy answered: Permission denied' });

    const wait1 = backoffMs(1, INTERVAL);
    expect(wait1).toBe(2 * INTERVAL);
    w.clock.now = t0 + wait1 - 1; // still backing off: the drift is seen, nothing is sent
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(1);
    expect(h1.received.filter((l) => l === 'show stat').length).toBeGreaterThanOrEqual(2);
    w.clock.now = t0 + wait1; // failure 2
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(2);

    const t2 = w.clock.now;
    const wait2 = backoffMs(2, INTERVAL);
    expect(wait2).toBe(2 * wait1);
    w.clock.now = t2 + wait2 - 1;
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(2);
    w.clock.now = t2 + wait2; // failure 3
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(3);

    // HAProxy takes it now: the next attempt (after the third back-off) works and clears the error.
    h1.onSet = 'apply';
    const t3 = w.clock.now;
    w.clock.now = t3 + backoffMs(3, INTERVAL) - 1;
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(3);
    w.clock.now = t3 + backoffMs(3, INTERVAL);
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(4);
    expect(h1.status).toBe('DRAIN');
    expect(w.reapplies().map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'ok']);
    expect(w.holds.open('lab')[0]).toMatchObject({ reapplied: 1, lastError: null });
    // The failures were forgotten with that success: a new drift is repaired on the next pass.
    h1.status = 'UP';
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(5);
  });

  it('a re-apply whose command fails (the socket gone: HAProxy restarting) is recorded as failed and backs off', async () => {
    const h1 = await standIn('h1');
    open = [h1];
    const w = world([{ name: 'haproxy-dir1', director: director('dir1', sshd.port), socket: h1.socket }]);
    drainHold(w);
    h1.vanishAfterRead = true;
    await w.service.reconcileAll();
    const [r] = w.reapplies();
    expect(r).toMatchObject({ outcome: 'failed', instance: 'haproxy-dir1' });
    expect(r?.error).toMatch(/`sudo -n -u lvs-haproxy -- \/usr\/local\/sbin\/lvs-haproxy-cmd .*h1\.sock` failed with exit code 2: lvs-haproxy-cmd: not a socket/);
    expect(w.holds.open('lab')[0]).toMatchObject({ reapplied: 0, lastError: r?.error });
    // HAProxy is back (still without the drain): the same clock is inside the back-off, nothing is sent.
    await h1.relisten();
    await w.service.reconcileAll();
    expect(sets(h1)).toEqual([]);
    expect(w.reapplies()).toHaveLength(1);
    w.clock.now += backoffMs(1, INTERVAL);
    await w.service.reconcileAll();
    expect(sets(h1)).toEqual(['set server galera/rs1 state drain']);
    expect(w.reapplies().map((x) => x.outcome)).toEqual(['failed', 'ok']);
  });

  it('a hold released while a pass runs waits for that pass, and is never re-applied after', async () => {
    const h1 = await standIn('h1');
    open = [h1];
    const w = world([{ name: 'haproxy-dir1', director: director('dir1', sshd.port), socket: h1.socket }]);
    drainHold(w);
    let letReadsGo: () => void = () => undefined;
    h1.holdReads = new Promise<void>((r) => (letReadsGo = r));
    const order: string[] = [];
    const pass = w.service.reconcileAll().then(() => order.push('pass done'));
    // The pass holds the cluster while its read waits; the release queues behind it.
    await expect.poll(() => h1.received.includes('show stat'), { timeout: 60_000 }).toBe(true);
    const release = w.service.act('lab', { action: 'release', backend: 'galera', server: 'rs1', reason: 'done' }, actor).then((r) => {
      order.push('released');
      return r;
    });
    letReadsGo();
    await Promise.all([pass, release]);
    expect(order).toEqual(['pass done', 'released']);
    expect((await release).ok).toBe(true);
    expect(w.holds.open('lab')).toEqual([]);
    // The pass read the hold before the release and re-applied it once; after the release HAProxy
    // is left as it is, drift or not, at any time.
    expect(sets(h1)).toEqual(['set server galera/rs1 state drain']);
    h1.status = 'UP';
    h1.holdReads = null;
    const reads = h1.received.length;
    for (const later of [0, backoffMs(5, INTERVAL)]) {
      w.clock.now += later;
      await w.service.reconcileAll();
    }
    expect(h1.received.length).toBe(reads); // no open hold: not even a read
    expect(
      w.audit
        .list({ cluster: 'lab' })
        .filter((e) => e.outcome !== 'attempted')
        .map((e) => `${e.action}:${e.outcome}`),
    ).toEqual(['haproxy-release:ok', 'haproxy-reapply:ok']);
  });

  it('a hold released while backing off after failures is not retried', async () => {
    const h1 = await standIn('h1');
    open = [h1];
    h1.onSet = 'refuse';
    const w = world([{ name: 'haproxy-dir1', director: director('dir1', sshd.port), socket: h1.socket }]);
    drainHold(w);
    await w.service.reconcileAll();
    await w.service.act('lab', { action: 'release', backend: 'galera', server: 'rs1', reason: 'gave up' }, actor);
    h1.onSet = 'apply';
    w.clock.now += backoffMs(1, INTERVAL);
    await w.service.reconcileAll();
    expect(sets(h1)).toHaveLength(1);
    expect(w.reapplies().map((r) => r.outcome)).toEqual(['failed']);
  });
});
