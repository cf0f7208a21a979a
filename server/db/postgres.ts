import 'server-only';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ClientConfig } from 'pg';
import { orderParams, toPostgres, type PostgresText } from './dialect';
import { createHash } from 'node:crypto';
import type { Db, RunResult, Statement, StoreStatus, TransactionOptions } from './driver';

// The PostgreSQL store behind the same synchronous interface as SQLite. One worker thread owns the
// connection (server/db/pg-worker.mjs); a request posts a batch of statements and waits on a
// shared flag. Inside a transaction, writes whose result nobody reads are queued and sent with the
// next read or the COMMIT, so a transaction of N inserts is one round trip, not N.

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    /** PostgreSQL's SQLSTATE, or 'unreachable' / 'lost' / 'timeout'. */
    readonly code: string,
  ) {
    super(message);
  }
}

export interface PostgresOptions {
  /** pg's client configuration (connectionString, ssl…). */
  connection: ClientConfig;
  /** Tables live in this schema (created when missing); default the user's search_path. */
  schema?: string;
  /** A statement taking longer is cancelled (statement_timeout), and the wait given up a little later. */
  queryTimeoutMs?: number;
  /** For messages: where the database is, without secrets. */
  location: string;
}

interface Item {
  text: string;
  params: unknown[] | null;
  control?: 'begin' | 'commit' | 'rollback';
  /** Run even after an earlier item of the batch failed (the rollbacks). */
  always?: boolean;
}
interface ItemResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}
interface Answer {
  seq: number;
  ok?: boolean;
  results?: ItemResult[];
  error?: { index: number; message: string; code: string } | null;
  down?: { since: number; reason: string } | null;
}

class Pending {
  result: ItemResult | null = null;
}

export class PostgresDb implements Db {
  readonly dialect = 'postgres';
  readonly location: string;
  private worker!: Worker;
  private port!: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private depth = 0;
  private queue: { item: Item; slot: Pending }[] = [];
  private down: { since: number; reason: string } | null = null;
  private readonly waitMs: number;
  private readonly texts = new Map<string, PostgresText>();
  private closed = false;
  private pingedAt = 0;

  constructor(private readonly options: PostgresOptions) {
    this.location = options.location;
    this.waitMs = (options.queryTimeoutMs ?? 10_000) + 5_000;
    this.spawn();
    const a = this.call({ op: 'start' });
    if (!a.ok) {
      this.close();
      throw new StoreError(`cannot connect to the PostgreSQL store at ${this.location}: ${(a as { error?: { message: string } }).error?.message ?? 'no answer'}`, 'unreachable');
    }
  }

  private spawn(): void {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // `new Worker(new URL(…, import.meta.url))` is the form the bundler (Turbopack) builds as the
    // thread's own entry (pg stays external: next.config.js); tests and tsx load the file as it is.
    this.worker = new Worker(new URL('./pg-worker.mjs', import.meta.url), {
      workerData: { port: port2, flag: this.flag, connection: this.options.connection, schema: this.options.schema ?? null, queryTimeoutMs: this.options.queryTimeoutMs ?? 10_000 },
      transferList: [port2],
    });
    this.worker.unref();
    this.port.unref();
  }

  private call(msg: { op: string; items?: Item[] }): Answer {
    if (this.closed) throw new StoreError(`the PostgreSQL store at ${this.location} is closed`, 'closed');
    const seq = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...msg, seq });
    for (;;) {
      const r = Atomics.wait(this.flag, 0, 0, this.waitMs);
      const got: { message: Answer } | undefined = receiveMessageOnPort(this.port);
      if (got && got.message.seq === seq) {
        if (got.message.down !== undefined) this.down = got.message.down ?? null;
        return got.message;
      }
      if (got) continue; // a stale answer from before a restart
      if (r === 'timed-out') {
        // The worker is stuck on a connection that does not answer: replace it (the server rolls
        // back whatever it held open when its connection closes).
        void this.worker.terminate();
        this.spawn();
        this.down = { since: this.down?.since ?? Date.now(), reason: `no answer within ${this.waitMs} ms` };
        throw new StoreError(`the PostgreSQL store at ${this.location} did not answer within ${this.waitMs} ms`, 'timeout');
      }
      Atomics.store(this.flag, 0, 0);
    }
  }

  /** Sends the queued items plus `extra`; returns extra's result. */
  private flush(extra?: Item): ItemResult | null {
    const batch = this.queue;
    this.queue = [];
    const items = batch.map((b) => b.item);
    if (extra) items.push(extra);
    if (items.length === 0) return null;
    const a = this.call({ op: 'batch', items });
    const results = a.results ?? [];
    batch.forEach((b, i) => (b.slot.result = results[i] ?? null));
    if (a.error) throw new StoreError(a.error.message, a.error.code);
    return extra ? (results[items.length - 1] ?? null) : null;
  }

  text(sql: string): PostgresText {
    let t = this.texts.get(sql);
    if (!t) {
      t = toPostgres(sql);
      this.texts.set(sql, t);
    }
    return t;
  }

  run(t: PostgresText, params: unknown[]): RunResult {
    const item = { text: t.text, params: orderParams(t, params) };
    if (this.depth === 0) return runResult(this.flush(item));
    const slot = new Pending();
    this.queue.push({ item, slot });
    const flush = () => {
      if (slot.result === null) this.flush();
      return slot.result;
    };
    return {
      get changes() {
        return runResult(flush()).changes;
      },
      get lastInsertRowid() {
        return runResult(flush()).lastInsertRowid;
      },
    };
  }

  query(t: PostgresText, params: unknown[]): Record<string, unknown>[] {
    return this.flush({ text: t.text, params: orderParams(t, params) })?.rows ?? [];
  }

  prepare<P extends unknown[] | object = unknown[]>(sql: string): Statement<P> {
    const t = this.text(sql);
    return {
      run: (...params: unknown[]) => this.run(t, params),
      get: (...params: unknown[]) => this.query(t, params)[0],
      all: (...params: unknown[]) => this.query(t, params),
      iterate: (...params: unknown[]) => this.query(t, params)[Symbol.iterator](),
    };
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F, options?: TransactionOptions): F {
    const db = this; // eslint-disable-line @typescript-eslint/no-this-alias -- read inside the returned function, as better-sqlite3's transaction is
    const lock = options?.exclusive === undefined ? null : advisoryKey(options.exclusive);
    return ((...args: never[]) => {
      const outer = db.depth === 0;
      const savepoint = `sp${db.depth}`;
      db.queue.push({ item: outer ? { text: 'BEGIN', params: null, control: 'begin' } : { text: `SAVEPOINT ${savepoint}`, params: null }, slot: new Pending() });
      if (lock !== null) db.queue.push({ item: { text: `SELECT pg_advisory_xact_lock(${lock})`, params: null }, slot: new Pending() });
      db.depth++;
      let r: unknown;
      try {
        r = fn(...args);
        db.depth--;
      } catch (e) {
        db.depth--;
        db.rollback(outer, savepoint);
        throw e;
      }
      try {
        db.flush(outer ? { text: 'COMMIT', params: null, control: 'commit' } : { text: `RELEASE SAVEPOINT ${savepoint}`, params: null });
      } catch (e) {
        db.rollback(outer, savepoint);
        throw e;
      }
      return r;
    }) as F;
  }

  /** Ends a failed transaction (or savepoint). Writes queued for it are dropped unsent. */
  private rollback(outer: boolean, savepoint: string): void {
    if (outer) this.queue = [];
    try {
      this.flush(outer ? { text: 'ROLLBACK', params: null, control: 'rollback', always: true } : { text: `ROLLBACK TO SAVEPOINT ${savepoint}`, params: null, always: true });
    } catch {
      // A failed rollback (a lost connection) says nothing the first error did not.
    }
  }

  exec(sql: string): void {
    if (this.depth > 0) this.queue.push({ item: { text: sql, params: null }, slot: new Pending() });
    else this.flush({ text: sql, params: null });
  }

  status(): StoreStatus {
    if (this.closed) return { reachable: false, down: { since: 0, reason: 'the store is closed' } };
    // At most one ping a second: the health route is public, and every ping holds this thread for a round trip.
    if (this.depth === 0 && Date.now() - this.pingedAt >= 1000) {
      this.pingedAt = Date.now();
      try {
        this.flush({ text: 'SELECT 1', params: null });
      } catch {
        // down carries the reason
      }
    }
    return { reachable: this.down === null, down: this.down };
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'end' });
    } catch {
      // closing anyway
    }
    this.closed = true;
    void this.worker.terminate();
    this.port.close();
  }
}

/** A 64-bit advisory lock key (as text) from a name: the first 8 bytes of its SHA-256. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`lvs-console:${name}`).digest().readBigInt64BE(0).toString();
}

function runResult(r: ItemResult | null): RunResult {
  const id = r?.rows[0]?.id;
  return { changes: r?.rowCount ?? 0, lastInsertRowid: typeof id === 'number' ? id : 0 };
}
