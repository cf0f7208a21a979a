import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestConfig } from '@/server/testing/console-env';
import { runToken } from './token';
import { captureIo } from './testing/capture-io';

// Issue 14, item 15: `lvsctl token create --expires 30d`, within auth.tokenMaxDays; `token list`
// shows the expiry and marks expired tokens.

const io = captureIo;

let dir = '';
let config = '';
let stateDir = '';
beforeAll(async () => {
  ({ dir, file: config } = await writeTestConfig());
  stateDir = (YAML.parse(fs.readFileSync(config, 'utf8')) as { stateDir: string }).stateDir;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lvsctl token --expires', () => {
  it('sets the expiry within auth.tokenMaxDays (default 365); list shows it and marks expired tokens', async () => {
    const before = Date.now();
    const c = io();
    expect(await runToken(['create', '--name', 'month', '--role', 'viewer', '--expires', '30d', '--config', config], c)).toBe(0);
    expect(c.stderr).toMatch(/token month \(viewer\) created, expires \d{4}-\d\d-\d\dT/);
    expect(await runToken(['create', '--name', 'dflt', '--role', 'viewer', '--config', config], io())).toBe(0);
    const bad = io();
    expect(await runToken(['create', '--name', 'bad', '--role', 'viewer', '--expires', '30', '--config', config], bad)).toBe(2);
    expect(bad.stderr).toMatch(/--expires takes a number of days like 30d, not "30"/);
    const long = io();
    expect(await runToken(['create', '--name', 'long', '--role', 'viewer', '--expires', '366d', '--config', config], long)).toBe(2);
    expect(long.stderr).toMatch(/expiresInDays: at most 365 days \(auth\.tokenMaxDays\)/);
    const misplaced = io();
    expect(await runToken(['list', '--expires', '3d', '--config', config], misplaced)).toBe(2);

    const db = new Database(path.join(stateDir, 'console.db'));
    const rows = db.prepare('SELECT name, expires_at FROM api_tokens ORDER BY name').all() as { name: string; expires_at: number }[];
    expect(rows.map((r) => r.name)).toEqual(['dflt', 'month']);
    expect(rows[0]?.expires_at).toBeGreaterThanOrEqual(before + 365 * 86_400_000);
    expect(rows[1]?.expires_at).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(rows[1]?.expires_at).toBeLessThan(before + 31 * 86_400_000);
    // Let "month" expire behind the console's back.
    db.prepare("UPDATE api_tokens SET expires_at = ? WHERE name = 'month'").run(Date.now() - 1000);
    db.close();
    const l = io();
    expect(await runToken(['list', '--config', config], l)).toBe(0);
    expect(l.stdout.split('\n')[0]).toMatch(/\texpires$/);
    expect(l.stdout).toMatch(/^month\t.*\tEXPIRED \d{4}-/m);
    expect(l.stdout).toMatch(/^dflt\t.*\t\d{4}-\d\d-\d\dT[^\t]*$/m);
  });
});
