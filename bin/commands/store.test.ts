import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { loadAuditKey, type AuditKey } from '@/server/audit/key';
import { AuditLog } from '@/server/audit/log';
import { HistoryStore } from '@/server/collector/history';
import { AuditConfig } from '@/server/config/schema';
import { openDatabase, openPostgres, SCHEMA_VERSION, type Db } from '@/server/db';
import { IntentStore, type NewIntent } from '@/server/drain/intent-store';
import { EventStore } from '@/server/events/store';
import { testBackend } from '@/server/testing/test-db';
import { runStore } from './store';
import { captureIo } from './testing/capture-io';
import { oneServiceSnapshot } from '@/server/testing/one-service-snapshot';

// lvsctl store copy: a console's SQLite file (written by the real stores: a keyed audit chain,
// intents, events, history) into a real PostgreSQL (the store-pg project's server), checked row
// for row; and what it refuses. PostgreSQL only: run by the store-pg project.

const io = captureIo;

const T = 1_790_000_000_000;
const RAW_SAMPLES = 12_345;

function snap(t: number, active: number): ClusterSnapshot {
  return oneServiceSnapshot(t, active, { cps: active / 2, inPps: 1, outPps: 2, inBps: 3.5, outBps: 4 });
}

const intent = (realServer: string, at: number): NewIntent => ({
  cluster: 'lab', service: 'TCP 192.0.2.100:80', realServer, kind: 'drain', weight: 0, restoreWeight: 1, mechanism: 'ipvsadm',
  actor: 'otto', reason: 'kernel update', ticket: 'CHG-1', createdAt: at, expiresAt: null, onExpiry: null,
});

/** Every row of a table, in a stable order (the dialects sort NULLs and text differently). */
function rowsOf(db: Db | Database.Database, table: string): string[] {
  const all = db instanceof Database ? db.prepare(`SELECT * FROM ${table}`).all() : db.prepare(`SELECT * FROM ${table}`).all();
  return (all as Record<string, unknown>[]).map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();
}

describe.runIf(testBackend === 'postgres')('lvsctl store copy', () => {
  let dir = '';
  let stateDir = '';
  let source = '';
  let config = '';
  let key: AuditKey;
  const opened: Db[] = [];
  const target = (schema: string) => {
    const db = openPostgres({ connection: { connectionString: inject('pgUrl') }, schema, location: 'the test PostgreSQL', queryTimeoutMs: 20_000 });
    opened.push(db);
    return db;
  };
  const schema = () => `copy_${crypto.randomBytes(5).toString('hex')}`;
  const copy = async (...args: string[]) => {
    const r = io();
    const code = await runStore(['copy', ...args], r);
    return { code, ...r };
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-store-copy-'));
    stateDir = path.join(dir, 'state');
    source = path.join(stateDir, 'console.db');
    config = path.join(dir, 'console.yaml');
    fs.writeFileSync(config, YAML.stringify({ stateDir, clusters: [{ name: 'lab', directors: [{ name: 'd1', host: '127.0.0.1', user: 'nobody', agent: true, hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' }] }] }));
    vi.stubEnv('STORE_COPY_URL', inject('pgUrl'));
    // A console's file, written by its stores: an unkeyed start of the audit chain, then keyed rows.
    const db = openDatabase(stateDir);
    const who = { actor: 'otto', role: 'operator', source: '192.0.2.1', cluster: 'lab' } as const;
    new AuditLog(db).append({ ...who, action: 'login', target: null, outcome: 'ok', detail: null });
    key = loadAuditKey({ stateDir, audit: AuditConfig.parse({}) }, { create: true })!;
    const audit = new AuditLog(db, { key });
    const intents = new IntentStore(db);
    for (const [i, rs] of ['192.0.2.11:80', '192.0.2.12:80'].entries()) {
      const a = audit.attempt({ ...who, action: 'drain', target: rs, detail: { reason: 'kernel update' } });
      intents.openIntent(intent(rs, T + i));
      audit.complete(a, 'ok', { directors: ['dir1', 'dir2'] });
    }
    intents.end('1', T + 10, 'otto', 'restored');
    const events = new EventStore(db);
    events.add({ cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_1', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1', toMaster: 'dir2', at: T, endedAt: null, durationMs: null, cause: "it's a test", service: null, realServer: null, logLines: ['a', 'b'], source: 'observed' });
    events.add({ cluster: 'lab', kind: 'real-server-down', director: null, instance: null, fromState: 'up', toState: 'down', fromMaster: null, toMaster: null, at: T + 5, endedAt: T + 905, durationMs: 900, cause: null, service: 'TCP 192.0.2.100:80', realServer: '192.0.2.12:80', logLines: [], source: 'log' });
    const history = new HistoryStore(db);
    for (let i = 0; i < 5; i++) history.record(snap(T + i * 2000, i));
    // Enough raw samples for several batches and round trips.
    const ins = db.prepare('INSERT INTO samples (cluster, service, real_server, t, active, inactive, cps, in_pps, out_pps, in_bps, out_bps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < RAW_SAMPLES; i++) ins.run('bulk', `TCP 198.51.100.${i % 250}:80`, '', T + i * 1000, i % 7, 0, i / 3, 1e9 + i, 0.5, 2 ** 40, i === 0 ? 1e-9 : 1.25);
    })();
    db.prepare("INSERT INTO users (name, password_hash, role, clusters, created_at) VALUES ('ada', 'scrypt$x', 'admin', NULL, ?)").run(T);
    db.close();
  });

  afterAll(() => {
    for (const db of opened) db.close();
    vi.unstubAllEnvs();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies every table, row for row; the audit chain verifies; new rows continue after the copied ids', async () => {
    const s = schema();
    const r = await copy('--from', `sqlite:${source}`, '--to', 'postgres:env:STORE_COPY_URL', '--schema', s, '--config', config);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  samples: ${(RAW_SAMPLES + 5 * 3).toLocaleString('en')} rows\n`);
    expect(r.stdout).toContain('  intents: 2 rows\n');
    expect(r.stdout).toMatch(/row counts: the same in the source and the target, every table/);
    expect(r.stdout).toMatch(/audit chain verified on the target: 5 rows \(head #5 [0-9a-f]{16}\), keyed rows with key id [0-9a-f]{16}\n$/);

    const src = new Database(source, { readonly: true });
    const pg = target(s);
    const tables = (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['audit', 'intents', 'events', 'samples', 'users']));
    for (const t of tables) expect(rowsOf(pg, t), t).toEqual(rowsOf(src, t));
    src.close();
    expect(new AuditLog(pg, { key }).verify()).toMatchObject({ ok: true, count: 5, unkeyed: 1 });

    // The console goes on writing on PostgreSQL: ids after the copied ones.
    const opened3 = new IntentStore(pg).openIntent(intent('192.0.2.13:80', T + 20));
    expect(opened3.intent.id).toBe('3');
    expect(new AuditLog(pg, { key }).append({ actor: 'otto', role: 'operator', source: 'x', action: 'drain', cluster: 'lab', target: null, outcome: 'ok', detail: null }).id).toBe('6');
    expect(new EventStore(pg).add({ cluster: 'lab', kind: 'failover', director: 'dir1', instance: 'VI_1', fromState: null, toState: null, fromMaster: 'dir2', toMaster: 'dir1', at: T + 99_999, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed' }).id).toBe('3');
    expect(new AuditLog(pg, { key }).verify()).toMatchObject({ ok: true, count: 6 });
  });

  it('refuses a target that is not empty, and merges nothing', async () => {
    const s = schema();
    expect((await copy('--from', `sqlite:${source}`, '--to', 'postgres:env:STORE_COPY_URL', '--schema', s, '--config', config)).code).toBe(0);
    const again = await copy('--from', `sqlite:${source}`, '--to', 'postgres:env:STORE_COPY_URL', '--schema', s, '--config', config);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^lvsctl store: the target is not empty: table audit has rows at postgresql:\/\/lvsconsole@\/lvsconsole \(schema copy_[0-9a-f]+\)/);
    expect((target(s).prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n).toBe(5);
  });

  it('never prints the password of the URL', async () => {
    const withPassword = inject('pgUrl').replace('postgresql://lvsconsole@', 'postgresql://lvsconsole:s3cret-pw@');
    vi.stubEnv('STORE_COPY_URL_PW', withPassword);
    const s = schema();
    const ok = await copy('--from', `sqlite:${source}`, '--to', 'postgres:env:STORE_COPY_URL_PW', '--schema', s, '--config', config);
    expect(ok.code).toBe(0);
    const refused = await copy('--from', `sqlite:${source}`, '--to', `postgres:${withPassword}`, '--schema', s, '--config', config);
    expect(refused.code).toBe(2);
    for (const r of [ok, refused]) expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
    expect(refused.stderr).toContain('postgresql://lvsconsole@/lvsconsole');
  });

  it('refuses a missing file, a bad --schema, an unset variable, and a source at another schema version', async () => {
    const to = ['--to', 'postgres:env:STORE_COPY_URL', '--config', config];
    const missing = await copy('--from', `sqlite:${path.join(dir, 'nope.db')}`, ...to);
    expect(missing).toMatchObject({ code: 2, stderr: `lvsctl store: no SQLite database at ${path.join(dir, 'nope.db')} (the console's stateDir/console.db)\n` });
    expect(fs.existsSync(path.join(dir, 'nope.db'))).toBe(false);

    const bad = await copy('--from', `sqlite:${source}`, ...to, '--schema', 'Bad-Name');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schema needs a lower-case SQL name .* got "Bad-Name"\n\nusage:/);

    const unset = await copy('--from', `sqlite:${source}`, '--to', 'postgres:env:NO_SUCH_VARIABLE_X', '--config', config);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/environment variable NO_SUCH_VARIABLE_X is not set/);

    const probe = target(schema());
    for (const [version, says] of [
      [SCHEMA_VERSION + 1, /is at schema version \d+, newer than this console knows/],
      [SCHEMA_VERSION - 1, /is at schema version \d+, this console's is \d+: start the console \(or run any local lvsctl command.*\) on it once so that it migrates, then copy/],
    ] as const) {
      const other = path.join(dir, `v${version}.db`);
      fs.copyFileSync(source, other);
      const d = new Database(other);
      d.pragma(`user_version = ${version}`);
      d.close();
      const s = schema();
      const r = await copy('--from', `sqlite:${other}`, '--to', 'postgres:env:STORE_COPY_URL', '--schema', s, '--config', config);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
      // Refused before the target was touched: its schema was not even made.
      expect((probe.prepare('SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = ?').get(s) as { n: number }).n).toBe(0);
    }
  });

  it('copies a keyed chain it cannot verify without the key, and says so (exit 1)', async () => {
    const bare = path.join(dir, 'elsewhere');
    fs.mkdirSync(bare);
    fs.copyFileSync(source, path.join(bare, 'console.db'));
    vi.stubEnv('LVS_CONSOLE_CONFIG', path.join(dir, 'no-such-config.yaml'));
    const s = schema();
    const r = await copy('--from', `sqlite:${path.join(bare, 'console.db')}`, '--to', 'postgres:env:STORE_COPY_URL', '--schema', s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the audit chain was copied \(5 rows\) but could not be verified: its rows are keyed and no audit key was found \(file .*elsewhere\/audit\.key \(no configuration at .*no-such-config\.yaml\)\)/);
    expect((target(s).prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n).toBe(5);
  });
});
