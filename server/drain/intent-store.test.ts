import { describe, expect, it } from 'vitest';
import { testDb } from '@/server/testing/test-db';
import { IntentStore, type NewIntent } from './intent-store';

function store(): IntentStore {
  const db = testDb();
  return new IntentStore(db);
}

const base: NewIntent = {
  cluster: 'lab',
  service: 'TCP 192.0.2.100:80',
  realServer: '192.0.2.11:80',
  kind: 'drain',
  weight: 0,
  restoreWeight: 100,
  mechanism: 'ipvsadm',
  actor: 'alice',
  reason: 'kernel update',
  ticket: 'OPS-1',
  createdAt: 1000,
  expiresAt: null,
  onExpiry: null,
};

describe('IntentStore', () => {
  it('one open intent per real server: a repeated drain returns the same intent', () => {
    const s = store();
    const a = s.openIntent(base);
    const b = s.openIntent({ ...base, actor: 'bob', createdAt: 2000 });
    expect(a.created).toBe(true);
    expect(b).toEqual({ intent: a.intent, created: false, replaced: null });
    expect(s.open('lab')).toHaveLength(1);
    expect(a.intent).toMatchObject({ id: '1', kind: 'drain', weight: 0, restoreWeight: 100, actor: 'alice', ticket: 'OPS-1', endedAt: null });
  });

  it('a different hold replaces the open one (ended in the same transaction)', () => {
    const s = store();
    s.openIntent({ ...base, kind: 'weight', weight: 20 });
    const d = s.openIntent({ ...base, createdAt: 3000 });
    expect(d.created).toBe(true);
    expect(d.replaced).toMatchObject({ id: '1' });
    expect(s.get('1')).toMatchObject({ endedAt: 3000, endReason: 'replaced by a drain to weight 0' });
    expect(s.open().map((i) => i.id)).toEqual(['2']);
  });

  it('end closes once; history keeps ended intents', () => {
    const s = store();
    const { intent } = s.openIntent(base);
    expect(s.end(intent.id, 5000, 'carol', 'done')).toMatchObject({ endedAt: 5000, endedBy: 'carol', endReason: 'done' });
    expect(s.end(intent.id, 6000, 'carol', 'again')).toBeNull();
    expect(s.open('lab')).toEqual([]);
    expect(s.history('lab')).toHaveLength(1);
    // A new drain after the end is a new intent.
    expect(s.openIntent(base).intent.id).toBe('2');
  });

  it('the database refuses a second open intent even behind the store’s back', () => {
    const db = testDb();
    const insert = () =>
      db.prepare("INSERT INTO intents (cluster, service, real_server, kind, weight, mechanism, actor, reason, created_at) VALUES ('lab','s','r','drain',0,'ipvsadm','a','x',1)").run();
    insert();
    expect(insert).toThrow(/UNIQUE|duplicate key/);
  });
});
