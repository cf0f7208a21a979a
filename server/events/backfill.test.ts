import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@/lib/models/events';
import { backfillEvents, type DirectorLogText } from './backfill';

const dir = path.join(__dirname, '..', 'parsers', 'fixtures', 'keepalived-log');
const logs: DirectorLogText[] = ['dir1', 'dir2'].map((director) => ({
  director,
  text: fs.readFileSync(path.join(dir, `lab-${director}-console.log`), 'utf8'),
  options: { format: 'console' },
}));
const at = (hms: string) => Date.parse(`2026-11-22T${hms}Z`);

describe('backfillEvents on the lab logs of both directors', () => {
  const { added, explained } = backfillEvents({ cluster: 'lab', logs, existing: [] });

  it('finds every failover with its from/to and cause', () => {
    const failovers = added.filter((e) => e.kind === 'failover').map((e) => [e.at, e.instance, e.fromMaster, e.toMaster, e.cause]);
    expect(failovers).toEqual([
      [at('03:56:08'), 'VI_V6', 'dir2', 'dir1', 'higher-priority advert from fe80::6432:20ff:febe:a9f4 (priority 150, ours 100): preempted'],
      [at('03:56:08'), 'VI_V4', 'dir2', 'dir1', 'preempted a lower-priority master (priority 100 from 192.0.2.3)'],
      [at('03:56:31'), 'VI_V6', 'dir1', 'dir2', 'track script chk_fault_flag failed on dir1'],
      [at('03:56:31'), 'VI_V4', 'dir1', 'dir2', 'track script chk_fault_flag failed on dir1'],
      [at('03:56:40'), 'VI_V6', 'dir2', 'dir1', 'higher-priority advert from fe80::6432:20ff:febe:a9f4 (priority 150, ours 100): preempted'],
      [at('03:56:40'), 'VI_V4', 'dir2', 'dir1', 'preempted a lower-priority master (priority 100 from 192.0.2.3)'],
    ]);
    const f = added.find((e) => e.kind === 'failover' && e.at === at('03:56:31') && e.instance === 'VI_V4');
    expect(f).toMatchObject({ source: 'log', director: 'dir2', endedAt: null });
    expect(f?.logLines).toEqual([
      'Sun Nov 22 03:56:30 2026: VRRP_Script(chk_fault_flag) failed (exited with status 1)',
      'Sun Nov 22 03:56:30 2026: (VI_V4) Entering FAULT STATE',
      'Sun Nov 22 03:56:30 2026: (VI_V4) sent 0 priority',
      'Sun Nov 22 03:56:31 2026: (VI_V4) Entering MASTER STATE',
    ]);
    expect(explained).toEqual([]);
  });

  it('finds VRRP transitions, start-up as INIT, and a FAULT with its script', () => {
    const dir1 = added.filter((e) => e.kind === 'vrrp-transition' && e.director === 'dir1' && e.instance === 'VI_V4').map((e) => [e.fromState, e.toState]);
    expect(dir1).toEqual([['INIT', 'BACKUP'], ['BACKUP', 'MASTER'], ['MASTER', 'FAULT'], ['FAULT', 'BACKUP'], ['BACKUP', 'MASTER']]);
    expect(added.find((e) => e.kind === 'vrrp-transition' && e.toState === 'FAULT' && e.instance === 'VI_V4')?.cause).toBe('track script chk_fault_flag failed on dir1');
  });

  it('finds keepalived stops and starts, with how long it was down', () => {
    const ka = added.filter((e) => e.kind.startsWith('keepalived-') && e.director === 'dir2').map((e) => [e.kind, e.at, e.durationMs]);
    expect(ka).toEqual([
      ['keepalived-down', at('03:56:15'), 2000],
      ['keepalived-up', at('03:56:17'), null],
      ['keepalived-down', at('03:56:20'), 4000],
      ['keepalived-up', at('03:56:24'), null],
    ]);
  });

  it('does not duplicate stored events: it explains them instead', () => {
    const observed: ClusterEvent = {
      id: '7', cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1',
      toMaster: 'dir2', at: at('03:56:33'), endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed',
    };
    const again = backfillEvents({ cluster: 'lab', logs, existing: [observed] });
    expect(again.added).toHaveLength(added.length - 1);
    expect(again.explained).toEqual([expect.objectContaining({ id: '7', at: at('03:56:31'), cause: 'track script chk_fault_flag failed on dir1' })]);
    // Back-filling what was back-filled adds nothing.
    const stored = added.map((e, i) => ({ ...e, id: String(i) }));
    expect(backfillEvents({ cluster: 'lab', logs, existing: stored }).added).toEqual([]);
  });

  it('skips lines of another format instead of failing', () => {
    const r = backfillEvents({ cluster: 'lab', existing: [], logs: [{ director: 'dir1', text: 'garbage\nSun Nov 22 04:00:00 2026: (VI_1) Entering MASTER STATE\n', options: { format: 'console' } }] });
    expect(r.added.map((e) => e.kind)).toEqual(['vrrp-transition', 'failover']);
  });

  it("the lab logs' failovers all had a master to fail over from: no initial election among them", () => {
    expect(added.filter((e) => e.kind === 'initial-election')).toEqual([]);
  });
});

describe('backfillEvents: the initial election', () => {
  const line = (hms: string, text: string) => `Sun Nov 22 ${hms} 2026: ${text}`;
  const log = (director: string, ...lines: string[]): DirectorLogText => ({ director, text: lines.join('\n'), options: { format: 'console' } });
  const start = (hms: string) => line(hms, 'Starting Keepalived v2.2.7 (01/16,2022)');
  const masterKinds = (r: ReturnType<typeof backfillEvents>) =>
    r.added.filter((e) => e.kind === 'failover' || e.kind === 'initial-election').map((e) => [e.kind, e.instance, e.fromMaster, e.toMaster, e.cause]);

  it('keepalived starting on both directors: the first master is elected, not failed over to (no "advert timeout from the master")', () => {
    const r = backfillEvents({
      cluster: 'lab', existing: [],
      logs: [
        log('dir1', start('04:00:00'), line('04:00:00', '(VI_V4) Entering BACKUP STATE (init)'), line('04:00:03', '(VI_V4) Receive advertisement timeout'), line('04:00:03', '(VI_V4) Entering MASTER STATE')),
        log('dir2', start('04:00:00'), line('04:00:00', '(VI_V4) Entering BACKUP STATE (init)')),
      ],
    });
    expect(masterKinds(r)).toEqual([['initial-election', 'VI_V4', null, 'dir1', 'keepalived started on dir1, no master before']]);
    const e = r.added.find((x) => x.kind === 'initial-election');
    expect(e).toMatchObject({ at: at('04:00:03'), director: 'dir1', durationMs: null, source: 'log' });
    expect(e?.logLines).toEqual([start('04:00:00'), line('04:00:03', '(VI_V4) Entering MASTER STATE')]);
  });

  it('every keepalived stopped, then one starts: an initial election, naming the last master', () => {
    const r = backfillEvents({
      cluster: 'lab', existing: [],
      logs: [
        log('dir1', line('04:00:00', '(VI_V4) Entering MASTER STATE'), line('04:00:10', 'Stopping'), start('04:00:30'), line('04:00:30', '(VI_V4) Entering BACKUP STATE (init)'), line('04:00:33', '(VI_V4) Receive advertisement timeout'), line('04:00:33', '(VI_V4) Entering MASTER STATE')),
        log('dir2', line('04:00:00', '(VI_V4) Entering BACKUP STATE'), line('04:00:05', 'Stopping')),
      ],
    });
    expect(masterKinds(r)).toEqual([
      ['failover', 'VI_V4', null, 'dir1', null],
      ['initial-election', 'VI_V4', null, 'dir1', 'keepalived started on dir1, no master before'],
    ]);
    // dir2 the last master, stopped before dir1 started: elected after it, not taken over from it.
    const r2 = backfillEvents({
      cluster: 'lab', existing: [],
      logs: [
        log('dir1', line('04:00:00', '(VI_V4) Entering BACKUP STATE'), line('04:00:05', 'Stopping'), start('04:00:20'), line('04:00:20', '(VI_V4) Entering BACKUP STATE (init)'), line('04:00:23', '(VI_V4) Entering MASTER STATE')),
        log('dir2', line('04:00:00', '(VI_V4) Entering MASTER STATE'), line('04:00:10', 'Stopping')),
      ],
    });
    expect(masterKinds(r2).at(-1)).toEqual(['initial-election', 'VI_V4', null, 'dir1', 'keepalived started on dir1 after dir2, the last master, had left MASTER']);
  });

  it('a director started while the other was master takes over when that one stops: a failover', () => {
    const r = backfillEvents({
      cluster: 'lab', existing: [],
      logs: [
        log('dir1', start('04:00:00'), line('04:00:00', '(VI_V4) Entering BACKUP STATE (init)'), line('04:00:20', '(VI_V4) Receive advertisement timeout'), line('04:00:20', '(VI_V4) Entering MASTER STATE')),
        log('dir2', line('03:59:00', '(VI_V4) Entering MASTER STATE'), line('04:00:19', 'Stopping'), line('04:00:19', '(VI_V4) sent 0 priority')),
      ],
    });
    expect(masterKinds(r).at(-1)?.slice(0, 4)).toEqual(['failover', 'VI_V4', 'dir2', 'dir1']);
    // A master heard for minutes after the start, whose log is missing: a failover from unknown, not an election.
    const late = backfillEvents({
      cluster: 'lab', existing: [],
      logs: [log('dir1', start('04:00:00'), line('04:00:00', '(VI_V4) Entering BACKUP STATE (init)'), line('04:05:00', '(VI_V4) Receive advertisement timeout'), line('04:05:00', '(VI_V4) Entering MASTER STATE'))],
    });
    expect(masterKinds(late)).toEqual([['failover', 'VI_V4', null, 'dir1', 'advert timeout from the master']]);
  });

  it('an observed failover from unknown that the logs show was the start-up is explained as the initial election', () => {
    const observed: ClusterEvent = {
      id: '9', cluster: 'lab', kind: 'failover', director: 'dir1', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: null,
      toMaster: 'dir1', at: at('04:00:05'), endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed',
    };
    const r = backfillEvents({
      cluster: 'lab', existing: [observed],
      logs: [log('dir1', start('04:00:00'), line('04:00:00', '(VI_V4) Entering BACKUP STATE (init)'), line('04:00:03', '(VI_V4) Receive advertisement timeout'), line('04:00:03', '(VI_V4) Entering MASTER STATE'))],
    });
    expect(masterKinds(r)).toEqual([]);
    expect(r.explained).toEqual([expect.objectContaining({ id: '9', kind: 'initial-election', at: at('04:00:03'), cause: 'keepalived started on dir1, no master before' })]);
  });
});

describe('a VIP removed outside keepalived (keepalived logs it, reacts, and takes it back)', () => {
  const excerpt = (file: string, director: string): DirectorLogText => ({ director, text: fs.readFileSync(path.join(dir, file), 'utf8'), options: { format: 'console' } });

  it('lab/ctl nm-reapply on dir2 as master (NetworkManager re-applying lab-eth0): one vip-removed event with the gap until the VIPs were set again', () => {
    const { added } = backfillEvents({ cluster: 'lab', logs: [excerpt('lab-dir2-excerpt-nm-reapply-console.log', 'dir2')], existing: [] });
    const removed = added.filter((e) => e.kind === 'vip-removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({
      director: 'dir2', instance: 'VI_V4', fromState: 'MASTER', toState: 'BACKUP', source: 'log',
      at: Date.parse('2026-12-07T02:28:22Z'), endedAt: Date.parse('2026-12-07T02:28:23Z'), durationMs: 1000,
    });
    expect(removed[0]?.cause).toMatch(/^VIP 192\.0\.2\.103 removed from eth0 on dir2 outside keepalived .*set again on dir2 after 1000 ms/);
    expect(removed[0]?.logLines).toEqual([
      'Mon Dec  7 02:28:22 2026: Netlink reflector reports IP 192.0.2.103 removed from eth0',
      'Mon Dec  7 02:28:22 2026: (VI_V4) Entering BACKUP STATE',
      'Mon Dec  7 02:28:23 2026: (VI_V4) Entering MASTER STATE',
    ]);
  });

  it('ip addr del on dir1: taken back within the same second (gap 0 at the log\'s one-second resolution)', () => {
    const { added } = backfillEvents({ cluster: 'lab', logs: [excerpt('lab-dir1-excerpt-vip-removed-console.log', 'dir1')], existing: [] });
    expect(added.filter((e) => e.kind === 'vip-removed').map((e) => [e.director, e.instance, e.durationMs])).toEqual([['dir1', 'VI_V4', 0]]);
  });
});
