import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaintenancePreflight } from '@/lib/models/maintenance';
import { ctl, labSsh, restoreLab, startLabRuntime, waitFor, type LabRuntime } from '@/server/testing/lab-runtime';
import { DomainError } from '@/server/errors';
import type { ActingAs } from '@/server/drain/ports';
import type { MaintenanceService } from './service';

// Director maintenance against the real VRRP pair (issue 17): the console's runtime writes dir1's
// track file as the console user, keepalived moves every VIP to dir2, a connection held through the
// switch survives with the IPVS sync daemon on, give back returns the VIPs; the refusals (peer
// down, peer in FAULT, peer's table drifted, the last director), and the automatic rollback when
// the VIPs do not move (dir1 deaf to VRRP: it never sees dir2 take over). Checked as root.

const WHO: ActingAs = { name: 'lab-test', role: 'operator', source: 'vitest' };

let lab: LabRuntime;
let svc: MaintenanceService;

async function holds(dir: 'dir1' | 'dir2'): Promise<boolean> {
  return (await labSsh(dir, 'ip -o addr show')).includes(' 192.0.2.100/');
}
const file = (dir: 'dir1' | 'dir2') => labSsh(dir, 'cat /var/lib/lvs-console/track/vrrp-maint').then((s) => s.trim());
const byId = (p: MaintenancePreflight) => Object.fromEntries(p.checks.map((c) => [c.id, c]));

/** The refusal a call ends in (its DomainError's message), after checking nothing changed. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    (r) => r,
    (x: unknown) => x,
  );
  expect(e, `not refused: ${JSON.stringify(e)}`).toBeInstanceOf(DomainError);
  expect((e as DomainError).kind).toBe('conflict');
  expect([await file('dir1'), await file('dir2')]).toEqual(['0', '0']);
  return (e as DomainError).message;
}

beforeAll(async () => {
  lab = startLabRuntime({ commandTimeoutMs: 120_000 });
  svc = lab.runtime.maintenance;
  await lab.ready({ keepalivedDump: true });
  // The maintenance file in keepalived's dump (the ready check waits for the checker's track file).
  await waitFor('dir1 tracking the maintenance file', () => Promise.resolve(svc.status('lab').directors.every((d) => d.trackFile !== null)), 120_000);
}, 300_000);

afterAll(async () => {
  await lab?.close();
  await restoreLab([
    ['partition off', () => ctl('partition', 'off')],
    ['fault off on dir2', () => ctl('fault', 'dir2', 'off')],
    ['start keepalived on dir2', () => ctl('keepalived', 'start', 'dir2')],
    ['mend weight on dir2', () => ctl('mend', 'weight', 'dir2')],
    ['syncd off', () => ctl('syncd', 'off')],
    ...(['dir1', 'dir2'] as const).map((d) => [`${d}: vrrp-maint back to 0`, () => labSsh(d, 'echo 0 > /var/lib/lvs-console/track/vrrp-maint')] as const),
  ]);
  await waitFor('dir1 master again', () => holds('dir1'), 120_000);
}, 300_000);

describe('director maintenance (lab)', () => {
  it('every director reports the track file, in service', () => {
    expect(svc.status('lab').directors.map((d) => [d.director, d.trackFile, d.value, d.maintenance])).toEqual([
      ['dir1', '/var/lib/lvs-console/track/vrrp-maint', 0, null],
      ['dir2', '/var/lib/lvs-console/track/vrrp-maint', 0, null],
    ]);
  });

  it('pre-flight: with the sync daemon off an idle connection through dir1 would break; with it on one made after is known to dir2', async () => {
    const c0 = (await ctl('longconn', 'open')).trim();
    const off = await svc.preflight('lab', 'dir1', 'enter');
    expect(off.allowed, JSON.stringify(off.checks)).toBe(true);
    expect(off.moves.map((m) => [m.instance, m.from, m.to])).toEqual([['VI_V4', 'dir1', 'dir2'], ['VI_V6', 'dir1', 'dir2']]);
    expect(off.connections.established).toBeGreaterThanOrEqual(1);
    expect(off.connections.wouldBreak).toBe(off.connections.established);
    expect(byId(off).connections?.title).toBe('Connections will break');
    expect(off.connections.syncDaemons.map((s) => [s.director, s.master, s.backup])).toEqual([['dir1', false, false], ['dir2', false, false]]);
    await ctl('longconn', 'ask', c0); // answered and closed: it no longer counts

    await ctl('syncd', 'on');
    const c1 = (await ctl('longconn', 'open')).trim();
    const on = await waitFor(
      'the new connection copied to dir2',
      async () => {
        const p = await svc.preflight('lab', 'dir1', 'enter');
        return p.connections.established !== null && p.connections.wouldBreak !== null && p.connections.wouldBreak < p.connections.established ? p : null;
      },
      60_000,
      2000,
    );
    expect(on.connections.syncDaemons.map((s) => [s.director, s.master, s.backup, s.syncId])).toEqual([['dir1', true, true, 51], ['dir2', true, true, 51]]);
    expect(byId(on).connections?.detail).toContain('the sync daemon runs (master on dir1, backup on dir2)');
    // rs3 is a NAT real server; the lab's directors keep net.ipv4.vs.conntrack at 0 (read by the pre-flight)
    expect(byId(on).conntrack?.status).toBe('ok');
    expect(byId(on).conntrack?.detail).toContain('net.ipv4.vs.conntrack = 0 on dir1 and dir2');
    console.info(`[maintenance.lab] syncd on: ${on.connections.wouldBreak} of ${on.connections.established} established would break`);

    // Put dir1 in maintenance: dir2 holds every VIP; the connection made through dir1 answers through dir2.
    const r = await svc.enter('lab', 'dir1', { reason: 'lab test: kernel update', ticket: 'LAB-17' }, WHO);
    expect(r.outcome, r.message).toBe('ok');
    expect(r.verification?.moved).toBe(true);
    // keepalived's own view agrees (dir2 MASTER, dir1 BACKUP), and the failover the switch caused is on the timeline.
    expect(r.verification?.keepalivedAgrees).toBe(true);
    expect(r.verification?.failoverEventIds.length).toBeGreaterThanOrEqual(1);
    const failovers = r.verification?.failoverEventIds.map((id) => lab.runtime.events.get(id));
    expect(failovers?.map((e) => [e?.kind, e?.toMaster])).toContainEqual(['failover', 'dir2']);
    // The no-master gap from the event stream (keepalived's logs, read after the failover was recorded).
    expect(r.verification?.eventGapMs).not.toBeNull();
    expect(r.verification?.eventGapMs ?? Infinity).toBeLessThan(10_000);
    expect(r.message).toContain("keepalived's logs: ");
    expect(r.maintenance).toMatchObject({ director: 'dir1', actor: 'lab-test', reason: 'lab test: kernel update', ticket: 'LAB-17', endedAt: null });
    expect([await holds('dir1'), await holds('dir2'), await file('dir1')]).toEqual([false, true, '1']);
    expect((await ctl('longconn', 'ask', c1)).trim()).toMatch(/^rs[12]$/);
    console.info(`[maintenance.lab] ${r.message}`);
    const audit = lab.runtime.audit.list({ action: 'director-maintenance', limit: 2 });
    expect(audit.map((e) => [e.outcome, e.actor, e.target])).toEqual([['ok', 'lab-test', 'dir1'], ['attempted', 'lab-test', 'dir1']]);
    await waitFor('the status showing dir1 in maintenance', () => Promise.resolve(svc.status('lab').directors.find((d) => d.director === 'dir1')?.value === 1), 120_000, 1000);
  }, 400_000);

  it('refused while dir1 is in maintenance: a second one on dir2 (the last director), and dir1 again', async () => {
    const last = await svc.preflight('lab', 'dir2', 'enter');
    expect(byId(last)['last-director']).toMatchObject({ status: 'refusal', forcible: false });
    await expect(svc.enter('lab', 'dir2', { reason: 'second', force: true }, WHO)).rejects.toThrow(/No peer can take over/);
    expect([await file('dir1'), await file('dir2')]).toEqual(['1', '0']);
    await expect(svc.enter('lab', 'dir1', { reason: 'again' }, WHO)).rejects.toThrow(/Already in maintenance/);
  }, 200_000);

  it('give back: 0 in the file, the VIPs return to dir1', async () => {
    const r = await svc.exit('lab', 'dir1', { reason: 'lab test: done' }, WHO);
    expect(r.outcome, r.message).toBe('ok');
    expect(r.maintenance).toMatchObject({ director: 'dir1', endedBy: 'lab-test', endReason: 'lab test: done' });
    expect([await holds('dir1'), await holds('dir2'), await file('dir1')]).toEqual([true, false, '0']);
    expect(svc.list('lab').maintenance).toEqual([]);
    await ctl('syncd', 'off');
  }, 200_000);

  it('a lease: when it runs out the console gives the director back by itself, checked and verified', async () => {
    const r = await svc.enter('lab', 'dir1', { reason: 'lab test: lease', expiresInMinutes: 60 }, WHO);
    expect(r.outcome, r.message).toBe('ok');
    expect(r.maintenance?.expiresAt).toBe((r.maintenance?.createdAt ?? 0) + 3_600_000);
    expect(await holds('dir2')).toBe(true);
    await svc.expireLeases(); // not yet due: nothing happens
    expect(await file('dir1')).toBe('1');
    // An hour later (the lease moved to the past rather than the test waiting an hour).
    lab.runtime.db.prepare('UPDATE director_maintenance SET expires_at = ? WHERE ended_at IS NULL').run(Date.now() - 1000);
    await svc.expireLeases();
    expect([await holds('dir1'), await holds('dir2'), await file('dir1')]).toEqual([true, false, '0']);
    expect(svc.list('lab', true).maintenance[0]).toMatchObject({ director: 'dir1', endedBy: 'system', endReason: 'lease expired (set by lab-test: lab test: lease)' });
    expect(lab.runtime.audit.list({ action: 'director-give-back', limit: 1 })[0]).toMatchObject({ actor: 'system', outcome: 'ok' });
  }, 200_000);

  it('refusals: peer in FAULT, peer with a hand-set weight (force overrides), peer down; nothing changes', async () => {
    await ctl('fault', 'dir2', 'on');
    try {
      await waitFor('dir2 in FAULT', async () => (await svc.preflight('lab', 'dir1', 'enter')).checks.some((c) => c.id === 'peer-dir2' && c.detail.includes(': in FAULT')), 60_000, 2000);
      expect(await refusal(svc.enter('lab', 'dir1', { reason: 'peer fault' }, WHO))).toMatch(/dir2 cannot take the VIPs: in FAULT|No peer can take over/);
    } finally {
      await ctl('fault', 'dir2', 'off');
    }
    await ctl('weight', 'dir2', '192.0.2.100:80', '192.0.2.11:80', '37');
    try {
      const drift = await waitFor('the drift seen', async () => {
        const p = await svc.preflight('lab', 'dir1', 'enter');
        return byId(p).tables?.status === 'refusal' ? p : null;
      }, 60_000, 2000);
      expect(byId(drift).tables?.detail).toContain('TCP 192.0.2.100:80 → 192.0.2.11:80 weight 100 on dir1, 37 on dir2');
      expect(await refusal(svc.enter('lab', 'dir1', { reason: 'drift' }, WHO))).toMatch(/IPVS tables differ/);
      const forced = await svc.enter('lab', 'dir1', { reason: 'drift', force: true, dryRun: true }, WHO);
      expect([forced.outcome, forced.preflight.allowed]).toEqual(['planned', true]);
    } finally {
      await ctl('mend', 'weight', 'dir2');
    }
    await ctl('keepalived', 'stop', 'dir2');
    try {
      expect(await refusal(svc.enter('lab', 'dir1', { reason: 'peer down' }, WHO))).toMatch(/keepalived not running|No peer can take over/);
    } finally {
      await ctl('keepalived', 'start', 'dir2');
    }
    await waitFor('dir1 master, dir2 back as backup', async () => (await holds('dir1')) && !(await holds('dir2')), 120_000);
  }, 400_000);

  it('rolls back when the VIPs do not move: dir1 deaf to VRRP keeps them while dir2 takes them too', async () => {
    await waitFor('dir2 live and keepalived running', () => Promise.resolve(lab.snapshot().directors.every((d) => d.live && d.keepalivedRunning)), 120_000);
    await ctl('partition', 'deaf', 'dir1');
    try {
      const r = await svc.enter('lab', 'dir1', { reason: 'lab test: rollback' }, WHO);
      expect(r.outcome, r.message).toBe('rolled-back');
      expect(r.verification).toMatchObject({ moved: false, rolledBack: true });
      expect(r.message).toContain('the track file was written back');
      expect(r.maintenance).toMatchObject({ endedBy: 'system', endReason: 'rolled back: the VIPs did not move' });
      expect(await file('dir1')).toBe('0');
    } finally {
      await ctl('partition', 'off');
    }
    await waitFor('dir1 alone holding the VIPs', async () => (await holds('dir1')) && !(await holds('dir2')), 120_000);
  }, 300_000);

  it('bad input changes nothing: unknown director, unknown cluster', async () => {
    await expect(svc.enter('lab', 'dir9', { reason: 'x' }, WHO)).rejects.toThrow(/cluster lab has no director named "dir9"/);
    await expect(svc.preflight('nope', 'dir1', 'enter')).rejects.toThrow(/no cluster named "nope"/);
    expect([await file('dir1'), await file('dir2')]).toEqual(['0', '0']);
  });
});
