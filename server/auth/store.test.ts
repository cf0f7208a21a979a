import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@/server/db';
import { MIGRATIONS } from '@/server/db/migrations';
import { AuthStore } from './store';

// Issue 14, item 15: the migration that adds token expiry keeps tokens made before it (they never
// expire, and say so), and the store refuses a token from its expiry on.

describe('API token expiry in the store', () => {
  it('a token made before the expiry migration still works and is listed with expiresAt null', () => {
    const db = new Database(':memory:');
    const before = MIGRATIONS.findIndex((sql) => sql.includes('ALTER TABLE api_tokens ADD COLUMN expires_at'));
    expect(before).toBeGreaterThan(0);
    db.transaction(() => {
      for (const sql of MIGRATIONS.slice(0, before)) db.exec(sql);
      db.pragma(`user_version = ${before}`);
    })();
    db.prepare("INSERT INTO api_tokens (name, token_hash, role, clusters, created_by, created_at) VALUES ('old', 'x', 'viewer', NULL, 'test', 1)").run();
    migrate(db);
    const store = new AuthStore(db, () => 10_000);
    expect(store.listTokens()).toEqual([expect.objectContaining({ name: 'old', expiresAt: null, expired: false })]);
    db.close();
  });

  it('refuses a token from its expiry on', () => {
    const db = new Database(':memory:');
    migrate(db);
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
