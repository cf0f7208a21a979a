import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '@/server/auth/password';
import { writeTestConfig } from '@/server/testing/console-env';
import { runAudit } from './audit';
import { runToken } from './token';
import { runUser } from './user';
import { captureIo } from './testing/capture-io';

// lvsctl user / token / audit against a temporary console configuration and database.

const io = captureIo;

let dir = '';
let config = '';
let stateDir = '';

beforeAll(async () => {
  ({ dir, file: config } = await writeTestConfig());
  stateDir = (YAML.parse(fs.readFileSync(config, 'utf8')) as { stateDir: string }).stateDir;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lvsctl user', () => {
  it('adds a user with the password from stdin, stores only a scrypt hash, lists it, refuses --password', async () => {
    const a = io('a-long-password-xyz\n');
    expect(await runUser(['add', 'carol', '--role', 'operator', '--clusters', 'lab', '--password-stdin', '--config', config], a)).toBe(0);
    expect(a.stdout).toMatch(/added user carol \(operator on lab\)/);
    const db = new Database(path.join(stateDir, 'console.db'), { readonly: true });
    const row = db.prepare('SELECT password_hash FROM users WHERE name = ?').get('carol') as { password_hash: string };
    db.close();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('a-long-password-xyz', row.password_hash)).toBe(true);

    const l = io();
    expect(await runUser(['list', '--config', config], l)).toBe(0);
    expect(l.stdout).toContain('carol\toperator\tlab\tdatabase');
    expect(l.stdout).toContain('ada\tadmin\t*\tconfig');

    const p = io();
    expect(await runUser(['add', 'dave', '--role', 'viewer', '--password', 'oops-on-argv', '--config', config], p)).toBe(2);
    expect(p.stderr).toMatch(/--password is not accepted/);
    const dup = io('another-long-password\n');
    expect(await runUser(['add', 'carol', '--role', 'viewer', '--config', config], dup)).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const short = io('short\n');
    expect(await runUser(['add', 'erin', '--role', 'viewer', '--config', config], short)).toBe(2);
    expect(short.stderr).toMatch(/password: at least 12 characters/);

    const rm = io();
    expect(await runUser(['remove', 'carol', '--config', config], rm)).toBe(0);
    expect(await runUser(['remove', 'carol', '--config', config], io())).toBe(1);
  });

  it('prints a hash for the configuration file', async () => {
    const h = io('pw-for-config\n');
    expect(await runUser(['hash'], h)).toBe(0);
    expect(await verifyPassword('pw-for-config', h.stdout.trim())).toBe(true);
  });
});

describe('lvsctl token', () => {
  it('creates (printed once), lists without the secret, revokes', async () => {
    const c = io();
    expect(await runToken(['create', '--name', 'ci', '--role', 'operator', '--config', config], c)).toBe(0);
    const token = c.stdout.trim();
    expect(token).toMatch(/^lvs_[A-Za-z0-9_-]{40,}$/);
    const l = io();
    expect(await runToken(['list', '--config', config], l)).toBe(0);
    expect(l.stdout).toMatch(/^ci\toperator\t\*\tcli:/m);
    expect(l.stdout).not.toContain(token);
    expect(await runToken(['revoke', 'ci', '--config', config], io())).toBe(0);
    const again = io();
    expect(await runToken(['revoke', 'ci', '--config', config], again)).toBe(1);
    expect(again.stderr).toMatch(/no active token named ci/);
    expect(await runToken(['create', '--name', 'x', '--config', config], io())).toBe(2);
  });
});

describe('lvsctl audit', () => {
  it('verifies the chain, lists entries, and names an edited row', async () => {
    const v = io();
    expect(await runAudit(['verify', '--config', config], v)).toBe(0);
    // Each change is an attempted row and its outcome: user add, add again (failed: exists), remove,
    // remove again (failed: no such user), token create, revoke, revoke again (failed).
    expect(v.stdout).toMatch(/^audit chain intact: 14 entries/);
    const l = io();
    expect(await runAudit(['list', '--limit', '3', '--config', config], l)).toBe(0);
    const lines = l.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^14\t.*\ttoken-revoke\tci\tfailed \(of #13\)\t.*no active token named ci/);
    expect(lines[1]).toMatch(/^13\t.*\ttoken-revoke\tci\tattempted -> #14\t/);
    expect(lines[2]).toMatch(/^12\t.*\ttoken-revoke\tci\tok \(of #11\)\t/);

    // Tamper behind the console's back: drop the append-only trigger and edit row 2.
    const db = new Database(path.join(stateDir, 'console.db'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET actor = 'someone-else' WHERE id = 2").run();
    db.close();
    const bad = io();
    expect(await runAudit(['verify', '--config', config], bad)).toBe(1);
    expect(bad.stderr).toMatch(/audit chain BROKEN at row 2: row content does not match its HMAC \(edited\)/);
  });
});
