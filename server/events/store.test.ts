import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewClusterEvent } from '@/lib/models/events';
import type { Db } from '@/server/db';
import { testDb } from '@/server/testing/test-db';
import { EventStore } from './store';

let db: Db;
let store: EventStore;
beforeEach(() => {
  db = testDb();
  store = new EventStore(db);
});
afterEach(() => db.close());

const T = 1_790_000_000_000;
function ev(o: Partial<NewClusterEvent> & Pick<NewClusterEvent, 'kind'>): NewClusterEvent {
  return {
    cluster: 'lab', director: null, instance: null, fromState: null, toState: null, fromMaster: null, toMaster: null, at: T,
    endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed', ...o,
  };
}

describe('EventStore', () => {
  it('inserts and reads back every field', () => {
    const e = ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', fromMaster: 'dir1', toMaster: 'dir2', fromState: 'BACKUP', toState: 'MASTER', cause: 'x', logLines: ['a', 'b'] });
    const r = store.add(e);
    expect(r.action).toBe('inserted');
    expect(store.get(r.id)).toEqual({ ...e, id: r.id });
  });

  it('dedupes the same event within ±1 s; a log back-fill only adds its time, cause and lines', () => {
    const first = store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', fromMaster: 'dir1', toMaster: 'dir2', at: T + 800 }));
    const again = store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', at: T, source: 'log', cause: 'advert timeout from the master', logLines: ['l1'] }));
    expect(again).toEqual({ id: first.id, action: 'merged' });
    expect(store.get(first.id)).toMatchObject({ at: T, fromMaster: 'dir1', cause: 'advert timeout from the master', logLines: ['l1'], source: 'observed' });
    // Outside the window, on another instance or director: separate events.
    expect(store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', at: T + 2500 })).action).toBe('inserted');
    expect(store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_2', at: T })).action).toBe('inserted');
    expect(store.add(ev({ kind: 'failover', director: 'dir1', instance: 'VI_1', at: T })).action).toBe('inserted');
    // Two real servers going down at once are two events.
    expect(store.add(ev({ kind: 'real-server-down', service: 'S', realServer: 'a:80' })).action).toBe('inserted');
    expect(store.add(ev({ kind: 'real-server-down', service: 'S', realServer: 'b:80' })).action).toBe('inserted');
    expect(store.query({ from: 0, to: T + 10_000 }).events).toHaveLength(6);
  });

  it('closes an open gap with its length, even when the end reports another start time', () => {
    const open = store.add(ev({ kind: 'no-master', instance: 'VI_1', at: T, fromMaster: 'dir1' }));
    expect(store.open('lab').map((e) => e.id)).toEqual([open.id]);
    const closed = store.add(ev({ kind: 'no-master', instance: 'VI_1', at: T + 5000, endedAt: T + 3500, durationMs: 0, toMaster: 'dir2' }));
    expect(closed).toEqual({ id: open.id, action: 'closed' });
    expect(store.get(open.id)).toMatchObject({ at: T, endedAt: T + 3500, durationMs: 3500, fromMaster: 'dir1', toMaster: 'dir2' });
    expect(store.open('lab')).toEqual([]);
    // An end with nothing open is stored closed as given.
    const lone = store.add(ev({ kind: 'split-brain', instance: 'VI_1', at: T + 10_000, endedAt: T + 12_000, durationMs: 2000 }));
    expect(lone.action).toBe('inserted');
    expect(store.get(lone.id)).toMatchObject({ endedAt: T + 12_000, durationMs: 2000 });
    store.add(ev({ kind: 'director-unreachable', director: 'dir2', at: T + 20_000 }));
    const [opened] = store.open();
    if (!opened) throw new Error('expected an open outage');
    store.close(opened.id, T + 21_000);
    expect(store.get(opened.id)).toMatchObject({ endedAt: T + 21_000, durationMs: 1000 });
  });

  it('queries by cluster, time range and kinds, newest first, with open intervals overlapping the range', () => {
    store.add(ev({ kind: 'no-master', instance: 'VI_1', at: T - 60_000 })); // still open
    store.add(ev({ kind: 'split-brain', instance: 'VI_1', at: T - 60_000, endedAt: T - 50_000, durationMs: 10_000 })); // ended before
    store.add(ev({ kind: 'failover', director: 'dir1', instance: 'VI_1', at: T - 40_000 })); // a point event before: not "open"
    store.add(ev({ kind: 'vrrp-transition', director: 'dir1', instance: 'VI_1', fromState: 'MASTER', toState: 'BACKUP', at: T - 40_000 }));
    store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', at: T + 1000 }));
    store.add(ev({ kind: 'keepalived-down', director: 'dir1', at: T + 2000 }));
    store.add(ev({ cluster: 'other', kind: 'failover', director: 'a', at: T + 3000 }));
    store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', at: T + 99_000 })); // after

    const lab = store.query({ cluster: 'lab', from: T, to: T + 10_000 });
    expect(lab.events.map((e) => [e.kind, e.at])).toEqual([['keepalived-down', T + 2000], ['failover', T + 1000], ['no-master', T - 60_000]]);
    expect(lab.truncated).toBe(false);
    expect(store.query({ from: T, to: T + 10_000, kinds: ['failover'] }).events.map((e) => e.cluster)).toEqual(['other', 'lab']);
    expect(store.query({ from: T, to: T + 10_000, limit: 2 })).toMatchObject({ truncated: true });
    expect(store.query({ from: T, to: T + 10_000, kinds: ['failover', 'no-master'], cluster: 'lab' }).events).toHaveLength(2);
  });

  it('takes a back-fill explanation: log time, cause and lines, keeping what it had', () => {
    const { id } = store.add(ev({ kind: 'failover', director: 'dir2', instance: 'VI_1', at: T + 3000, fromMaster: 'dir1' }));
    store.explain({ id, at: T, cause: 'advert timeout from the master', logLines: ['l1', 'l2'] });
    store.explain({ id, at: T, cause: 'other', logLines: ['l2', 'l3'] });
    expect(store.get(id)).toMatchObject({ at: T, fromMaster: 'dir1', cause: 'advert timeout from the master', logLines: ['l1', 'l2', 'l3'], source: 'observed' });
  });

  it("relabels an observed new master by the logs' word: failover <-> initial election, and finds it under the new kind", () => {
    const { id } = store.add(ev({ kind: 'failover', director: 'dir1', instance: 'VI_1', at: T + 3000, fromMaster: null, fromState: 'BACKUP', cause: null }));
    store.explain({ id, kind: 'initial-election', at: T, cause: 'keepalived started on dir1, no master before', logLines: ['s', 'm'] });
    expect(store.get(id)).toMatchObject({ kind: 'initial-election', at: T, fromMaster: null, fromState: null, cause: 'keepalived started on dir1, no master before', logLines: ['s', 'm'] });
    expect(store.query({ from: T - 1, to: T + 1, kinds: ['failover'] }).events).toEqual([]);
    expect(store.query({ from: T - 1, to: T + 1, kinds: ['initial-election'] }).events.map((e) => e.id)).toEqual([id]);
    // Only between the two master kinds: a gap stays a gap.
    const gap = store.add(ev({ kind: 'no-master', instance: 'VI_1', at: T + 5000 }));
    store.explain({ id: gap.id, kind: 'failover', at: T + 5000, cause: null, logLines: [] });
    expect(store.get(gap.id)?.kind).toBe('no-master');
  });

  it('prunes old closed events but keeps open intervals', () => {
    store.add(ev({ kind: 'failover', director: 'dir2', at: T }));
    store.add(ev({ kind: 'no-master', instance: 'VI_1', at: T }));
    expect(store.prune(T + 1)).toBe(1);
    expect(store.open()).toHaveLength(1);
  });
});
