import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '@/server/config/load';
import { AuditKeyError, auditKeyFile, auditKeyForWriting, loadAuditKey } from './key';

// The audit key outside the database: a 0600 file made on first start, or audit.key: env:NAME.

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-audit-key-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.LVS_TEST_AUDIT_KEY;
});

const base = `
clusters:
  - name: lab
    directors:
      - { name: dir1, host: 127.0.0.1, user: lvsconsole, privateKeyPath: /k, hostKey: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" }
`;
const config = (extra = '') => parseConfigText(`stateDir: ${dir}/state\n${extra}${base}`, path.join(dir, 'console.yaml'));

describe('audit key', () => {
  it('is made on first start as stateDir/audit.key (0600, 32 random bytes as hex), and read back the same', () => {
    const c = config();
    expect(auditKeyFile(c)).toBe(path.join(dir, 'state', 'audit.key'));
    expect(loadAuditKey(c, { create: false })).toBeNull();
    const made = loadAuditKey(c, { create: true });
    const file = path.join(dir, 'state', 'audit.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(made?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(loadAuditKey(c, { create: false })?.id).toBe(made?.id);
    expect(made?.source).toBe(`file ${file}`);
  });

  it('refuses a key file others can read, and a short key, saying what to do', () => {
    const file = path.join(dir, 'k');
    fs.writeFileSync(file, 'x'.repeat(64), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const c = config(`audit: { keyFile: ${file} }\n`);
    expect(() => loadAuditKey(c, { create: true })).toThrow(new AuditKeyError(`the audit key file ${file} is readable or writable by others (mode 0644): chmod 600 ${file}`));
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, 'short');
    expect(() => loadAuditKey(c, { create: true })).toThrow(/too short: at least 32 characters/);
  });

  it('audit.key: env:NAME takes the key from the environment (never from the file itself)', () => {
    process.env.LVS_TEST_AUDIT_KEY = 'e'.repeat(40);
    const c = config('audit: { key: "env:LVS_TEST_AUDIT_KEY" }\n');
    expect(auditKeyFile(c)).toBeNull();
    expect(loadAuditKey(c, { create: true })).toMatchObject({ source: 'audit.key (environment)' });
    expect(fs.existsSync(path.join(dir, 'state', 'audit.key'))).toBe(false);
    expect(() => config('audit: { key: "a-literal-key-in-the-file-0123456789" }\n')).toThrow(/audit.key: a reference to an environment variable/);
    delete process.env.LVS_TEST_AUDIT_KEY;
    expect(() => config('audit: { key: "env:LVS_TEST_AUDIT_KEY" }\n')).toThrow(new ConfigError('audit.key: environment variable LVS_TEST_AUDIT_KEY is not set'));
  });
});

describe('the key a console writes with', () => {
  it('is made for a new log, but never made anew nor swapped once rows are keyed', () => {
    const c = config();
    const made = auditKeyForWriting(c, null);
    expect(auditKeyForWriting(c, { id: 9, keyId: made.id }).id).toBe(made.id);
    expect(() => auditKeyForWriting(c, { id: 9, keyId: '0123456789abcdef' })).toThrow(
      new AuditKeyError(`the audit key from file ${dir}/state/audit.key has id ${made.id}, but the audit log was written with key id 0123456789abcdef (row #9): use that key`),
    );
    fs.rmSync(path.join(dir, 'state', 'audit.key'));
    expect(() => auditKeyForWriting(c, { id: 9, keyId: made.id })).toThrow(/is missing, but the audit log is keyed \(row #9 with key id \w+\): restore the key from your backup/);
    expect(fs.existsSync(path.join(dir, 'state', 'audit.key'))).toBe(false);
  });
});
