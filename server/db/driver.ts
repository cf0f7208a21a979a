import 'server-only';
import type Database from 'better-sqlite3';

// What the stores need of a database, met by SQLite (better-sqlite3, the embedded default) and by
// PostgreSQL (server/db/postgres.ts). Synchronous, as better-sqlite3 is: a store call is one step
// of the caller's logic, and a transaction is a plain function run between BEGIN and COMMIT.

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

type Args<P> = P extends unknown[] ? P : [P];

export interface Statement<P extends unknown[] | object = unknown[]> {
  run(...params: Args<P>): RunResult;
  get(...params: Args<P>): unknown;
  all(...params: Args<P>): unknown[];
  iterate(...params: Args<P>): IterableIterator<unknown>;
}

export interface TransactionOptions {
  /**
   * A writer's transaction that must not interleave with another writer of the same thing (the audit
   * chain's append reads the last hash): SQLite takes its write lock at BEGIN (BEGIN IMMEDIATE),
   * PostgreSQL an advisory lock named by this key, held to COMMIT, across every console.
   */
  exclusive?: string;
}

export interface StoreStatus {
  /** The store answered its last request (always true for SQLite). */
  reachable: boolean;
  /** Since when it has not, and why. */
  down: { since: number; reason: string } | null;
}

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data is, for messages: a file path, or a PostgreSQL URL without its password. */
  readonly location: string;
  prepare<P extends unknown[] | object = unknown[]>(sql: string): Statement<P>;
  /** fn run in one transaction (nested: a savepoint); rolled back when it throws. */
  transaction<F extends (...args: never[]) => unknown>(fn: F, options?: TransactionOptions): F;
  /** Statements without parameters (DDL). */
  exec(sql: string): void;
  status(): StoreStatus;
  close(): void;
}

export class SqliteDb implements Db {
  readonly dialect = 'sqlite';
  constructor(
    readonly raw: Database.Database,
    readonly location = raw.name,
  ) {}

  prepare<P extends unknown[] | object = unknown[]>(sql: string): Statement<P> {
    const s: unknown = this.raw.prepare(sql);
    return s as Statement<P>;
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F, options?: TransactionOptions): F {
    const t = this.raw.transaction(fn as unknown as (...args: unknown[]) => unknown);
    return (options?.exclusive === undefined ? t : (...args: unknown[]) => t.immediate(...args)) as unknown as F;
  }

  exec(sql: string): void {
    this.raw.exec(sql);
  }

  status(): StoreStatus {
    return { reachable: this.raw.open, down: this.raw.open ? null : { since: 0, reason: 'the database is closed' } };
  }

  close(): void {
    this.raw.close();
  }
}
