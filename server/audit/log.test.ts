import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/server/db';
import { dropTrigger, testDb } from '@/server/testing/test-db';
import { auditKeyFrom } from './key';
import { AuditLog } from './log';

function fresh() {
  const db = testDb();
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
    db.exec(dropTrigger(db, 'audit_no_update', 'audit'));
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE id = 2").run();
    expect(log.verify()).toMatchObject({ ok: false, badId: '2', });
    expect(log.verify()).toHaveProperty('reason', expect.stringMatching(/edited/) as unknown);
  });

  it('detects a deleted row', () => {
    const { db, log } = fresh();
    log.append(entry('drain'));
    log.append(entry('weight'));
    log.append(entry('restore'));
    db.exec(dropTrigger(db, 'audit_no_delete', 'audit'));
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
    expect(log.verify()).toEqual({ ok: true, count: 3, head: expect.any(String) as unknown, unfinished: [b.id], unkeyed: 3, anchors: 0 });
  });

  it('the link to the attempt is covered by the hash, and must name an earlier open attempt', () => {
    const { db, log } = fresh();
    const { outcome: _ok, ...request } = entry('drain');
    const a = log.attempt(request);
    log.complete(a, 'ok', null);
    db.exec(dropTrigger(db, 'audit_no_update', 'audit'));
    db.prepare('UPDATE audit SET attempt_id = NULL WHERE id = 2').run();
    expect(log.verify()).toMatchObject({ ok: false, badId: '2', reason: expect.stringMatching(/edited/) as unknown });

    const other = fresh().log;
    other.append(entry('drain'));
    other.append(entry('restore'), '1'); // "completes" a row that is no attempt
    expect(other.verify()).toMatchObject({ ok: false, badId: '2', reason: expect.stringMatching(/completes #1, which is not an earlier attempted row/) as unknown });
  });
});

describe('keyed chain (HMAC) and anchors', () => {
  const KEY = auditKeyFrom('k'.repeat(64), 'test key');
  const OTHER = auditKeyFrom('o'.repeat(64), 'other test key');

  function keyed(n: number) {
    const db = testDb();
    const log = new AuditLog(db, { key: KEY });
    for (let i = 1; i <= n; i++) log.append(entry(`action-${i}`));
    return { db, log };
  }

  type Raw = { id: number; at: number; actor: string; role: string | null; source: string; action: string; cluster: string | null; target: string | null; outcome: string; detail: string; prev_hash: string; attempt_id: number | null };
  const sha = (r: Raw) => {
    const fields: unknown[] = [r.id, r.at, r.actor, r.role, r.source, r.action, r.cluster, r.target, r.outcome, r.detail, r.prev_hash];
    if (r.attempt_id !== null) fields.push(r.attempt_id);
    return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  };

  /** What someone with write access to the database but not the key can do: edit and recompute plain SHA-256 hashes onwards. */
  function rewrite(db: Db, from: number, edit: (r: Raw) => void, downgrade: boolean, to = Infinity) {
    db.exec(dropTrigger(db, 'audit_no_update', 'audit'));
    const rows = db.prepare('SELECT * FROM audit ORDER BY id').all() as (Raw & { hash: string })[];
    let prev = rows.find((r) => r.id === from - 1)?.hash ?? '0'.repeat(64);
    for (const r of rows.filter((x) => x.id >= from && x.id <= to)) {
      if (r.id === from) edit(r);
      r.prev_hash = prev;
      const hash = sha(r);
      db.prepare(`UPDATE audit SET actor = ?, prev_hash = ?, hash = ?${downgrade ? ', scheme = 1, key_id = NULL' : ''} WHERE id = ?`).run(r.actor, r.prev_hash, hash, r.id);
      prev = hash;
    }
  }

  it('new rows are keyed, and verify with the key', () => {
    const { db, log } = keyed(3);
    expect(db.prepare('SELECT DISTINCT scheme, key_id FROM audit').all()).toEqual([{ scheme: 2, key_id: KEY.id }]);
    expect(log.verify()).toMatchObject({ ok: true, count: 3, unkeyed: 0 });
    expect(log.keyId).toBe(KEY.id);
  });

  it('a rewritten row with recomputed plain SHA-256 hashes is detected', () => {
    const { db, log } = keyed(4);
    rewrite(db, 2, (r) => (r.actor = 'mallory'), false);
    expect(log.verify()).toMatchObject({ ok: false, badId: '2', reason: expect.stringMatching(/does not match its HMAC \(edited\)/) as unknown });
  });

  it('rows downgraded to unkeyed (SHA-256) after keyed ones are detected', () => {
    const { db, log } = keyed(4);
    rewrite(db, 3, (r) => (r.actor = 'mallory'), true);
    expect(log.verify()).toMatchObject({ ok: false, badId: '3', reason: expect.stringMatching(/unkeyed row after keyed rows/) as unknown });
  });

  it('a chain rewritten wholly as unkeyed passes alone, but not against an anchor', () => {
    const { db, log } = keyed(4);
    const head = log.head();
    rewrite(db, 1, (r) => (r.actor = 'mallory'), true);
    expect(log.verify()).toMatchObject({ ok: true, unkeyed: 4 }); // hence the anchors
    expect(log.verify({ anchors: [{ id: head?.id ?? 0, hash: head?.hash ?? '' }] })).toMatchObject({ ok: false, badId: '4', reason: expect.stringMatching(/does not match the anchor/) as unknown });
  });

  it('removing the newest rows is detected against an anchor, naming the first missing row', () => {
    const { db, log } = keyed(5);
    const head = log.head();
    expect(head).toMatchObject({ id: 5 });
    const anchor = { id: 5, hash: head?.hash ?? '' };
    expect(log.verify({ anchors: [anchor, { id: 3, hash: (log.list()[2]?.hash ?? '').slice(0, 16) }] })).toMatchObject({ ok: true, anchors: 2 });
    db.exec(dropTrigger(db, 'audit_no_delete', 'audit'));
    db.prepare('DELETE FROM audit WHERE id >= 4').run();
    expect(log.verify()).toMatchObject({ ok: true, count: 3 }); // a valid, shorter chain
    expect(log.verify({ anchors: [anchor] })).toEqual({
      ok: false,
      count: 3,
      badId: '4',
      reason: 'the chain ends at #3 but an anchor names #5: rows from #4 on were removed (truncated)',
    });
  });

  it('a key mismatch, or no key, is reported plainly', () => {
    const { db } = keyed(2);
    expect(new AuditLog(db, { key: OTHER }).verify()).toMatchObject({
      ok: false,
      badId: '1',
      reason: `written with another audit key (key id ${KEY.id}); the key from other test key has id ${OTHER.id}: wrong key, or the row was forged`,
    });
    expect(new AuditLog(db).verify()).toMatchObject({ ok: false, badId: '1', reason: expect.stringMatching(/^rows from #1 on are keyed \(HMAC, key id \w+\): verifying them needs the audit key/) as unknown });
    expect(() => new AuditLog(db).append(entry('drain'))).toThrow(/only be added with the audit key/);
  });

  it('rows from before the key stay unkeyed and verified; editing them breaks the first keyed row', () => {
    const db = testDb();
    const old = new AuditLog(db);
    old.append(entry('drain'));
    old.append(entry('restore'));
    const log = new AuditLog(db, { key: KEY });
    log.append(entry('weight'));
    expect(db.prepare('SELECT id, scheme FROM audit ORDER BY id').all()).toEqual([{ id: 1, scheme: 1 }, { id: 2, scheme: 1 }, { id: 3, scheme: 2 }]);
    expect(log.verify()).toMatchObject({ ok: true, count: 3, unkeyed: 2 });
    rewrite(db, 1, (r) => (r.actor = 'mallory'), true, 2); // the unkeyed rows only: the keyed row cannot be recomputed
    expect(log.verify()).toMatchObject({ ok: false, badId: '3', reason: expect.stringMatching(/link to the previous row does not match/) as unknown });
  });
});
