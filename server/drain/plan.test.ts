import { describe, expect, it } from 'vitest';
import { DIRECTORS, NOW, director, intent, labSnapshot, rs, service } from './fixtures.test-helper';
import { overlayVerified, parseServiceSelector, parseTarget, planAction, PlanError, selectRealServers, trackValueFor } from './plan';

describe('targets and selectors', () => {
  it.each([
    ['192.0.2.11', { address: '192.0.2.11', port: null }],
    ['192.0.2.11:80', { address: '192.0.2.11', port: 80 }],
    ['2001:DB8::11', { address: '2001:db8::11', port: null }],
    ['[2001:db8:0::11]:80', { address: '2001:db8::11', port: 80 }],
    ['192.0.2.11:0', { address: '192.0.2.11', port: 0 }],
  ])('parses %s', (t, want) => expect(parseTarget(t)).toEqual(want));

  it.each(['rs1', '192.0.2.300', '192.0.2.11:99999', '[2001:db8::11]', ''])('refuses %j with a message naming it', (t) => {
    expect(() => parseTarget(t)).toThrow(PlanError);
  });

  it('matches services by key, VIP:PORT, proto:VIP:PORT and fwm', () => {
    const s = service('TCP 192.0.2.100:80', []);
    const u = service('UDP 192.0.2.100:80', []);
    const f = service('FWM 1', []);
    expect(parseServiceSelector('TCP 192.0.2.100:80')(s)).toBe(true);
    expect(parseServiceSelector('192.0.2.100:80')(u)).toBe(true);
    expect(parseServiceSelector('tcp:192.0.2.100:80')(u)).toBe(false);
    expect(parseServiceSelector('fwm:1')(f)).toBe(true);
    expect(parseServiceSelector('FWM 1')(s)).toBe(false);
    expect(() => parseServiceSelector('web')).toThrow(/VIP:PORT/);
  });

  it('a host target selects every service it serves', () => {
    const sel = selectRealServers(labSnapshot(), '192.0.2.11');
    expect(sel.map((x) => `${x.service.key} ${x.rs.key}`)).toEqual(['TCP 192.0.2.100:80 192.0.2.11:80', 'TCP 192.0.2.100:8080 192.0.2.11:8080']);
  });

  it('an unknown target is not-found, naming it', () => {
    expect(() => selectRealServers(labSnapshot(), '192.0.2.99')).toThrow('no real server 192.0.2.99 in cluster lab');
    expect(() => selectRealServers(labSnapshot(), '192.0.2.11', '192.0.2.100:9')).toThrow('no service matching');
  });
});

describe('planAction', () => {
  const ctx = { snapshot: labSnapshot(), directors: DIRECTORS, intents: [] };

  it('drains one real server on every director with the exact catalogue argv, and reports the impact', () => {
    const p = planAction(ctx, { action: 'drain', target: '192.0.2.11:80' });
    expect(p.view.entries).toEqual([
      expect.objectContaining({
        service: 'TCP 192.0.2.100:80',
        realServer: '192.0.2.11:80',
        currentWeight: 100,
        targetWeight: 0,
        restoreWeight: 100,
        mechanism: 'ipvsadm',
        shareBefore: 0.5,
        shareAfter: 0,
        remainingShare: 1,
        removesLastServer: false,
      }),
    ]);
    expect(p.view.refusals).toEqual([]);
    expect(p.view.directors.map((d) => d.commands.map((c) => c.display))).toEqual([
      ['sudo -n -- ipvsadm -e -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 0', 'sudo -n -- ipvsadm -Ln --exact -t 192.0.2.100:80'],
      ['sudo -n -- ipvsadm -e -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 0', 'sudo -n -- ipvsadm -Ln --exact -t 192.0.2.100:80'],
    ]);
  });

  it('refuses draining the last serving real server unless forced', () => {
    const snapshot = labSnapshot({
      services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 100 }), rs({ key: '192.0.2.12:80', weight: 100, alive: false })])],
    });
    const p = planAction({ ...ctx, snapshot }, { action: 'drain', target: '192.0.2.11:80' });
    expect(p.view.entries[0]?.removesLastServer).toBe(true);
    expect(p.view.refusals).toEqual([
      'TCP 192.0.2.100:80 would have no serving real server left: 192.0.2.11:80 is the last with weight > 0 (force to do it anyway)',
    ]);
    const forced = planAction({ ...ctx, snapshot }, { action: 'drain', target: '192.0.2.11:80', force: true });
    expect(forced.view.refusals).toEqual([]);
    expect(forced.view.warnings[0]).toMatch(/^forced: /);
  });

  it('a host drain that empties a service (both members) is refused; a drained peer does not count as serving', () => {
    const snapshot = labSnapshot({
      services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 100 }), rs({ key: '192.0.2.12:80', weight: 0 })])],
    });
    expect(planAction({ ...ctx, snapshot }, { action: 'drain', target: '192.0.2.11' }).view.refusals).toHaveLength(1);
  });

  it('the capacity floor (drain.minServingShare): refuses with the numbers and who is already out, counting down and held servers; force overrides; restores are never judged', () => {
    const four = (w12: number | null, alive12 = true) =>
      labSnapshot({
        services: [service('TCP 192.0.2.100:80', [
          rs({ key: '192.0.2.11:80', weight: 100 }),
          rs({ key: '192.0.2.12:80', weight: w12, configured: 100, alive: alive12 }),
          rs({ key: '192.0.2.13:80', weight: 100 }),
          rs({ key: '192.0.2.14:80', weight: 100 }),
        ])],
      });
    const floor = { ...ctx, minServingShare: 0.6 };
    // 3 of 4 left serving: 75 % >= 60 %
    expect(planAction({ ...floor, snapshot: four(100) }, { action: 'drain', target: '192.0.2.11:80' }).view.refusals).toEqual([]);
    // one already down: draining another leaves 2 of 4 (50 %)
    expect(planAction({ ...floor, snapshot: four(100, false) }, { action: 'drain', target: '192.0.2.11:80' }).view.refusals).toEqual([
      'TCP 192.0.2.100:80 would keep 50 % of its weight serving (200 of 400), below the floor of 60 % (drain.minServingShare); already out: 192.0.2.12:80 (down) (force to do it anyway)',
    ]);
    // one held by someone else (weight 0, its restore weight 100 from the intent)
    const held = [intent({ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.12:80', restoreWeight: 100 })];
    const snap = four(0);
    snap.services[0]!.realServers[1]!.configuredWeight = null;
    const r = planAction({ ...floor, intents: held, snapshot: snap }, { action: 'drain', target: '192.0.2.11:80' }).view.refusals;
    expect(r[0]).toMatch(/keep 50 % of its weight serving \(200 of 400\).*already out: 192\.0\.2\.12:80 \(held\)/);
    // a re-weight that lowers the serving weight is judged too; force turns the refusal into a warning
    expect(planAction({ ...floor, snapshot: four(100, false) }, { action: 'weight', target: '192.0.2.11:80', weight: 10 }).view.refusals).toHaveLength(1);
    const forced = planAction({ ...floor, snapshot: four(100, false) }, { action: 'drain', target: '192.0.2.11:80', force: true }).view;
    expect([forced.refusals, forced.warnings[0]?.startsWith('forced: TCP 192.0.2.100:80 would keep 50 %')]).toEqual([[], true]);
    // no floor configured (0): only the last-server rule
    expect(planAction({ ...ctx, snapshot: four(100, false) }, { action: 'drain', target: '192.0.2.11:80' }).view.refusals).toEqual([]);
  });

  it('uses the FILE_CHECK track file when keepalived has one, writing the number that gives the weight', () => {
    const p = planAction(ctx, { action: 'drain', target: '198.51.100.13:80' });
    expect(p.view.entries[0]).toMatchObject({ mechanism: 'track-file', trackFile: { path: '/var/lib/lvs-console/track/rs3-80', value: 0 }, restoreWeight: 1 });
    expect(p.steps[0]?.tracks).toEqual([{ realServer: '198.51.100.13:80', service: 'TCP 192.0.2.102:80', name: 'rs3-80', value: 0 }]);
    expect(p.view.directors[0]?.commands.map((c) => c.display)).toEqual([
      'echo 0 | tee /var/lib/lvs-console/track/rs3-80',
      'sudo -n -- ipvsadm -e -t 192.0.2.102:80 -r 198.51.100.13:80 -m -w 0',
      'sudo -n -- ipvsadm -Ln --exact -t 192.0.2.102:80',
    ]);
  });

  it('falls back to ipvsadm when no whole number in the track file gives the weight', () => {
    expect(trackValueFor(0, { multiplier: 1, base: 0 })).toBe(0);
    expect(trackValueFor(5, { multiplier: 2, base: 1 })).toBe(2);
    expect(trackValueFor(0, { multiplier: 2, base: 1 })).toBeNull();
    const snapshot = labSnapshot({
      services: [
        service('TCP 192.0.2.102:80', [
          rs({ key: '198.51.100.13:80', weight: 3, forward: 'Masq', trackFile: { path: '/var/lib/lvs-console/track/rs3-80', multiplier: 2, base: 1 } }),
          rs({ key: '198.51.100.13:8081', weight: 1, forward: 'Masq' }),
        ]),
      ],
    });
    expect(planAction({ ...ctx, snapshot }, { action: 'drain', target: '198.51.100.13:80' }).view.entries[0]?.mechanism).toBe('ipvsadm');
  });

  it('keeps the restore weight of an existing intent, and restores to it', () => {
    const existing = intent({ id: '7', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', kind: 'weight', weight: 20, restoreWeight: 100 });
    const snapshot = labSnapshot({
      services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 20 }), rs({ key: '192.0.2.12:80', weight: 100 })])],
    });
    const d = planAction({ ...ctx, snapshot, intents: [existing] }, { action: 'drain', target: '192.0.2.11:80' });
    expect(d.view.entries[0]).toMatchObject({ restoreWeight: 100, existingIntentId: '7' });
    const r = planAction({ ...ctx, snapshot, intents: [existing] }, { action: 'restore', target: '192.0.2.11:80' });
    expect(r.view.entries[0]).toMatchObject({ targetWeight: 100, existingIntentId: '7' });
  });

  it('restore without an intent of a weight-0 server goes to the configured weight', () => {
    const snapshot = labSnapshot({
      services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 0, configured: 100 }), rs({ key: '192.0.2.12:80', weight: 100 })])],
    });
    expect(planAction({ ...ctx, snapshot }, { action: 'restore', target: '192.0.2.11' }).view.entries.map((e) => [e.realServer, e.targetWeight])).toEqual([['192.0.2.11:80', 100]]);
  });

  it('a host restore retried after a partial restore fixes the director left at 0', () => {
    const snapshot = labSnapshot({
      services: [
        service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 100, on: { dir1: 100, dir2: 0 } }), rs({ key: '192.0.2.12:80', weight: 100 })]),
        service('TCP 192.0.2.100:8080', [rs({ key: '192.0.2.11:8080', weight: 1 }), rs({ key: '192.0.2.12:8080', weight: 1 })]),
      ],
    });
    const p = planAction({ ...ctx, snapshot }, { action: 'restore', target: '192.0.2.11' });
    expect(p.view.entries.map((e) => [e.realServer, e.targetWeight])).toEqual([['192.0.2.11:80', 100]]);
  });

  it('a live director without the real server (or the service) gets nothing to run; a dead one is still tried', () => {
    const snapshot = labSnapshot({
      directors: [director('dir1'), director('dir2', { live: false })],
      services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 100, on: { dir1: null } }), rs({ key: '192.0.2.12:80', weight: 100 })], { presentOn: ['dir1'] })],
    });
    const p = planAction({ ...ctx, snapshot }, { action: 'drain', target: '192.0.2.11:80' });
    expect(p.view.directors.map((d) => [d.director, d.commands.length, d.absent])).toEqual([
      ['dir1', 0, ['TCP 192.0.2.100:80 -> 192.0.2.11:80']],
      ['dir2', 2, []],
    ]);
  });

  it('warns when a persistent service keeps sending known clients (expire_quiescent_template = 0)', () => {
    const snapshot = labSnapshot({ directors: [director('dir1', { health: { ipForward: true, expireQuiescentTemplate: false, expireNodestConn: false, conntrackCount: 0, conntrackMax: 1 } }), director('dir2')] });
    const p = planAction({ ...ctx, snapshot }, { action: 'drain', target: '192.0.2.11:8080' });
    expect(p.view.warnings).toEqual([expect.stringContaining('expire_quiescent_template is 0 on dir1')]);
  });

  it('set-weight: any 0-65535, shares reflect the new weight', () => {
    const p = planAction(ctx, { action: 'weight', target: '192.0.2.11:80', weight: 300 });
    expect(p.view.entries[0]).toMatchObject({ targetWeight: 300, shareBefore: 0.5, shareAfter: 0.75, remainingShare: 0.25 });
  });
});

describe('overlayVerified', () => {
  it('lays weights this console verified over directors whose data predates them, and only those', () => {
    const snapshot = labSnapshot({ directors: [director('dir1', { takenAt: NOW - 500, refreshMs: 400 }), director('dir2', { takenAt: NOW + 5000, refreshMs: 400 })] });
    const o = overlayVerified(snapshot, [
      { at: NOW, director: 'dir1', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', weight: 0 },
      { at: NOW, director: 'dir2', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', weight: 0 },
    ]);
    const rs1 = o.services[0]?.realServers[0];
    expect(rs1?.perDirector.dir1?.weight).toBe(0);
    expect(rs1?.perDirector.dir2?.weight).toBe(100); // dir2's data is newer than the verification
    expect([rs1?.weight, rs1?.health]).toEqual([0, 'drained']);
    // A restore right after a drain then plans from weight 0, not the stale 100.
    const p = planAction({ ...{ directors: DIRECTORS, intents: [] }, snapshot: o }, { action: 'drain', target: '192.0.2.12:80', service: 'TCP 192.0.2.100:80' });
    expect(p.view.refusals).toHaveLength(1);
  });
});
