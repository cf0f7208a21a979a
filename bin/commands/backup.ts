// `lvsctl backup FILE`: a consistent copy of the console's SQLite database (history, events,
// intents, accounts, tokens, audit log) while the console keeps running, through SQLite's online
// backup API (better-sqlite3 db.backup), then checked: integrity_check and the schema version.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfigFile, readEnvironment } from '@/server/config/load';
import { parseOptions, UsageError, type LvsctlCommand } from './command';
import { guard, processIo, type Io } from './local';

const USAGE = `usage: lvsctl backup FILE [--force] [--config FILE]
  Copies the console's database (stateDir/console.db) to FILE while the console runs (SQLite online
  backup: a consistent snapshot, no lock held for long), then checks the copy (integrity_check).
  Refuses to overwrite FILE without --force. Restore: stop the console, copy FILE over
  stateDir/console.db (and delete console.db-wal / console.db-shm), start it.
  Exit: 0 done and checked, 1 failed, 2 usage.`;

export interface BackupResult {
  source: string;
  target: string;
  bytes: number;
  schemaVersion: number;
  auditEntries: number;
}

export async function backupDatabase(source: string, target: string, force: boolean): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new UsageError(`no database at ${source} (has the console run with this configuration?)`);
  if (fs.existsSync(target) && !force) throw new UsageError(`${target} exists: pass --force to overwrite it`);
  const tmp = `${target}.partial-${process.pid}`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(tmp);
  } finally {
    db.close();
  }
  const copy = new Database(tmp, { fileMustExist: true });
  let schemaVersion: number;
  let auditEntries: number;
  try {
    // One self-contained file (the source's WAL mode would travel with the copy).
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    schemaVersion = Number(copy.pragma('user_version', { simple: true }));
    const hasAudit = copy.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit'").get() as { n: number };
    auditEntries = hasAudit.n ? (copy.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n : 0;
  } catch (e) {
    copy.close();
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });
    throw e;
  }
  copy.close();
  fs.renameSync(tmp, target);
  fs.chmodSync(target, 0o600);
  return { source, target, bytes: fs.statSync(target).size, schemaVersion, auditEntries };
}

export function runBackup(argv: string[], io: Io): Promise<number> {
  return guard(io, 'backup', USAGE, async () => {
    const { values, positionals } = parseOptions(argv, { force: { type: 'boolean' }, config: { type: 'string' } }, true);
    if (positionals.length !== 1 || !positionals[0]) throw new UsageError('give one target FILE');
    const config = loadConfigFile(values.config ?? readEnvironment().configPath);
    if (config.store.kind === 'postgres') {
      throw new UsageError("this console's store is PostgreSQL (store.kind: postgres): back it up with PostgreSQL's own tools (pg_dump, or the server's base backups and WAL archive); lvsctl backup copies a SQLite store");
    }
    const r = await backupDatabase(path.join(config.stateDir, 'console.db'), path.resolve(positionals[0]), values.force === true);
    io.out(`backed up ${r.source} to ${r.target}: ${r.bytes} bytes, schema v${r.schemaVersion}, ${r.auditEntries} audit entries, integrity ok\n`);
    return 0;
  });
}

export const backupCommand: LvsctlCommand = {
  name: 'backup',
  summary: "copy the console's SQLite database while it runs (online backup, checked)",
  usage: USAGE,
  run: (argv) => runBackup(argv, processIo),
};
