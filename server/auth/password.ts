import 'server-only';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Password hashing with scrypt (memory-hard; node:crypto, no native add-on). The parameters travel
// inside the hash string, `scrypt$N$r$p$salt$hash` (salt and hash base64url), so they can be raised
// later without invalidating stored hashes.

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15 x 8 x 128 bytes = 32 MiB per hash, ~50-100 ms on one core. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** Refused at once: too many password hashes are running and waiting already. */
export class PasswordHashBusy extends Error {
  override readonly name = 'PasswordHashBusy';
}

/**
 * At most `max` scrypt derivations at a time, at most `maxQueued` more waiting; beyond that
 * `run` throws PasswordHashBusy without waiting. Each derivation holds 32 MiB and one of libuv's
 * four pool threads, which SSH connection set-up (DNS) and file I/O share: a burst of logins must
 * not stall them.
 */
export class HashGate {
  private active = 0;
  private started = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    readonly maxQueued: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Derivations started since the process began (what a burst of logins really cost). */
  get runs(): number {
    return this.started;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else if (this.waiting.length >= this.maxQueued) throw new PasswordHashBusy(`${this.active} password checks running and ${this.waiting.length} waiting`);
    // The slot is handed over by the one that finishes (active stays counted).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.started++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** By name too: a bundler may give two modules two copies of the class. */
export function isPasswordHashBusy(e: unknown): e is PasswordHashBusy {
  return e instanceof PasswordHashBusy || (e instanceof Error && e.name === 'PasswordHashBusy');
}

/** The process's gate for every password hash and verification. */
export const passwordGate = new HashGate(2, 16);

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return passwordGate.run(
    () =>
      new Promise((resolve, reject) => {
        scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  if (password.length === 0) throw new Error('the password is empty');
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

/** null when the string is not a hash this module wrote (or its parameters are out of bounds). */
export function parsePasswordHash(stored: string): ParsedHash | null {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a hostile or mistyped hash from asking for gigabytes of memory.
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4] ?? '', 'base64url');
  const key = Buffer.from(m[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { N, r, p, salt, key };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

let dummy: Promise<string> | undefined;

/** Spends the same time as a real verification, for user names that do not exist. */
export async function verifyNobody(password: string): Promise<false> {
  dummy ??= hashPassword('no such user: this hash never matches').catch((e: unknown) => {
    dummy = undefined; // busy (or failed): try again next time
    throw e;
  });
  await verifyPassword(password, await dummy);
  return false;
}
