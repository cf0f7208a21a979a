import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteDb } from '@/server/db';
import { testBackend, testDb } from '@/server/testing/test-db';
import { MIGRATIONS } from '@/server/db/migrations';
import { AuthStore } from './store';

// Issue 14, item 15: the migration that adds token expiry keeps tokens made before it (they never
// expire, and say so), and the store refuses a token from its expiry on.

describe('API token expiry in the store', () => {
  // SQLite's upgrade path (the PostgreSQL stores start at the current schema or are copied into it).
  it.runIf(testBackend === 'sqlite')('a token made before the expiry migration still works and is listed with expiresAt null', () => {
    const raw = new Database(':memory:');
    const before = MIGRATIONS.findIndex((sql) => sql.includes('ALTER TABLE api_tokens ADD COLUMN expires_at'));
    expect(before).toBeGreaterThan(0);
    raw.transaction(() => {
      for (const sql of MIGRATIONS.slice(0, before)) raw.exec(sql);
      raw.pragma(`user_version = ${before}`);
    })();
    raw.prepare("INSERT INTO api_tokens (name, token_hash, role, clusters, created_by, created_at) VALUES ('old', 'x', 'viewer', NULL, 'test', 1)").run();
    const db = sqliteDb(raw);
    const store = new AuthStore(db, () => 10_000);
    expect(store.listTokens()).toEqual([expect.objectContaining({ name: 'old', expiresAt: null, expired: false })]);
    db.close();
  });

  it('refuses a token from its expiry on', () => {
    const db = testDb();
    let t = 1_000;
    const store = new AuthStore(db, () => t);
    const { token } = store.createToken({ name: 'soon', role: 'viewer', createdBy: 'test', expiresAt: 2_000 });
    t = 1_999;
    expect(store.useToken(token)?.name).toBe('soon');
    t = 2_000;
    expect(store.useToken(token)).toBeNull();
    expect(store.listTokens()[0]).toMatchObject({ expiresAt: 2_000, expired: true });
    db.close();
  });
});
