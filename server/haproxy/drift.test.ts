import { describe, expect, it } from 'vitest';
import type { HaproxyHold, HaproxyInstanceView, HaproxyServer } from '@/lib/models/haproxy';
import { adminState, findHoldDrift, holdMemoKey, type HoldMemo } from './drift';

const server = (name: string, status: string, weight: number): HaproxyServer => ({
  name,
  address: null,
  status,
  weight,
  currentSessions: 0,
  totalSessions: 0,
  checkStatus: 'L7OK',
  checkCode: 0,
  checkDetail: '',
  checkDescription: 'Layer7 check passed',
  checkDurationMs: 0,
  lastChangeS: 1,
});
const inst = (name: string, readAt: number | null, servers: HaproxyServer[]): HaproxyInstanceView => ({
  name,
  director: name.replace('haproxy-', ''),
  readAt,
  error: readAt === null ? 'ssh: connect timed out' : null,
  frontends: [],
  backends: [{ name: 'galera', status: 'UP', currentSessions: 0, totalSessions: 0, servers }],
});
const hold = (over: Partial<HaproxyHold>): HaproxyHold => ({
  id: '1',
  cluster: 'lab',
  backend: 'galera',
  server: 'rs1',
  aspect: 'state',
  state: 'drain',
  weight: null,
  actor: 'alice',
  reason: '',
  createdAt: 0,
  reapplied: 0,
  lastReappliedAt: null,
  lastError: null,
  ...over,
});

describe('adminState', () => {
  it('reads DRAIN and MAINT (with their suffixes) and everything else as ready', () => {
    expect(['DRAIN', 'DRAIN (agent)', 'MAINT', 'MAINT (resolution)', 'UP', 'UP 1/2', 'DOWN', 'NOLB', 'no check'].map(adminState)).toEqual([
      'drain',
      'drain',
      'maint',
      'maint',
      'ready',
      'ready',
      'ready',
      'ready',
      'ready',
    ]);
  });
});

describe('findHoldDrift', () => {
  const none = new Map<string, HoldMemo>();
  it('finds the instance that forgot a drain, not the one that kept it', () => {
    const views = [inst('haproxy-dir1', 100, [server('rs1', 'UP', 1)]), inst('haproxy-dir2', 100, [server('rs1', 'DRAIN', 1)])];
    const { due, waiting } = findHoldDrift(views, [hold({})], none, 100, 2000);
    expect(due.map((d) => [d.instance, d.found])).toEqual([['haproxy-dir1', 'UP']]);
    expect(waiting).toEqual([]);
  });

  it('a maint hold drifts on DRAIN; a weight hold on another weight only', () => {
    const views = [inst('haproxy-dir1', 100, [server('rs1', 'DRAIN', 7)])];
    const holds = [hold({ id: '1', state: 'maint' }), hold({ id: '2', aspect: 'weight', state: null, weight: 7 }), hold({ id: '3', aspect: 'weight', state: null, weight: 9 })];
    expect(findHoldDrift(views, holds, none, 100, 2000).due.map((d) => [d.hold.id, d.found])).toEqual([
      ['1', 'DRAIN'],
      ['3', 'weight 7'],
    ]);
  });

  it('ignores instances that did not answer and servers the instance does not have', () => {
    const views = [inst('haproxy-dir1', null, []), inst('haproxy-dir2', 100, [server('rs2', 'UP', 1)])];
    expect(findHoldDrift(views, [hold({})], none, 100, 2000)).toEqual({ due: [], waiting: [] });
  });

  it('waits for a read taken after the last re-apply, and backs off after failures', () => {
    const views = [inst('haproxy-dir1', 1000, [server('rs1', 'UP', 1)])];
    const memo = new Map<string, HoldMemo>([[holdMemoKey('1', 'haproxy-dir1'), { lastFinishedAt: 1000, failures: 0 }]]);
    expect(findHoldDrift(views, [hold({})], memo, 1500, 2000).waiting).toHaveLength(1);
    const later = [inst('haproxy-dir1', 1200, [server('rs1', 'UP', 1)])];
    expect(findHoldDrift(later, [hold({})], memo, 1500, 2000).due).toHaveLength(1);
    memo.set(holdMemoKey('1', 'haproxy-dir1'), { lastFinishedAt: 1000, failures: 2 });
    expect(findHoldDrift(later, [hold({})], memo, 1000 + 7999, 2000).waiting).toHaveLength(1);
    expect(findHoldDrift(later, [hold({})], memo, 1000 + 8000, 2000).due).toHaveLength(1);
  });
});
