import 'server-only';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ConsoleConfig } from '@/server/config/schema';

// The audit chain's HMAC key (issue 14, item 9). It lives outside the database, so someone who can
// write the database but not read the key cannot rewrite rows and recompute their hashes. Either
// `audit.key: env:NAME` (the value, at least 32 characters) or a file, by default
// stateDir/audit.key, created with 32 random bytes (hex) and mode 0600 on first use. Back it up
// apart from the database: without it the keyed rows cannot be verified. (turbopackIgnore: the key's
// path is configuration, not a file of the build to trace.)

export const MIN_KEY_LENGTH = 32;

export interface AuditKey {
  readonly key: Buffer;
  /** Names the key without revealing it (stored with every keyed row): HMAC(key, "lvs-console audit key id"), 16 hex. */
  readonly id: string;
  /** Where it came from, for messages: "file /var/lib/lvs-console/audit.key" or "audit.key (environment)". */
  readonly source: string;
}

export class AuditKeyError extends Error {
  override readonly name = 'AuditKeyError';
}

export function auditKeyFrom(material: string, source: string): AuditKey {
  const text = material.trim();
  if (text.length < MIN_KEY_LENGTH) throw new AuditKeyError(`the audit key from ${source} is too short: at least ${MIN_KEY_LENGTH} characters (e.g. openssl rand -hex 32)`);
  const key = Buffer.from(text, 'utf8');
  return { key, id: createHmac('sha256', key).update('lvs-console audit key id').digest('hex').slice(0, 16), source };
}

/** Where this configuration keeps the key: the environment's value, or a file. */
export function auditKeyFile(config: Pick<ConsoleConfig, 'audit' | 'stateDir'>): string | null {
  if (config.audit.key !== undefined) return null;
  return config.audit.keyFile ?? path.join(/*turbopackIgnore: true*/ config.stateDir, 'audit.key');
}

/**
 * The key of this configuration. With `create`, a missing key file is made (0600, 32 random bytes
 * as hex); without it, a missing file gives null (verifying a database copy on another host).
 * Throws AuditKeyError with a plain message when the key cannot be used.
 */
export function loadAuditKey(config: Pick<ConsoleConfig, 'audit' | 'stateDir'>, opts: { create: boolean }): AuditKey | null {
  if (config.audit.key !== undefined) return auditKeyFrom(config.audit.key, 'audit.key (environment)');
  const file = auditKeyFile(config) as string;
  const source = `file ${file}`;
  let st: fs.Stats;
  try {
    st = fs.statSync(/*turbopackIgnore: true*/ file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new AuditKeyError(`cannot read the audit key ${source}: ${(e as Error).message}`);
    if (!opts.create) return null;
    fs.mkdirSync(/*turbopackIgnore: true*/ path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      // 'wx': never overwrite a key another process has just made.
      fs.writeFileSync(/*turbopackIgnore: true*/ file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (w) {
      if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw new AuditKeyError(`cannot create the audit key ${source}: ${(w as Error).message}`);
    }
    return loadAuditKey(config, { create: false });
  }
  if (!st.isFile()) throw new AuditKeyError(`the audit key ${source} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new AuditKeyError(`the audit key ${source} is readable or writable by others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): chmod 600 ${file}`);
  }
  let text: string;
  try {
    text = fs.readFileSync(/*turbopackIgnore: true*/ file, 'utf8');
  } catch (e) {
    throw new AuditKeyError(`cannot read the audit key ${source}: ${(e as Error).message} (run as the console's user)`);
  }
  return auditKeyFrom(text, source);
}

/**
 * The key a console (or lvsctl) writes new rows with. Made on first start; but once the log has
 * keyed rows, never made anew nor swapped silently: a missing or different key stops start-up,
 * since the chain could no longer be verified past it.
 */
export function auditKeyForWriting(config: Pick<ConsoleConfig, 'audit' | 'stateDir'>, written: { id: number; keyId: string } | null): AuditKey {
  const key = loadAuditKey(config, { create: written === null });
  const where = config.audit.key !== undefined ? 'audit.key (environment)' : `file ${auditKeyFile(config) ?? ''}`;
  if (key === null) {
    throw new AuditKeyError(
      `the audit key (${where}) is missing, but the audit log is keyed (row #${written?.id} with key id ${written?.keyId}): restore the key from your backup; a new key cannot verify the rows written with the old one`,
    );
  }
  if (written !== null && key.id !== written.keyId) {
    throw new AuditKeyError(`the audit key from ${key.source} has id ${key.id}, but the audit log was written with key id ${written.keyId} (row #${written.id}): use that key`);
  }
  return key;
}
