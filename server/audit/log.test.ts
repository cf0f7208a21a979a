import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate } from '@/server/db';
import { AuditLog } from './log';

function fresh() {
  const db = new Database(':memory:');
  migrate(db);
  return { db, log: new AuditLog(db) };
}

const entry = (action: string) => ({ actor: 'alice', role: 'operator', source: '127.0.0.1', action, cluster: 'lab', target: 'TCP 192.0.2.100:80 -> 192.0.2.11:80', outcome: 'ok' as const, detail: { directors: { dir1: 'ok' } } });

describe('AuditLog', () => {
  it('appends, lists newest first, and verifies an intact chain', () => {
    const { log } = fresh();
    log.append(entry('drain'));
    log.append(entry('restore'));
    expect(log.list().map((e) => e.action)).toEqual(['restore', 'drain']);
    expect(log.list()[0]?.detail).toEqual({ directors: { dir1: 'ok' } });
    expect(log.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it('refuses UPDATE and DELETE through SQLite', () => {
    const { db, log } = fresh();
    log.append(entry('drain'));
    expect(() => db.prepare("UPDATE audit SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
  });

  it('detects an edited row, naming it, once the triggers are bypassed', () => {
    const { db, log } = fresh();
    log.append(entry('drain'));
    log.append(entry('weight'));
    log.append(entry('restore'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE id = 2").run();
    expect(log.verify()).toMatchObject({ ok: false, badId: '2', });
    expect(log.verify()).toHaveProperty('reason', expect.stringMatching(/edited/) as unknown);
  });

  it('detects a deleted row', () => {
    const { db, log } = fresh();
    log.append(entry('drain'));
    log.append(entry('weight'));
    log.append(entry('restore'));
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE id = 2').run();
    expect(log.verify()).toMatchObject({ ok: false, badId: '3' });
  });
});
