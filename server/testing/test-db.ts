import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject, onTestFinished } from 'vitest';
import { memoryDb, openDatabase, openPostgres, type Db } from '@/server/db';
import { postgresDdl } from '@/server/db/dialect';

// The store a test runs on: an in-memory SQLite database, or, in the `store-pg` test project
// (LVS_TEST_STORE=postgres), a fresh schema of the real PostgreSQL server that
// server/testing/postgres-global-setup.ts started. The same test suite runs on both.

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

export const testBackend: 'sqlite' | 'postgres' = process.env.LVS_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** DROP TRIGGER in the store's dialect (tests that play an attacker with write access). */
export function dropTrigger(db: Db, name: string, table: string): string {
  return db.dialect === 'postgres' ? `DROP TRIGGER IF EXISTS ${name} ON ${table}` : `DROP TRIGGER IF EXISTS ${name}`;
}

/** DDL written for SQLite (a test's trigger), in the store's dialect. */
export function execDdl(db: Db, sql: string): void {
  db.exec(db.dialect === 'postgres' ? postgresDdl(sql) : sql);
}

export function testDb(): Db {
  if (testBackend === 'sqlite') return memoryDb();
  return pgDb(`t_${crypto.randomBytes(6).toString('hex')}`);
}

/** Two handles on one store, as two consoles sharing it have (SQLite: one file opened twice). */
export function testDbPair(): [Db, Db] {
  if (testBackend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-db-'));
    const pair: [Db, Db] = [openDatabase(dir), openDatabase(dir)];
    closeAfterTest(...pair);
    return pair;
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  return [pgDb(schema), pgDb(schema)];
}

function pgDb(schema: string): Db {
  const db = openPostgres({ connection: { connectionString: inject('pgUrl') }, schema, location: 'the test PostgreSQL', queryTimeoutMs: 20_000 });
  closeAfterTest(db);
  return db;
}

function closeAfterTest(...dbs: Db[]): void {
  try {
    onTestFinished(() => dbs.forEach((db) => db.close()));
  } catch {
    // Outside a test (a beforeAll): closed when the file's process ends.
  }
}
