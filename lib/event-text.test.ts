import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@/lib/models/events';
import { describeEvent, formatGap } from './event-text';

const base: ClusterEvent = {
  id: '1', cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1', toMaster: 'dir2',
  at: 0, endedAt: null, durationMs: 1200, cause: 'master sent priority 0 (keepalived was stopping on dir1)', service: null, realServer: null, logLines: [], source: 'log',
};

describe('describeEvent', () => {
  it.each<[Partial<ClusterEvent>, string]>([
    [{}, 'lab: failover of VI_V4 from dir1 to dir2 (gap 1.2 s): master sent priority 0 (keepalived was stopping on dir1)'],
    [{ durationMs: null, cause: null, fromMaster: null }, 'lab: failover of VI_V4 from unknown to dir2'],
    [{ kind: 'split-brain', cause: 'dir1 and dir2 all hold 192.0.2.100' }, 'lab: split brain on VI_V4: dir1 and dir2 all hold 192.0.2.100'],
    [{ kind: 'split-brain', cause: null, endedAt: 5000, durationMs: 5000, toMaster: 'dir1' }, 'lab: split brain on VI_V4 for 5 s, ended (dir1 master)'],
    [{ kind: 'no-master', cause: null, endedAt: 42_000, durationMs: 42_000, toMaster: 'dir2' }, 'lab: no master for VI_V4 for 42 s, then dir2'],
    [{ kind: 'vrrp-transition', director: 'dir1', fromState: 'MASTER', toState: 'FAULT', cause: 'track script chk_fault_flag failed on dir1' }, 'lab: VI_V4 on dir1: MASTER → FAULT: track script chk_fault_flag failed on dir1'],
    [{ kind: 'initial-election', fromMaster: null, toMaster: 'dir1', director: 'dir1', durationMs: null, cause: 'keepalived started on dir1, no master before' }, 'lab: initial election of VI_V4: dir1 master: keepalived started on dir1, no master before'],
    [{ kind: 'real-server-down', instance: null, director: null, cause: null, realServer: '192.0.2.11:80', service: 'tcp:192.0.2.100:80' }, 'lab: real server 192.0.2.11:80 (tcp:192.0.2.100:80) down'],
  ])('%o', (patch, text) => {
    expect(describeEvent({ ...base, ...patch })).toBe(text);
  });

  it('formats gaps in seconds', () => {
    expect([0, 400, 1500, 9960, 12_400, null].map(formatGap)).toEqual(['0 s', '0.4 s', '1.5 s', '10 s', '12 s', '—']);
  });
});
