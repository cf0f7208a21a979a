import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/lib/models/audit';
import type { ClusterEvent } from '@/lib/models/events';
import { buildTimeline, entryOfEvent, eventIdFromHash, foldRealServerDowns, groupBursts, kindsFor, resolveRange, timelineStateFromUrl, timelineStateToUrl, type TimelineEntry, type TimelineGroup } from './timeline';

const ev = (p: Partial<ClusterEvent>): ClusterEvent => ({
  id: '1', cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: null, toState: null, fromMaster: 'dir1', toMaster: 'dir2',
  at: 10_000, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed', ...p,
});
const audit = (p: Partial<AuditEntry>): AuditEntry => ({
  id: '1', at: 12_000, actor: 'olga', role: 'operator', source: '127.0.0.1', action: 'drain', cluster: 'lab', target: 'rs1', outcome: 'ok', attemptId: null, outcomeId: null, detail: null, hash: 'h', ...p,
});

describe('buildTimeline', () => {
  const events = [
    ev({ id: '1' }),
    ev({ id: '2', kind: 'no-master', at: 7000, endedAt: 9500, durationMs: 2500, toMaster: 'dir2' }),
    ev({ id: '3', kind: 'real-server-down', cluster: 'other', at: 11_000 }),
  ];
  const entries = [audit({ id: '5' }), audit({ id: '6', action: 'login', cluster: null }), audit({ id: '7', action: 'drift-repair', actor: 'system', at: 8000 }), audit({ id: '8', at: 99_999 })];

  it('merges events and cluster audit entries newest first, leaving logins out and entries outside the range', () => {
    const t = buildTimeline(events, entries, { groups: [], cluster: null, from: 0, to: 20_000 });
    expect(t.map((i) => [i.key, i.group])).toEqual([
      ['a5', 'operator'], ['e3', 'real-server'], ['e1', 'failover'], ['a7', 'drift-repair'], ['e2', 'no-master'],
    ]);
  });

  it("gives a failover the gap of the no-master interval it ended, unless it has its own", () => {
    const t = buildTimeline(events, [], { groups: ['failover'], cluster: 'lab', from: 0, to: 20_000 });
    expect(t.map((i) => (i.type === 'event' ? i.gapMs : null))).toEqual([2500]);
    const own = buildTimeline([ev({ durationMs: 800 }), ...events.slice(1)], [], { groups: ['failover'], cluster: 'lab', from: 0, to: 20_000 });
    expect(own.map((i) => (i.type === 'event' ? i.gapMs : null))).toEqual([800]);
  });

  it('filters by cluster and group', () => {
    expect(buildTimeline(events, entries, { groups: ['real-server', 'drift-repair'], cluster: 'other', from: 0, to: 20_000 }).map((i) => i.key)).toEqual(['e3']);
  });

  it('shows a completed attempt once (by its outcome row) and an attempt without an outcome as such', () => {
    const rows = [audit({ id: '11', outcome: 'attempted', outcomeId: '12' }), audit({ id: '12', attemptId: '11' }), audit({ id: '13', outcome: 'attempted', outcomeId: null })];
    expect(buildTimeline([], rows, { groups: [], cluster: null, from: 0, to: 20_000 }).map((i) => i.key)).toEqual(['a12', 'a13']);
  });

  it('resolves ranges and kinds', () => {
    expect(resolveRange({ preset: '1h' }, 10_000_000)).toEqual({ from: 10_000_000 - 3_600_000, to: 10_000_000 });
    expect(resolveRange({ preset: 'custom', from: 5, to: 9 }, 100)).toEqual({ from: 5, to: 9 });
    expect(kindsFor(['keepalived', 'failover'])).toEqual(['failover', 'initial-election', 'keepalived-down', 'keepalived-up']);
    expect(kindsFor([])).toBeNull();
  });
});

describe('groupBursts', () => {
  const all = { groups: [], cluster: null, from: 0, to: 100_000 } as const;
  const shape = (entries: TimelineEntry[]) =>
    entries.map((x) => (x.type === 'burst' ? { burst: x.head.event.id, members: x.members.map((m) => m.event.id), instances: x.instances, gap: x.gapMs } : x.key));
  // A graceful stop of dir1: its MASTER -> BACKUP rows, dir2's BACKUP -> MASTER rows and the two failovers (VI_V4, VI_V6),
  // then, much later, an unrelated real server down and dir1's return.
  const failover = [
    ev({ id: '1', kind: 'vrrp-transition', director: 'dir1', instance: 'VI_V4', fromState: 'MASTER', toState: 'BACKUP', at: 10_000 }),
    ev({ id: '2', kind: 'vrrp-transition', director: 'dir1', instance: 'VI_V6', fromState: 'MASTER', toState: 'BACKUP', at: 10_000 }),
    ev({ id: '3', kind: 'vrrp-transition', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', at: 13_000 }),
    ev({ id: '4', kind: 'vrrp-transition', director: 'dir2', instance: 'VI_V6', fromState: 'BACKUP', toState: 'MASTER', at: 13_000 }),
    ev({ id: '5', instance: 'VI_V6', at: 13_000, durationMs: 3000, cause: null }),
    ev({ id: '6', instance: 'VI_V4', at: 13_000, durationMs: 2500, cause: 'master sent priority 0' }),
    ev({ id: '7', kind: 'keepalived-down', director: 'dir1', instance: null, at: 9_900 }),
  ];
  const later = [
    ev({ id: '8', kind: 'real-server-down', instance: null, director: null, realServer: '192.0.2.11:80', at: 40_000 }),
    ev({ id: '9', kind: 'vrrp-transition', director: 'dir1', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', at: 60_000 }),
    ev({ id: '10', instance: 'VI_V4', fromMaster: 'dir2', toMaster: 'dir1', director: 'dir1', at: 60_000 }),
  ];

  it("folds a failover's transitions on both directors and both instances into one burst told by the failover with a cause", () => {
    const entries = groupBursts(buildTimeline([...failover, ...later], [], all));
    expect(shape(entries)).toEqual([
      { burst: '10', members: ['10', '9'], instances: ['VI_V4'], gap: null },
      'e8',
      { burst: '6', members: ['1', '2', '3', '4', '5', '6'], instances: ['VI_V4', 'VI_V6'], gap: 3000 },
      // keepalived's stop is its own line (it is the cause, told in the burst's head)
      'e7',
    ]);
    expect(entryOfEvent(entries, '3')).toMatchObject({ type: 'burst', key: 'be6' });
    expect(entryOfEvent(entries, '8')).toMatchObject({ type: 'event', key: 'e8' });
    expect(entryOfEvent(entries, '99')).toBeNull();
  });

  it('keeps apart what is not one burst: other clusters, other directions, more than 10 s apart; a lone failover stays a plain row', () => {
    const events = [
      ev({ id: '1', instance: 'VI_V4', at: 10_000 }),
      ev({ id: '2', instance: 'VI_V6', at: 10_500, cluster: 'other' }),
      ev({ id: '3', instance: 'VI_V6', at: 30_000 }),
      ev({ id: '4', kind: 'vrrp-transition', director: 'dir2', instance: 'VI_V4', at: 10_000 }),
      ev({ id: '5', kind: 'vrrp-transition', director: 'dir2', instance: 'VI_V6', at: 45_000 }),
    ];
    expect(shape(groupBursts(buildTimeline(events, [], all)))).toEqual(['e5', 'e3', 'e2', { burst: '1', members: ['1', '4'], instances: ['VI_V4'], gap: null }]);
  });

  it('folds an initial election with its transitions, and a no-master gap ending at a failover', () => {
    const events = [
      ev({ id: '1', kind: 'initial-election', fromMaster: null, toMaster: 'dir1', director: 'dir1', instance: 'VI_V4', at: 10_000 }),
      ev({ id: '2', kind: 'vrrp-transition', director: 'dir1', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', at: 10_000 }),
      ev({ id: '3', instance: 'VI_V4', at: 50_000 }),
      ev({ id: '4', kind: 'no-master', instance: 'VI_V4', at: 47_000, endedAt: 50_000, durationMs: 3000 }),
    ];
    expect(shape(groupBursts(buildTimeline(events, [], all)))).toEqual([
      { burst: '3', members: ['4', '3'], instances: ['VI_V4'], gap: 3000 },
      { burst: '1', members: ['1', '2'], instances: ['VI_V4'], gap: null },
    ]);
  });

  it('reads event anchors', () => {
    expect(eventIdFromHash('#event-42')).toBe('42');
    expect(eventIdFromHash('event-7')).toBe('7');
    expect(eventIdFromHash('#findings')).toBeNull();
    expect(eventIdFromHash('#event-4x')).toBeNull();
  });
});

describe('timeline state in the URL', () => {
  it('round-trips range, custom window, kinds and cluster, leaving other parameters alone', () => {
    const s = { range: { preset: 'custom' as const, from: 1_700_000_000_000, to: 1_700_000_360_000 }, groups: ['failover', 'real-server'] as TimelineGroup[], cluster: 'lab' };
    const search = timelineStateToUrl('q=192.0.2.11&kinds=old', s);
    expect(search).toBe('q=192.0.2.11&range=custom&from=1700000000000&to=1700000360000&kinds=failover%2Creal-server&in=lab');
    expect(timelineStateFromUrl(new URLSearchParams(search))).toEqual(s);
  });

  it('the defaults are not written; a URL without them reads as the defaults', () => {
    expect(timelineStateToUrl('q=x', { range: { preset: '24h' }, groups: [], cluster: '' })).toBe('q=x');
    expect(timelineStateFromUrl(null)).toEqual({ range: { preset: '24h' }, groups: [], cluster: '' });
  });

  it('unreadable parts fall back: unknown range or kinds, times that are not numbers, repeats', () => {
    const s = timelineStateFromUrl(new URLSearchParams('range=1y&kinds=failover,bogus,failover&from=x'));
    expect(s).toEqual({ range: { preset: '24h' }, groups: ['failover'], cluster: '' });
    expect(timelineStateFromUrl(new URLSearchParams('range=custom&from=12&to=abc')).range).toEqual({ preset: 'custom', from: 12, to: undefined });
  });
});

describe('foldRealServerDowns', () => {
  const all = { groups: [], cluster: null, from: 0, to: 100_000 } as const;
  const down = (id: string, at: number, p: Partial<ClusterEvent> = {}) =>
    ev({ id, kind: 'real-server-down', instance: null, director: null, fromMaster: null, toMaster: null, realServer: `192.0.2.${id}:80`, service: 'TCP 192.0.2.103:80', cause: 'removed from the IPVS table', at, ...p });
  const shape = (events: ClusterEvent[]) =>
    foldRealServerDowns(groupBursts(buildTimeline(events, [], all))).map((r) => (r.type === 'entry' ? r.key : r.events.map((e) => e.id)));

  it("folds the real servers a keepalived stop took out at once into one row, leaving the failover it came with on its own", () => {
    const events = [ev({ id: '1', at: 10_000, cause: 'master sent priority 0' }), down('11', 12_000), down('12', 12_000), down('13', 12_000), down('14', 12_500, { service: 'UDP 192.0.2.101:5353' })];
    expect(shape(events)).toEqual([['14', '11', '12', '13'], 'e1']);
  });

  it('keeps apart other causes, other clusters, runs broken by another event and rows more than a burst apart; a run of one stays plain', () => {
    const events = [
      down('11', 50_000),
      down('12', 49_000, { cause: 'keepalived health check failed' }),
      down('13', 48_000, { cluster: 'other' }),
      down('14', 30_000),
      down('15', 29_000),
      ev({ id: '2', kind: 'keepalived-down', director: 'dir1', instance: null, at: 28_000 }),
      down('16', 27_000),
      down('17', 26_000),
      down('18', 10_000),
    ];
    expect(shape(events)).toEqual(['e11', 'e12', 'e13', ['14', '15'], 'e2', ['16', '17'], 'e18']);
  });
});
