import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '@/server/audit/log';
import { openDatabase } from '@/server/db';
import { runBackup } from './backup';
import type { Io } from './local';

// lvsctl backup: a checked copy of a database that is open (WAL, with writes not yet checkpointed).

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-backup-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function io(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (s) => void outs.push(s), err: (s) => void errs.push(s), readStdin: () => Promise.resolve(''), stdinIsTty: false, promptHidden: () => Promise.resolve('') };
}

describe('lvsctl backup', () => {
  const stateDir = path.join(dir, 'state');
  const config = path.join(dir, 'console.yaml');
  fs.writeFileSync(
    config,
    YAML.stringify({ stateDir, clusters: [{ name: 'lab', directors: [{ name: 'd1', host: '127.0.0.1', user: 'nobody', agent: true, hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' }] }] }),
  );

  it('copies the live database (WAL included), checks it, and refuses to overwrite without --force', async () => {
    const db = openDatabase(stateDir);
    const audit = new AuditLog(db);
    for (let i = 0; i < 3; i++) audit.append({ actor: 'cli:test', role: null, source: 'local', action: `test-${i}`, cluster: null, target: null, outcome: 'ok', detail: null });
    expect(fs.existsSync(path.join(stateDir, 'console.db-wal'))).toBe(true);

    const target = path.join(dir, 'backup.db');
    const a = io();
    expect(await runBackup([target, '--config', config], a)).toBe(0);
    expect(a.outs.join('')).toMatch(/^backed up .*console\.db to .*backup\.db: \d+ bytes, schema v\d+, 3 audit entries, integrity ok\n$/);
    const copy = new Database(target, { readonly: true });
    expect((copy.prepare('SELECT action FROM audit ORDER BY id').all() as { action: string }[]).map((r) => r.action)).toEqual(['test-0', 'test-1', 'test-2']);
    copy.close();
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);

    // The console keeps writing; a second backup needs --force.
    audit.append({ actor: 'cli:test', role: null, source: 'local', action: 'test-3', cluster: null, target: null, outcome: 'ok', detail: null });
    const b = io();
    expect(await runBackup([target, '--config', config], b)).toBe(2);
    expect(b.errs.join('')).toMatch(/exists: pass --force/);
    expect(await runBackup([target, '--config', config, '--force'], io())).toBe(0);
    const again = new Database(target, { readonly: true });
    expect((again.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n).toBe(4);
    again.close();
    db.close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('usage: no file, or no database yet', async () => {
    expect(await runBackup(['--config', config], io())).toBe(2);
    const other = path.join(dir, 'empty.yaml');
    fs.writeFileSync(other, fs.readFileSync(config, 'utf8').replace(stateDir, path.join(dir, 'nowhere')));
    const x = io();
    expect(await runBackup([path.join(dir, 'x.db'), '--config', other], x)).toBe(2);
    expect(x.errs.join('')).toMatch(/no database at/);
  });

  it('refuses a PostgreSQL store, naming the tools that back it up', async () => {
    const pg = path.join(dir, 'pg.yaml');
    const raw = YAML.parse(fs.readFileSync(config, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(pg, YAML.stringify({ ...raw, store: { kind: 'postgres', url: 'env:LVS_TEST_BACKUP_PG_URL' } }));
    process.env.LVS_TEST_BACKUP_PG_URL = 'postgresql://console@db.example/console';
    const x = io();
    expect(await runBackup([path.join(dir, 'pg.db'), '--config', pg], x)).toBe(2);
    expect(x.errs.join('')).toMatch(/store is PostgreSQL .*pg_dump/);
    expect(fs.existsSync(path.join(dir, 'pg.db'))).toBe(false);
  });
});
