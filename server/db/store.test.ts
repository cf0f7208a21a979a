import { describe, expect, it } from 'vitest';
import { AuditLog } from '@/server/audit/log';
import { testBackend, testDb, testDbPair } from '@/server/testing/test-db';
import { migrate, SchemaTooNewError, schemaVersion, SCHEMA_VERSION, SqliteDb } from './index';

// The driver's contract, on whichever backend the project runs (SQLite in `unit`, PostgreSQL in
// `store-pg`): transactions, batched writes, schema versions, and two consoles on one store.

const row = (db: ReturnType<typeof testDb>, sql: string, ...p: unknown[]) => db.prepare(sql).get(...p) as Record<string, unknown> | undefined;

describe(`the ${testBackend} store`, () => {
  it('is at this console’s schema version once opened, and migrating again changes nothing', () => {
    const db = testDb();
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    migrate(db);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
  });

  it('refuses a store migrated by a newer console, saying what to do', () => {
    const db = testDb();
    if (db instanceof SqliteDb) db.raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    else db.prepare('UPDATE schema_version SET version = ? WHERE id = 1').run(SCHEMA_VERSION + 1);
    expect(() => migrate(db)).toThrow(SchemaTooNewError);
    expect(() => migrate(db)).toThrow(`has schema version ${SCHEMA_VERSION + 1}, newer than this console knows (${SCHEMA_VERSION})`);
  });

  it('a transaction that throws leaves nothing behind; a nested one that throws undoes only its own writes', () => {
    const db = testDb();
    const insert = db.prepare("INSERT INTO users (name, password_hash, role, created_at) VALUES (?, 'h', 'viewer', 1)");
    expect(() =>
      db.transaction(() => {
        insert.run('a');
        insert.run('b');
        throw new Error('stop');
      })(),
    ).toThrow('stop');
    expect(row(db, 'SELECT count(*) AS n FROM users')).toEqual({ n: 0 });
    db.transaction(() => {
      insert.run('outer');
      expect(() =>
        db.transaction(() => {
          insert.run('inner');
          throw new Error('inner stop');
        })(),
      ).toThrow('inner stop');
    })();
    expect(db.prepare('SELECT name FROM users ORDER BY name').all()).toEqual([{ name: 'outer' }]);
  });

  it('writes queued in a transaction report their ids and changes, and a failing one rolls the whole back', () => {
    const db = testDb();
    const open = db.prepare("INSERT INTO director_maintenance (cluster, director, actor, reason, created_at) VALUES ('lab', ?, 'alice', 'r', 1)");
    const ids = db.transaction(() => [open.run('dir1').lastInsertRowid, open.run('dir2').lastInsertRowid].map(Number))();
    expect(ids).toEqual([1, 2]);
    const end = db.prepare('UPDATE director_maintenance SET ended_at = 2 WHERE ended_at IS NULL');
    expect(db.transaction(() => end.run().changes)()).toBe(2);
    // dir3 twice: the second breaks the one-open-row-per-director index, at COMMIT at the latest.
    expect(() =>
      db.transaction(() => {
        open.run('dir3');
        open.run('dir3');
      })(),
    ).toThrow(/UNIQUE|duplicate key/);
    expect(row(db, "SELECT count(*) AS n FROM director_maintenance WHERE director = 'dir3'")).toEqual({ n: 0 });
  });

  it('rows read back with numbers as numbers (epoch milliseconds, counts) and NULL as null', () => {
    const db = testDb();
    db.prepare("INSERT INTO director_maintenance (cluster, director, actor, reason, created_at, expires_at) VALUES ('lab', 'dir1', 'a', 'r', ?, NULL)").run(1_800_000_000_123);
    expect(row(db, 'SELECT id, created_at, expires_at, count(*) OVER () AS n FROM director_maintenance')).toEqual({ id: 1, created_at: 1_800_000_000_123, expires_at: null, n: 1 });
  });

  it('two consoles appending to one audit log make one chain that verifies, each row after the other', () => {
    const [a, b] = testDbPair();
    const logA = new AuditLog(a);
    const logB = new AuditLog(b);
    const entry = (actor: string) => ({ actor, role: 'operator' as const, source: 'test', action: 'drain', cluster: 'lab', target: 'rs1', outcome: 'ok' as const, detail: null });
    for (let i = 0; i < 5; i++) {
      logA.append(entry(`a${i}`));
      logB.append(entry(`b${i}`));
    }
    expect(logA.verify()).toMatchObject({ ok: true, count: 10 });
    expect(logB.list({ limit: 10 }).map((e) => e.actor)).toEqual(['b4', 'a4', 'b3', 'a3', 'b2', 'a2', 'b1', 'a1', 'b0', 'a0']);
  });
});
