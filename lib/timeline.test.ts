import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/lib/models/audit';
import type { ClusterEvent } from '@/lib/models/events';
import { buildTimeline, kindsFor, resolveRange } from './timeline';

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
    expect(kindsFor(['keepalived', 'failover'])).toEqual(['failover', 'keepalived-down', 'keepalived-up']);
    expect(kindsFor([])).toBeNull();
  });
});
