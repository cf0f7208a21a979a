// The PostgreSQL store's connection, on its own thread (server/db/postgres.ts is the other side).
// The console's stores are synchronous: the main thread posts a batch of statements and sleeps on
// a shared flag (Atomics.wait) until this thread, which owns one `pg` client, answers. A lost
// connection is re-made here in the background, so the main thread is never held by a connect:
// while the database is away every request fails at once with the reason.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

// Epoch milliseconds are BIGINT: numbers, not strings (exact up to 2^53). NUMERIC (avg of integers)
// likewise.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const { port, flag, connection, schema, queryTimeoutMs } = workerData;
let client = null;
let connecting = null;
let down = null; // { since, reason } while there is no connection
let lostInTransaction = false;
let inTransaction = false;

function quoteIdent(s) {
  return `"${String(s).replace(/"/g, '""')}"`;
}

async function connect() {
  const c = new pg.Client({ ...connection, query_timeout: queryTimeoutMs, keepAlive: true, connectionTimeoutMillis: 5000 });
  c.on('error', (e) => lose(c, e));
  await c.connect();
  if (schema) {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await c.query(`SET search_path TO ${quoteIdent(schema)}`);
  }
  await c.query(`SET statement_timeout = ${Math.max(1, Math.floor(queryTimeoutMs))}`);
  return c;
}

function lose(c, e) {
  if (client !== c) return;
  client = null;
  if (inTransaction) lostInTransaction = true;
  inTransaction = false;
  down = { since: Date.now(), reason: e instanceof Error ? e.message : String(e) };
  c.end().catch(() => {});
  reconnectSoon(1000);
}

function reconnectSoon(ms) {
  if (connecting) return;
  connecting = new Promise((resolve) => setTimeout(resolve, ms)).then(async () => {
    try {
      client = await connect();
      down = null;
    } catch (e) {
      down = { since: down?.since ?? Date.now(), reason: e instanceof Error ? e.message : String(e) };
      connecting = null;
      reconnectSoon(Math.min(5000, ms * 2));
      return;
    }
    connecting = null;
  });
}

const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ENOENT']);

async function runBatch(items) {
  const results = [];
  let failed = null;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (failed && !it.always) continue;
    const control = it.control;
    if (lostInTransaction) {
      // The transaction died with its connection: refuse what follows until it is rolled back.
      if (control === 'rollback') {
        lostInTransaction = false;
        results[i] = { rows: [], rowCount: 0 };
        continue;
      }
      failed ??= { index: i, message: 'the connection to the PostgreSQL store was lost inside a transaction; it was rolled back', code: 'lost' };
      continue;
    }
    if (!client) {
      if (control === 'rollback') {
        results[i] = { rows: [], rowCount: 0 };
        continue;
      }
      failed ??= { index: i, message: `the PostgreSQL store is unreachable (since ${new Date(down?.since ?? Date.now()).toISOString()}: ${down?.reason ?? 'not connected'})`, code: 'unreachable' };
      continue;
    }
    const c = client;
    try {
      const r = it.params === null ? await c.query(it.text) : await c.query(it.text, it.params);
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      results[i] = { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
      if (control === 'begin') inTransaction = true;
      else if (control === 'commit' || control === 'rollback') inTransaction = false;
    } catch (e) {
      const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
      const lost = CONNECTION_LOST.has(code) || /Connection terminated|timeout/i.test(String(e?.message));
      if (lost) lose(c, e);
      failed ??= { index: i, message: String(e?.message ?? e), code: lost ? 'unreachable' : code };
    }
  }
  return { results, error: failed };
}

port.on('message', async (m) => {
  let answer;
  if (m.op === 'start') {
    try {
      client = await connect();
      answer = { seq: m.seq, ok: true };
    } catch (e) {
      answer = { seq: m.seq, ok: false, error: { message: String(e?.message ?? e), code: String(e?.code ?? '') } };
    }
  } else if (m.op === 'status') {
    answer = { seq: m.seq, ok: client !== null, down };
  } else if (m.op === 'end') {
    if (client) await client.end().catch(() => {});
    client = null;
    answer = { seq: m.seq, ok: true };
  } else {
    const r = await runBatch(m.items);
    answer = { seq: m.seq, ...r, down };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
