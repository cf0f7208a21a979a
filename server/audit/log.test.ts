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

describe('attempts and outcomes', () => {
  it('an outcome row names its attempt; listing tells which attempts have an outcome; verify lists the rest', () => {
    const { log } = fresh();
    const { outcome: _ok, ...request } = entry('drain');
    const a = log.attempt(request);
    const done = log.complete(a, 'partial', { directors: { dir1: 'ok', dir2: 'failed' } });
    const b = log.attempt({ ...request, action: 'restore' });
    expect(done).toMatchObject({ attemptId: a.id, outcome: 'partial', actor: 'alice', action: 'drain', target: request.target });
    expect(log.list().map((e) => [e.id, e.outcome, e.attemptId, e.outcomeId])).toEqual([
      ['3', 'attempted', null, null],
      ['2', 'partial', '1', null],
      ['1', 'attempted', null, '2'],
    ]);
    expect(log.verify()).toEqual({ ok: true, count: 3, head: expect.any(String) as unknown, unfinished: [b.id] });
  });

  it('the link to the attempt is covered by the hash, and must name an earlier open attempt', () => {
    const { db, log } = fresh();
    const { outcome: _ok, ...request } = entry('drain');
    const a = log.attempt(request);
    log.complete(a, 'ok', null);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare('UPDATE audit SET attempt_id = NULL WHERE id = 2').run();
    expect(log.verify()).toMatchObject({ ok: false, badId: '2', reason: expect.stringMatching(/edited/) as unknown });

    const other = fresh().log;
    other.append(entry('drain'));
    other.append(entry('restore'), '1'); // "completes" a row that is no attempt
    expect(other.verify()).toMatchObject({ ok: false, badId: '2', reason: expect.stringMatching(/completes #1, which is not an earlier attempted row/) as unknown });
  });
});
