// `lvsctl store copy --from sqlite:PATH --to postgres:URL`: moves a console's data from its SQLite
// file into an empty PostgreSQL database (store.kind: postgres), so that several consoles can share
// it. Every table in one PostgreSQL transaction, rows streamed in batches; then the identity
// sequences set past the copied ids, the row counts compared and the audit chain verified on the
// target with the audit key.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { auditKeyFile, loadAuditKey, type AuditKey } from '@/server/audit/key';
import { AuditLog, newestKeyedRow } from '@/server/audit/log';
import { loadConfigFile, readEnvironment } from '@/server/config/load';
import { AuditConfig } from '@/server/config/schema';
import { openPostgres, redactedUrl, SchemaTooNewError, SCHEMA_VERSION, SqliteDb, type Db } from '@/server/db';
import { parseOptions, subcommandUsage, UsageError, type LvsctlCommand } from './command';
import { guard, processIo, type Io } from './local';

/** Bad input found before anything was written (a missing file, a non-empty target…): exit 2, without the usage. */
class Refused extends Error {}

/** Rows per INSERT. */
const BATCH_ROWS = 5000;
/** INSERTs sent per round trip (the driver queues a transaction's writes until a result is read). */
const BATCHES_PER_FLUSH = 4;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** "sqlite:PATH" → the absolute path. */
function sourcePath(v: string | undefined): string {
  if (v === undefined) throw new UsageError('--from sqlite:PATH is required (the console.db of the console to move)');
  if (!v.startsWith('sqlite:') || v.length === 'sqlite:'.length) throw new UsageError('--from needs sqlite:PATH (the console.db file)');
  return path.resolve(v.slice('sqlite:'.length));
}

/** "postgres:URL", a bare postgresql:// URL, or "postgres:env:NAME" (the URL from the environment: it holds the password). Never echoed. */
function targetUrl(v: string | undefined): string {
  if (v === undefined) throw new UsageError('--to postgres:env:NAME (or postgres:URL) is required');
  let url: string;
  if (/^postgres(ql)?:\/\//.test(v)) url = v;
  else if (v.startsWith('postgres:env:')) {
    const name = v.slice('postgres:env:'.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError('--to postgres:env:NAME needs an environment variable name');
    const value = process.env[name];
    if (value === undefined || value === '') throw new UsageError(`--to postgres:env:${name}: environment variable ${name} is not set`);
    url = value;
  } else if (v.startsWith('postgres:')) url = v.slice('postgres:'.length);
  else throw new UsageError('--to needs postgres:env:NAME or postgres:URL');
  if (!/^postgres(ql)?:\/\/\S*$/.test(url)) throw new UsageError('--to: not a postgresql:// URL');
  return url;
}

/**
 * The audit key the copy is verified with, found as `lvsctl audit verify` finds it: the
 * configuration's (--config, LVS_CONSOLE_CONFIG or the default path). With no configuration file
 * (and no --config), the console's default beside the database: DIR/audit.key.
 */
function verifyKey(configPath: string | undefined, source: string): { key: AuditKey | null; where: string } {
  const file = configPath ?? readEnvironment().configPath;
  try {
    if (configPath === undefined && !fs.existsSync(file)) {
      const stateDir = path.dirname(source);
      return { key: loadAuditKey({ stateDir, audit: AuditConfig.parse({}) }, { create: false }), where: `file ${path.join(stateDir, 'audit.key')} (no configuration at ${file})` };
    }
    const config = loadConfigFile(file);
    const keyFile = auditKeyFile(config);
    return { key: loadAuditKey(config, { create: false }), where: keyFile === null ? 'audit.key (environment)' : `file ${keyFile}` };
  } catch (e) {
    throw new Refused(`cannot load the audit key to verify the copy with: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const n = (x: number) => x.toLocaleString('en');
const count = (db: { prepare: (sql: string) => { get: () => unknown } }, table: string) => Number((db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number | bigint }).n);

/** The source, read-only, at this console's schema version. */
function openSource(file: string): Database.Database {
  if (!fs.existsSync(file)) throw new Refused(`no SQLite database at ${file} (the console's stateDir/console.db)`);
  let src: Database.Database;
  let version: number;
  try {
    src = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new Refused(`cannot open ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    version = Number(src.pragma('user_version', { simple: true }));
    src.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    src.close();
    throw new Refused(`cannot read ${file} as a SQLite database: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (version === SCHEMA_VERSION) return src;
  src.close();
  if (version === 0) throw new Refused(`${file} is not a console database (schema version 0)`);
  if (version < SCHEMA_VERSION) {
    throw new Refused(
      `${file} is at schema version ${version}, this console's is ${SCHEMA_VERSION}: start the console (or run any local lvsctl command, e.g. lvsctl audit verify) on it once so that it migrates, then copy`,
    );
  }
  throw new Refused(`${file} is at schema version ${version}, newer than this console knows (${SCHEMA_VERSION}): copy it with the lvsctl of the console that migrated it`);
}

export interface TableCopy {
  table: string;
  /** Rows inserted into the target. */
  rows: number;
  /** Rows the source had (in the snapshot copied). */
  sourceRows: number;
}

interface Column {
  name: string;
  /** Its PostgreSQL type ("bigint", "text", "double precision"). */
  type: string;
}

export interface CopyResult {
  tables: TableCopy[];
  /** Source tables the target does not have (not copied). */
  skipped: string[];
  ms: number;
}

/** Every table of the source into the (empty) target, in one transaction of the target. */
export function copyTables(src: Database.Database, target: Db, log: (line: string) => void = () => {}): CopyResult {
  const t0 = performance.now();
  const targetTables = (target.prepare("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name").all() as { name: string }[]).map(
    (r) => r.name,
  );
  const sourceTables = (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  // The consoles' heartbeats and leases are runtime state of the source's console, not data: the
  // consoles on the target make their own (schema_version is the target's own).
  const runtime = ['consoles', 'leases', 'schema_version'];
  const tables = sourceTables.filter((t) => targetTables.includes(t) && !runtime.includes(t));
  const skipped = sourceTables.filter((t) => !targetTables.includes(t) && !runtime.includes(t));
  // The columns both sides have, in the source's order, with the target's type.
  const columnsOf = (t: string): Column[] => {
    const theirs = new Map(
      (
        target
          .prepare(
            'SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped',
          )
          .all(t) as Column[]
      ).map((c) => [c.name, c.type]),
    );
    return (src.prepare('SELECT name FROM pragma_table_info(?)').all(t) as { name: string }[]).flatMap((r) => {
      const type = theirs.get(r.name);
      return type === undefined ? [] : [{ name: r.name, type }];
    });
  };
  const copied: TableCopy[] = [];
  // One read transaction on the source: every table from the same snapshot.
  src.exec('BEGIN');
  try {
    target.transaction(() => {
      // No console may write the target meanwhile (reads wait for nothing).
      if (targetTables.length > 0) target.exec(`LOCK TABLE ${targetTables.map(quote).join(', ')} IN EXCLUSIVE MODE`);
      for (const t of targetTables) {
        if (t === 'schema_version') continue;
        if (target.prepare(`SELECT 1 AS x FROM ${quote(t)} LIMIT 1`).get() !== undefined) {
          throw new Refused(`the target is not empty: table ${t} has rows at ${target.location} (store copy fills an empty database only, it does not merge)`);
        }
      }
      for (const t of tables) {
        const cols = columnsOf(t);
        if (cols.length === 0) continue;
        copied.push({ table: t, sourceRows: count(src, t), rows: copyTable(src, target, t, cols) });
        log(`  ${t}: ${n(copied.at(-1)!.rows)} rows\n`);
      }
      // Identity columns continue after the copied ids (a table without one: setval(NULL, …) is NULL).
      for (const c of copied) {
        if (c.rows > 0 && columnsOf(c.table).some((col) => col.name === 'id')) target.prepare(`SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT max(id) FROM ${quote(c.table)})) AS v`).get(c.table);
      }
    })();
  } finally {
    src.exec('COMMIT');
  }
  return { tables: copied, skipped, ms: performance.now() - t0 };
}

function copyTable(src: Database.Database, target: Db, table: string, cols: Column[]): number {
  // One array per column, zipped back into rows by unnest(): a statement of BATCH_ROWS rows takes
  // as many parameters as the table has columns, and PostgreSQL parses arrays far faster than
  // thousands of parameters. The table name quoted: the driver adds RETURNING id to an INSERT into
  // a bare table name, which would send every copied id back.
  const insert = target.prepare(
    `INSERT INTO ${quote(table)} (${cols.map((c) => quote(c.name)).join(', ')}) SELECT * FROM unnest(${cols.map((c) => `?::${c.type}[]`).join(', ')})`,
  );
  // Integers as BigInt (exact, whatever their size), each row an array in column order.
  const read = src.prepare(`SELECT ${cols.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`).raw(true).safeIntegers(true);
  let pending: { changes: number }[] = [];
  let rows = 0;
  let arrays: unknown[][] = cols.map(() => []);
  let inBatch = 0;
  const send = () => {
    pending.push(insert.run(...arrays));
    arrays = cols.map(() => []);
    inBatch = 0;
  };
  const settle = () => {
    for (const r of pending) rows += r.changes;
    pending = [];
  };
  try {
    for (const values of read.iterate() as IterableIterator<unknown[]>) {
      for (let i = 0; i < values.length; i++) arrays[i]!.push(values[i]);
      if (++inBatch < BATCH_ROWS) continue;
      send();
      if (pending.length >= BATCHES_PER_FLUSH) settle();
    }
    if (inBatch > 0) send();
    settle();
  } catch (e) {
    throw new Error(`copying table ${table}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return rows;
}

function copy(values: { from?: string | undefined; to?: string | undefined; schema?: string | undefined; config?: string | undefined }, io: Io): number {
  const file = sourcePath(values.from);
  const url = targetUrl(values.to);
  if (values.schema !== undefined && !SCHEMA_NAME.test(values.schema)) throw new UsageError(`--schema needs a lower-case SQL name (letters, digits, _; at most 63), got "${values.schema}"`);
  const src = openSource(file);
  let target: Db | null = null;
  try {
    const { key, where } = verifyKey(values.config, file);
    const location = `${redactedUrl(url)}${values.schema === undefined ? '' : ` (schema ${values.schema})`}`;
    try {
      // Statements here may be large (a batch of rows, a count over millions): a generous timeout.
      target = openPostgres({ connection: { connectionString: url }, schema: values.schema, queryTimeoutMs: 120_000, location });
    } catch (e) {
      if (e instanceof SchemaTooNewError) throw new Refused(e.message);
      throw e;
    }
    io.out(`copying ${file} (schema v${SCHEMA_VERSION}) to ${location}\n`);
    let r: CopyResult;
    try {
      r = copyTables(src, target, io.out);
    } catch (e) {
      if (e instanceof Refused) throw e;
      io.err(`lvsctl store: the copy failed and was rolled back (nothing was written to ${location}): ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const total = r.tables.reduce((s, t) => s + t.rows, 0);
    io.out(`copied ${n(total)} rows in ${r.tables.length} tables in ${(r.ms / 1000).toFixed(1)} s\n`);
    if (r.skipped.length > 0) io.out(`not copied (no such table in the target): ${r.skipped.join(', ')}\n`);

    // Every table as many rows on both sides.
    const differ = r.tables.map((t) => ({ ...t, target: count(target!, t.table) })).filter((t) => t.sourceRows !== t.target || t.rows !== t.sourceRows);
    if (differ.length > 0) {
      io.err(`lvsctl store: row counts differ: ${differ.map((d) => `${d.table} ${n(d.sourceRows)} in the source, ${n(d.target)} in the target`).join('; ')}\n`);
      return 1;
    }
    io.out('row counts: the same in the source and the target, every table\n');

    if (!r.tables.some((t) => t.table === 'audit')) return 0;
    const v = new AuditLog(target, { key }).verify();
    if (v.ok) {
      io.out(`audit chain verified on the target: ${n(v.count)} rows (head #${v.count} ${v.head.slice(0, 16)})${v.count > v.unkeyed ? `, keyed rows with key id ${key?.id ?? '?'}` : ''}\n`);
      return 0;
    }
    if (key === null && newestKeyedRow(target) !== null) {
      io.err(
        `lvsctl store: the audit chain was copied (${n(count(target, 'audit'))} rows) but could not be verified: its rows are keyed and no audit key was found (${where}). ` +
          'Verify it with `lvsctl audit verify` once the console\'s configuration names this store and its key\n',
      );
      return 1;
    }
    // Broken on the target: say whether it already was in the source.
    const before = new AuditLog(new SqliteDb(src), { key }).verify();
    io.err(
      `lvsctl store: audit chain on the target BROKEN at row ${v.badId}: ${v.reason}` +
        `${before.ok ? ' (the source verifies: the copy differs)' : ` (the source is broken too, at row ${before.badId}: ${before.reason})`}\n`,
    );
    return 1;
  } finally {
    target?.close();
    src.close();
  }
}

const { usage: USAGE, subcommands } = subcommandUsage(
  {
    copy:
      'lvsctl store copy --from sqlite:PATH --to postgres:env:NAME|postgres:URL [--schema NAME] [--config FILE]\n' +
      '                      exit 0: copied, row counts equal, audit chain verified; 1 failed; 2 refused (usage, bad input)',
  },
  "--from: the console's stateDir/console.db, opened read-only; stop the console first (rows it writes\n" +
    "during the copy would not be copied). It must be at this console's schema version.\n" +
    '--to: postgres:env:NAME reads the postgresql:// URL from environment variable NAME (preferred: the URL\n' +
    'holds the password, which a command line shows to `ps`). The database is migrated, and must be empty:\n' +
    "nothing is merged. --schema: the tables' schema (as store.schema in the configuration).\n" +
    'Every table is copied in one transaction (all or nothing); the audit chain is then verified on the\n' +
    'target with the audit key of the configuration (--config or LVS_CONSOLE_CONFIG; with none, the\n' +
    'audit.key beside the database). Then set store: { kind: postgres, url: env:NAME } and start the console.',
);

export function runStore(argv: string[], io: Io): Promise<number> {
  return guard(io, 'store', USAGE, () => {
    const { values, positionals } = parseOptions(argv, { from: { type: 'string' }, to: { type: 'string' }, schema: { type: 'string' }, config: { type: 'string' } }, true);
    const [verb, ...rest] = positionals;
    if (verb !== 'copy') throw new UsageError(verb === undefined ? 'say copy' : `unknown verb "${verb}"`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
    try {
      return copy(values, io);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      io.err(`lvsctl store: ${e.message}\n`);
      return 2;
    }
  });
}

export const storeCommand: LvsctlCommand = {
  name: 'store',
  summary: "copy a console's SQLite database into an empty PostgreSQL database (moving to store.kind: postgres)",
  usage: USAGE,
  subcommands,
  run: (argv) => runStore(argv, processIo),
};
