import { describe, expect, it } from 'vitest';
import { testDb } from '@/server/testing/test-db';
import { HaproxyHoldStore } from './hold-store';

function store(): HaproxyHoldStore {
  const db = testDb();
  return new HaproxyHoldStore(db);
}
const base = { cluster: 'lab', backend: 'galera', server: 'rs1', actor: 'alice', reason: 'kernel update', createdAt: 1000 };

describe('HaproxyHoldStore', () => {
  it('keeps one open hold per aspect: the same request keeps it, another replaces it', () => {
    const s = store();
    const a = s.set({ ...base, aspect: 'state', state: 'drain' });
    expect(s.set({ ...base, aspect: 'state', state: 'drain', actor: 'bob' }).id).toBe(a.id);
    const m = s.set({ ...base, aspect: 'state', state: 'maint', createdAt: 2000 });
    expect(m.id).not.toBe(a.id);
    const w = s.set({ ...base, aspect: 'weight', weight: 50 });
    expect(s.open('lab').map((h) => [h.aspect, h.state, h.weight])).toEqual([
      ['state', 'maint', null],
      ['weight', null, 50],
    ]);
    expect(s.openFor('lab', 'galera', 'rs2')).toEqual([]);
    expect(s.open('other')).toEqual([]);
    expect(w.reapplied).toBe(0);
  });

  it('ends only the aspects asked for, and counts them', () => {
    const s = store();
    s.set({ ...base, aspect: 'state', state: 'drain' });
    s.set({ ...base, aspect: 'weight', weight: 5 });
    expect(s.end('lab', 'galera', 'rs1', ['state'], 3000, 'bob', 'ready')).toBe(1);
    expect(s.open().map((h) => h.aspect)).toEqual(['weight']);
    expect(s.end('lab', 'galera', 'rs1', ['state'], 3000, 'bob', 'ready')).toBe(0);
    expect(s.end('lab', 'galera', 'rs1', ['state', 'weight'], 3000, 'bob', 'release')).toBe(1);
    expect(s.open()).toEqual([]);
  });

  it('notes re-applies: successes count, a failure keeps its error until the next success', () => {
    const s = store();
    const h = s.set({ ...base, aspect: 'state', state: 'drain' });
    s.noteReapply(h.id, 5000, 'Connection refused');
    expect(s.open()[0]).toMatchObject({ reapplied: 0, lastReappliedAt: null, lastError: 'Connection refused' });
    s.noteReapply(h.id, 6000, null);
    expect(s.open()[0]).toMatchObject({ reapplied: 1, lastReappliedAt: 6000, lastError: null });
  });
});
