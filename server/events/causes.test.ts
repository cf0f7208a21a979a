import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeepalivedLog } from '@/server/parsers/keepalived-log';
import { findCause, type DirectorLog } from './causes';

// Real failovers captured in the lab (server/parsers/fixtures/keepalived-log/lab-*-console.log):
//   03:56:08  dir1 (priority 150) preempts dir2 (100) at start-up
//   03:56:30  chk_fault_flag fails on dir1: FAULT, sent priority 0; dir2 takes over at 03:56:31
//   03:56:40  dir1 is back and preempts dir2 ("Master received advert ... higher priority 150")

const dir = path.join(__dirname, '..', 'parsers', 'fixtures', 'keepalived-log');
function log(director: string): DirectorLog {
  const text = fs.readFileSync(path.join(dir, `lab-${director}-console.log`), 'utf8');
  return { director, events: parseKeepalivedLog(text, { format: 'console' }) };
}
const dir1 = log('dir1');
const dir2 = log('dir2');
const at = (hms: string) => Date.parse(`2026-11-22T${hms}Z`);

describe('findCause on the lab logs', () => {
  const cases = [
    {
      name: 'FAULT from chk_fault_flag on the old master (both logs)',
      q: { instance: 'VI_V4', at: at('03:56:31'), fromMaster: 'dir1', toMaster: 'dir2', logs: [dir1, dir2] },
      cause: 'track script chk_fault_flag failed on dir1',
      lines: ['VRRP_Script(chk_fault_flag) failed (exited with status 1)', '(VI_V4) Entering FAULT STATE', '(VI_V4) sent 0 priority'],
    },
    {
      name: 'the sync-group member follows the same script failure',
      q: { instance: 'VI_V6', at: at('03:56:31'), fromMaster: 'dir1', toMaster: 'dir2', logs: [dir1, dir2] },
      cause: 'track script chk_fault_flag failed on dir1',
      lines: ['VRRP_Script(chk_fault_flag) failed (exited with status 1)', '(VI_V6) Entering FAULT STATE'],
    },
    {
      name: 'priority 0 as the new master saw it (only its log)',
      q: { instance: 'VI_V4', at: at('03:56:31'), fromMaster: 'dir1', toMaster: 'dir2', logs: [dir2] },
      cause: 'master sent priority 0 (it was stopping or in FAULT)',
      lines: ['(VI_V4) Backup received priority 0 advertisement', '(VI_V4) Entering MASTER STATE'],
    },
    {
      name: 'higher-priority advert preempts dir2 (old master log)',
      q: { instance: 'VI_V6', at: at('03:56:40'), fromMaster: 'dir2', toMaster: 'dir1', logs: [dir1, dir2] },
      cause: 'higher-priority advert from fe80::6432:20ff:febe:a9f4 (priority 150, ours 100): preempted',
      lines: ['(VI_V6) Master received advert from fe80::6432:20ff:febe:a9f4 with higher priority 150, ours 100', '(VI_V6) Entering BACKUP STATE'],
    },
    {
      name: 'the same preemption from the new master alone',
      q: { instance: 'VI_V4', at: at('03:56:40'), fromMaster: 'dir2', toMaster: 'dir1', logs: [dir1] },
      cause: 'preempted a lower-priority master (priority 100 from 192.0.2.3)',
      lines: ['(VI_V4) received lower priority (100) advert from 192.0.2.3 - discarding', '(VI_V4) Receive advertisement timeout', '(VI_V4) Entering MASTER STATE'],
    },
    {
      name: 'start-up preemption at 03:56:08',
      q: { instance: 'VI_V6', at: at('03:56:08'), fromMaster: 'dir2', toMaster: 'dir1', logs: [dir1, dir2] },
      cause: 'higher-priority advert from fe80::6432:20ff:febe:a9f4 (priority 150, ours 100): preempted',
      lines: ['(VI_V6) Master received advert'],
    },
  ];

  it.each(cases)('$name', ({ q, cause, lines }) => {
    const got = findCause(q);
    expect(got?.cause).toBe(cause);
    for (const l of lines) expect(got?.logLines.some((x) => x.includes(l))).toBe(true);
    // Lines are raw, in time order, each once.
    expect(new Set(got?.logLines).size).toBe(got?.logLines.length);
  });

  it('says nothing when no log covers the window', () => {
    expect(findCause({ instance: 'VI_V4', at: at('05:00:00'), fromMaster: 'dir1', toMaster: 'dir2', logs: [dir1, dir2] })).toBeNull();
    expect(findCause({ instance: 'VI_V4', at: at('03:56:31'), fromMaster: null, toMaster: null, logs: [dir1, dir2] })).toBeNull();
  });
});

describe('findCause on a VIP removed behind keepalived (captured in the lab: ip addr del 192.0.2.102 on the master dir1)', () => {
  const excerpt = fs.readFileSync(path.join(dir, 'lab-dir1-excerpt-vip-removed-console.log'), 'utf8');
  const d1 = { director: 'dir1', events: parseKeepalivedLog(excerpt, { format: 'console' }) };
  const t = Date.parse('2026-12-06T10:06:11Z');

  it.each(['VI_V4', 'VI_V6'])('%s: the removed VIP is the cause (the sync group gave both up)', (instance) => {
    const got = findCause({ instance, at: t, fromMaster: 'dir1', toMaster: 'dir2', logs: [d1] });
    expect(got?.cause).toBe('VIP 192.0.2.102 removed from eth0 on dir1 outside keepalived (ip addr del, or NetworkManager re-applying a profile): it gave up MASTER');
    expect(got?.logLines[0]).toContain('Netlink reflector reports IP 192.0.2.102 removed from eth0');
    expect(got?.logLines.some((l) => l.includes(`(${instance}) sent 0 priority`))).toBe(true);
  });

  it("keepalived's own removal of its VIPs (after its BACKUP line) is not that cause", () => {
    const text = [
      'Sun Nov 22 04:00:00 2026: (VI_1) Entering BACKUP STATE',
      'Sun Nov 22 04:00:00 2026: (VI_1) removing VIPs.',
      'Sun Nov 22 04:00:00 2026: Netlink reflector reports IP 192.0.2.100 removed from eth0',
    ].join('\n');
    expect(findCause({ instance: 'VI_1', at: at('04:00:00'), fromMaster: 'dir1', toMaster: 'dir2', logs: [{ director: 'dir1', events: parseKeepalivedLog(text, { format: 'console' }) }] })).toBeNull();
  });
});

describe('findCause on hand-written lines', () => {
  it('a master stopping gracefully sends priority 0', () => {
    const text = [
      'Sun Nov 22 04:00:00 2026: Stopping',
      'Sun Nov 22 04:00:00 2026: (VI_1) sent 0 priority',
      'Sun Nov 22 04:00:01 2026: Stopped Keepalived v2.2.7 (01/16,2022)',
    ].join('\n');
    const got = findCause({
      instance: 'VI_1', at: at('04:00:01'), fromMaster: 'dir1', toMaster: 'dir2',
      logs: [{ director: 'dir1', events: parseKeepalivedLog(text, { format: 'console' }) }],
    });
    expect(got).toEqual({
      cause: 'master sent priority 0 (keepalived was stopping on dir1)',
      logLines: ['Sun Nov 22 04:00:00 2026: Stopping', 'Sun Nov 22 04:00:00 2026: (VI_1) sent 0 priority'],
    });
  });

  it('an advert timeout alone on the new master', () => {
    const text = ['Sun Nov 22 04:00:00 2026: (VI_1) Receive advertisement timeout', 'Sun Nov 22 04:00:00 2026: (VI_1) Entering MASTER STATE'].join('\n');
    const got = findCause({ instance: 'VI_1', at: at('04:00:00'), fromMaster: 'dir1', toMaster: 'dir2', logs: [{ director: 'dir2', events: parseKeepalivedLog(text, { format: 'console' }) }] });
    expect(got?.cause).toBe('advert timeout from the master');
    expect(got?.logLines).toHaveLength(2);
  });
});
