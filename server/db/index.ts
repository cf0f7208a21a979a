import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { postgresDdl } from './dialect';
import { SqliteDb, type Db } from './driver';
import { MIGRATIONS } from './migrations';
import { PostgresDb, type PostgresOptions } from './postgres';
import type { ConsoleConfig } from '@/server/config/schema';

// The console's store: one SQLite file in the state directory (the embedded default, WAL mode), or
// a PostgreSQL database (store.kind: postgres). Both carry the same versioned migrations, applied
// at start-up; a store whose schema is newer than this console knows is refused.

export type { Db, Statement, RunResult, StoreStatus } from './driver';
export { SqliteDb } from './driver';
export { advisoryKey, StoreError } from './postgres';

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}

export function openDatabase(stateDir: string, file = 'console.db'): Db {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return sqliteDb(new Database(path.join(/*turbopackIgnore: true*/ stateDir, file)));
}

/** A better-sqlite3 handle with the console's settings, migrated. */
export function sqliteDb(raw: Database.Database): Db {
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  return migrated(new SqliteDb(raw));
}

export function openPostgres(options: PostgresOptions): Db {
  return migrated(new PostgresDb(options));
}

/** The store, migrated; closed when migrating fails. */
function migrated(db: Db): Db {
  try {
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The store the configuration names, open and migrated. */
export function openStore(config: Pick<ConsoleConfig, 'stateDir' | 'store'>): Db {
  if (config.store.kind === 'sqlite') return openDatabase(config.stateDir);
  return openPostgres({ connection: { connectionString: config.store.url }, schema: config.store.schema, queryTimeoutMs: config.store.queryTimeoutMs, location: redactedUrl(config.store.url) });
}

/** A postgresql:// URL fit for messages and pages: no password, no query (it may name key files). */
export function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/)([^:@/]*)(?::[^@/]*)?@/, '$1$2@').replace(/\?.*$/, '');
}

/** An empty in-memory SQLite store, migrated (tests, tools). */
export function memoryDb(): Db {
  return sqliteDb(new Database(':memory:'));
}

/** This console's schema version: the number of migrations it knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

// One number for the advisory lock that serialises migrations across consoles sharing a database.
const MIGRATION_LOCK = 0x4c565331; // "LVS1"

export function migrate(db: Db): void {
  if (db instanceof SqliteDb) {
    const raw = db.raw;
    const current = Number(raw.pragma('user_version', { simple: true }));
    tooNew(db, current);
    for (let v = current; v < MIGRATIONS.length; v++) {
      const sql = MIGRATIONS[v]!;
      raw.transaction(() => {
        raw.exec(sql);
        raw.pragma(`user_version = ${v + 1}`);
      })();
    }
    return;
  }
  // PostgreSQL: one transaction holding an advisory lock, so that consoles starting together apply
  // each migration once; the version is a one-row table.
  db.transaction(() => {
    db.prepare(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`).get();
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version WHERE id = 1').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    tooNew(db, current);
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(postgresDdl(MIGRATIONS[v]!));
    if (current < MIGRATIONS.length) {
      db.prepare('INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version').run(MIGRATIONS.length);
    }
  })();
}

/** The schema version a store is at (0 = empty). */
export function schemaVersion(db: Db): number {
  if (db instanceof SqliteDb) return Number(db.raw.pragma('user_version', { simple: true }));
  const exists = db.prepare("SELECT to_regclass('schema_version') IS NOT NULL AS t").get() as { t: boolean };
  if (!exists.t) return 0;
  return (db.prepare('SELECT version FROM schema_version WHERE id = 1').get() as { version: number } | undefined)?.version ?? 0;
}

function tooNew(db: Db, current: number): void {
  if (current > MIGRATIONS.length) {
    throw new SchemaTooNewError(
      `the store at ${db.location} has schema version ${current}, newer than this console knows (${MIGRATIONS.length}): a newer console has migrated it; run that version, or restore a backup taken before the upgrade`,
    );
  }
}
