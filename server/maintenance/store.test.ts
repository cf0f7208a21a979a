import { describe, expect, it } from 'vitest';
import { testDb } from '@/server/testing/test-db';
import { MaintenanceStore, type NewMaintenance } from './store';

function store(): MaintenanceStore {
  const db = testDb();
  return new MaintenanceStore(db);
}

const base: NewMaintenance = { cluster: 'lab', director: 'dir1', actor: 'alice', reason: 'kernel update', ticket: 'OPS-1', createdAt: 1000, expiresAt: null };

describe('MaintenanceStore', () => {
  it('one open row per director: a second open returns the first; end closes it once; history keeps it', () => {
    const s = store();
    const first = s.openFor(base);
    expect(first).toEqual({ created: true, maintenance: { id: '1', ...base, endedAt: null, endedBy: null, endReason: null } });
    expect(s.openFor({ ...base, actor: 'bob', reason: 'again', createdAt: 2000 })).toEqual({ created: false, maintenance: first.maintenance });
    expect(s.openFor({ ...base, director: 'dir2' }).created).toBe(true);
    expect(s.open('lab').map((m) => m.director)).toEqual(['dir1', 'dir2']);
    expect(s.end('lab', 'dir1', 3000, 'carol', 'done')).toMatchObject({ id: '1', endedAt: 3000, endedBy: 'carol', endReason: 'done' });
    expect(s.end('lab', 'dir1', 4000, 'carol', 'twice')).toBeNull();
    expect(s.findOpen('lab', 'dir1')).toBeNull();
    expect(s.history('lab').map((m) => [m.director, m.endedAt])).toEqual([['dir2', null], ['dir1', 3000]]);
    expect(s.open('other')).toEqual([]);
  });

  it('leases: the open rows whose lease ran out', () => {
    const s = store();
    s.openFor({ ...base, expiresAt: 5000 });
    s.openFor({ ...base, director: 'dir2', expiresAt: null });
    expect(s.expired(4999)).toEqual([]);
    expect(s.expired(5000).map((m) => [m.director, m.expiresAt])).toEqual([['dir1', 5000]]);
    s.end('lab', 'dir1', 6000, 'system', 'lease expired');
    expect(s.expired(9000)).toEqual([]);
  });
});
