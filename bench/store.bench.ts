// Bench (#16): the store's two hot writers on PostgreSQL beside SQLite, the same code on both.
// - The collector's history write: HistoryStore.record() of one snapshot of a cluster of 1,000
//   services x 20 real servers (history.bench.ts's fleet): 21,001 rows in one transaction.
// - A drain's store work (what DrainService.hold writes, without the directors): the audit
//   'attempted' row, IntentStore.openIntent, the outcome row, with the audit key (HMAC) as the
//   console writes them.
// SQLite: a file in a scratch directory (openDatabase: WAL, synchronous NORMAL). PostgreSQL: a
// throwaway server started here by bin/test-postgres.sh (Debian's, Unix socket, fsync off: its
// commits cost less than a real server's), a fresh schema, openPostgres as the console opens it.
// No target: the rows say what moving to PostgreSQL costs these writers.
//
// Standalone: npx tsx bench/store.bench.ts
import '../bin/server-only-shim';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClusterSnapshot, MergedRealServer, MergedService } from '../lib/models/cluster';
import { auditKeyFrom } from '../server/audit/key';
import { AuditLog } from '../server/audit/log';
import { HistoryStore, LARGE_CLUSTER_SAMPLE_MS } from '../server/collector/history';
import { openDatabase, openPostgres, type Db } from '../server/db';
import { IntentStore } from '../server/drain/intent-store';
import { pct, runIfMain } from './standalone';
import type { BenchContext, BenchRow } from './types';

const SERVICES = 1000;
const REAL_SERVERS = 20;
const RECORD_RUNS = 10;
const DRAINS = 200;
const CLUSTER = 'fleet-01';
const T0 = 1_790_000_000_000;

const svcKey = (i: number) => `TCP 198.51.${Math.floor(i / 250)}.${i % 250}:80`;
const rsAddr = (j: number) => `203.0.113.${j + 1}`;

/** One merged snapshot of the fleet's cluster, every figure set (as a poll of a busy cluster gives). */
function snapshot(t: number): ClusterSnapshot {
  const services: MergedService[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const realServers: MergedRealServer[] = [];
    for (let j = 0; j < REAL_SERVERS; j++) {
      const rates = { cps: 10 + j, inPps: 800 + i, outPps: 700 + j, inBps: 400_000 + i, outBps: 9_000_000 + j };
      realServers.push({
        key: `${rsAddr(j)}:80`, address: rsAddr(j), port: 80, forward: 'Route', weight: 1, activeConns: 50 + j, inactiveConns: 150 + i % 7,
        persistentConns: 0, stats: null, rates, configuredWeight: null, checkerAlive: null, health: 'up', perDirector: {}, differs: [],
      });
    }
    services.push({
      key: svcKey(i), protocol: 'TCP', family: 'inet', address: `198.51.${Math.floor(i / 250)}.${i % 250}`, port: 80, fwmark: null, scheduler: 'wlc', flags: [],
      persistent: null, pe: null, ops: false, activeDirector: 'd00', presentOn: ['d00', 'd01'], stats: null,
      rates: { cps: 300, inPps: 20_000, outPps: 18_000, inBps: 8e6, outBps: 2e8 }, differs: [], realServers,
    });
  }
  return { name: CLUSTER, takenAt: t, pollIntervalMs: 2000, directors: [], instances: [], findings: [], services };
}

/** p50 and p95 of record() over RECORD_RUNS snapshots, a large cluster's sampling interval apart. */
function benchRecord(db: Db): { p50: number; p95: number; rows: number } {
  const store = new HistoryStore(db);
  const snap = snapshot(T0);
  const times: number[] = [];
  // One untimed run first (statement preparation, the first pages of the tables and indexes).
  for (let i = 0; i <= RECORD_RUNS; i++) {
    snap.takenAt = T0 + i * LARGE_CLUSTER_SAMPLE_MS;
    const t = performance.now();
    store.record(snap);
    if (i > 0) times.push(performance.now() - t);
  }
  const rows = (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
  return { p50: pct(times, 50), p95: pct(times, 95), rows: rows / (RECORD_RUNS + 1) };
}

/** p50 and p95 of one drain's store work, DRAINS drains of distinct real servers. */
function benchDrain(db: Db): { p50: number; p95: number } {
  const audit = new AuditLog(db, { key: auditKeyFrom('bench-audit-key-'.repeat(4), 'bench') });
  const intents = new IntentStore(db);
  const who = { actor: 'otto', role: 'operator' as const, source: '192.0.2.1' };
  const times: number[] = [];
  for (let i = 0; i <= DRAINS; i++) {
    const service = svcKey(i % SERVICES);
    const realServer = `${rsAddr(Math.floor(i / SERVICES) % REAL_SERVERS)}:80`;
    const entries = [{ service, realServer, currentWeight: 1, targetWeight: 0, restoreWeight: 1, mechanism: 'ipvsadm' }];
    const asked = { reason: 'kernel update', ticket: 'CHG-1234', service, weight: 0, force: false, expiresAt: null };
    const t = performance.now();
    const attempt = audit.attempt({ ...who, action: 'drain', cluster: CLUSTER, target: realServer, detail: { ...asked, entries } });
    const r = intents.openIntent({
      cluster: CLUSTER, service, realServer, kind: 'drain', weight: 0, restoreWeight: 1, mechanism: 'ipvsadm', actor: who.actor, reason: asked.reason,
      ticket: asked.ticket, createdAt: T0 + i, expiresAt: null, onExpiry: null,
    });
    audit.complete(attempt, 'ok', { ...asked, alreadyHeld: !r.created, intents: [r.intent.id], entries, directors: [{ director: 'd00', status: 'ok' }, { director: 'd01', status: 'ok' }] });
    if (i > 0) times.push(performance.now() - t);
  }
  if (!audit.verify().ok) throw new Error('the audit chain written by the bench does not verify');
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

function measure(ctx: BenchContext): BenchRow[] {
  const script = path.join(ctx.root, 'bin', 'test-postgres.sh');
  // Short: the server's Unix socket lives in it (socket paths are limited to ~100 bytes).
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-bench-pg-'));
  fs.mkdirSync(ctx.workDir, { recursive: true });
  const sqliteDir = fs.mkdtempSync(path.join(ctx.workDir, 'store-'));
  const opened: Db[] = [];
  try {
    const url = execFileSync('bash', [script, 'start', pgDir], { encoding: 'utf8' }).trim();
    ctx.log(`store: PostgreSQL started in ${pgDir}`);
    const sqlite = (name: string) => {
      const db = openDatabase(sqliteDir, `${name}.db`);
      opened.push(db);
      return db;
    };
    const postgres = (schema: string) => {
      const db = openPostgres({ connection: { connectionString: url }, schema, location: 'the bench PostgreSQL' });
      opened.push(db);
      return db;
    };
    const recS = benchRecord(sqlite('record'));
    ctx.log(`store: record() on SQLite p50 ${recS.p50.toFixed(1)} ms`);
    const recP = benchRecord(postgres('bench_record'));
    ctx.log(`store: record() on PostgreSQL p50 ${recP.p50.toFixed(1)} ms`);
    const drainS = benchDrain(sqlite('drain'));
    const drainP = benchDrain(postgres('bench_drain'));
    ctx.log(`store: drain store work p50 SQLite ${drainS.p50.toFixed(2)} ms, PostgreSQL ${drainP.p50.toFixed(2)} ms`);
    return [
      {
        group: 'store',
        name: `history record(), ${SERVICES.toLocaleString('en')} svc x ${REAL_SERVERS} rs (${recP.rows.toLocaleString('en')} rows), PostgreSQL: p50`,
        value: recP.p50,
        unit: 'ms',
        baseline: { name: 'SQLite', value: recS.p50, unit: 'ms' },
        note: `p95 ${recP.p95.toFixed(0)} ms vs ${recS.p95.toFixed(1)} ms; ${RECORD_RUNS} runs; PostgreSQL on a local Unix socket, fsync off`,
      },
      {
        group: 'store',
        name: 'drain store work (audit attempt + openIntent + outcome, keyed), PostgreSQL: p50',
        value: drainP.p50,
        unit: 'ms',
        baseline: { name: 'SQLite', value: drainS.p50, unit: 'ms' },
        note: `p95 ${drainP.p95.toFixed(2)} ms vs ${drainS.p95.toFixed(2)} ms; ${DRAINS} drains`,
      },
    ];
  } finally {
    for (const db of opened) db.close();
    try {
      execFileSync('bash', [script, 'stop', pgDir], { stdio: 'ignore' });
    } finally {
      fs.rmSync(pgDir, { recursive: true, force: true });
      fs.rmSync(sqliteDir, { recursive: true, force: true });
    }
  }
}

/** The store calls are synchronous: the module's run() is a promise around them (a throw rejects it). */
export function run(ctx: BenchContext): Promise<BenchRow[]> {
  return new Promise((resolve) => resolve(measure(ctx)));
}

runIfMain(import.meta.url, run, { needsLab: false });
