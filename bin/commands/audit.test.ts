import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTestConfig } from '@/server/testing/console-env';
import { runAudit } from './audit';
import { runToken } from './token';
import { captureIo } from './testing/capture-io';

// lvsctl audit verify with the audit key and anchors, against a temporary console's database.

const io = captureIo;

let dir = '';
let config = '';
let stateDir = '';
const db = () => new Database(path.join(stateDir, 'console.db'));

async function audit(...args: string[]) {
  const r = io();
  const code = await runAudit([...args, '--config', config], r);
  return { code, ...r };
}

/** The newest row, as the console's anchor line gives it. */
function head(): { id: number; hash: string } {
  const d = db();
  const h = d.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
  d.close();
  return h;
}

beforeEach(async () => {
  ({ dir, file: config } = await writeTestConfig());
  stateDir = (YAML.parse(fs.readFileSync(config, 'utf8')) as { stateDir: string }).stateDir;
  // Six rows: three token changes, each attempted and completed.
  for (const args of [['create', '--name', 'a', '--role', 'viewer'], ['create', '--name', 'b', '--role', 'viewer'], ['revoke', 'a']]) {
    expect(await runToken([...args, '--config', config], io())).toBe(0);
  }
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lvsctl audit verify', () => {
  it('verifies the keyed chain with the key lvsctl made (stateDir/audit.key, 0600), and reaches anchors', async () => {
    const keyFile = path.join(stateDir, 'audit.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const plain = await audit('verify');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^audit chain intact: 6 entries \(head #6 [0-9a-f]{16}\)\nrows #1-#6 keyed \(HMAC-SHA256, key id [0-9a-f]{16}\)\nno anchor given/);
    const h = head();
    const anchored = await audit('verify', '--anchor', `${h.id}:${h.hash}`, '--anchor', `3:${rowHash(3).slice(0, 16)}`);
    expect(anchored.stdout).toContain('reaches 2 anchor(s), the newest #6');
    expect(anchored.code).toBe(0);
  });

  it('reports removed newest rows against an anchor (given, or read from the log), with the first missing id', async () => {
    const h = head();
    const logFile = path.join(dir, 'console.log');
    fs.writeFileSync(logFile, `Mar 03 10:00:00 host lvs-console[42]: [audit] head id=${h.id} hash=${h.hash}\n`);
    const d = db();
    d.exec('DROP TRIGGER audit_no_delete');
    d.prepare('DELETE FROM audit WHERE id >= 5').run();
    d.close();
    expect((await audit('verify')).code).toBe(0); // a shorter chain is still a chain: hence anchors
    for (const args of [['--anchor', `${h.id}:${h.hash}`], ['--anchor-file', logFile]]) {
      const r = await audit('verify', ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('audit chain BROKEN at row 5: the chain ends at #4 but an anchor names #6: rows from #5 on were removed (truncated) (4 entries before it verified)\n');
    }
  });

  it('detects a row rewritten with recomputed plain SHA-256 hashes', async () => {
    const d = db();
    d.exec('DROP TRIGGER audit_no_update');
    type R = { id: number; at: number; actor: string; role: string | null; source: string; action: string; cluster: string | null; target: string | null; outcome: string; detail: string; prev_hash: string; attempt_id: number | null };
    let prev = (d.prepare('SELECT hash FROM audit WHERE id = 1').get() as { hash: string }).hash;
    for (const r of d.prepare('SELECT * FROM audit WHERE id >= 2 ORDER BY id').all() as R[]) {
      if (r.id === 2) r.actor = 'someone-else';
      const fields: unknown[] = [r.id, r.at, r.actor, r.role, r.source, r.action, r.cluster, r.target, r.outcome, r.detail, prev];
      if (r.attempt_id !== null) fields.push(r.attempt_id);
      const hash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
      d.prepare('UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?').run(r.actor, prev, hash, r.id);
      prev = hash;
    }
    d.close();
    const r = await audit('verify');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('audit chain BROKEN at row 2: row content does not match its HMAC (edited) (1 entries before it verified)\n');
  });

  it('says plainly when the key is another one, or missing', async () => {
    const keyFile = path.join(stateDir, 'audit.key');
    fs.writeFileSync(keyFile, `${'f'.repeat(64)}\n`);
    const wrong = await audit('verify');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`^audit chain BROKEN at row 1: written with another audit key \\(key id [0-9a-f]{16}\\); the key from file ${keyFile.replaceAll('/', '\\/')} has id [0-9a-f]{16}: wrong key, or the row was forged`));
    // Writing with another key would make a chain no key verifies: refused.
    const other = io();
    expect(await runToken(['create', '--name', 'c', '--role', 'viewer', '--config', config], other)).toBe(1);
    expect(other.stderr).toMatch(/^lvsctl token: the audit key from file .* has id [0-9a-f]{16}, but the audit log was written with key id [0-9a-f]{16} \(row #6\): use that key\n$/);
    fs.rmSync(keyFile);
    const lost = io();
    expect(await runToken(['create', '--name', 'c', '--role', 'viewer', '--config', config], lost)).toBe(1);
    expect(lost.stderr).toMatch(/the audit key \(file .*audit\.key\) is missing, but the audit log is keyed \(row #6 with key id [0-9a-f]{16}\): restore the key from your backup/);
    const missing = await audit('verify');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^audit chain BROKEN at row 1: rows from #1 on are keyed \(HMAC, key id [0-9a-f]{16}\): verifying them needs the audit key/);
    expect(fs.existsSync(keyFile)).toBe(false); // verify never makes a key
    expect((await audit('list', '--limit', '1')).code).toBe(0); // listing needs none
  });

  it('refuses a malformed anchor', async () => {
    const r = await audit('verify', '--anchor', '6:abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--anchor needs ID:HASH \(the row id, and at least 16 hex digits of its hash\), got "6:abc"/);
  });
});

function rowHash(id: number): string {
  const d = db();
  const r = d.prepare('SELECT hash FROM audit WHERE id = ?').get(id) as { hash: string };
  d.close();
  return r.hash;
}
