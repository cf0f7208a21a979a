// Test support: a console configuration in a temporary directory (one dummy cluster whose director
// is never reachable, so no SSH happens; known accounts with cheap scrypt hashes), and requests
// shaped like the ones bin/serve.ts hands to the route handlers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { hashPassword } from '@/server/auth/password';
import { installPeerSecret, stampRequest } from '@/server/auth/peer-stamp.mjs';

export const TEST_ORIGIN = 'http://127.0.0.1:3999';
export const PASSWORDS = {
  vera: 'viewer-password-1',
  otto: 'operator-password-1',
  ada: 'admin-password-123',
  sam: 'scoped-operator-pw',
} as const;
/** Secret values in the test configuration that must never come back from the API. */
export const SECRET_PASSPHRASE = 'correct-horse-passphrase-SECRET-7f3a';

export async function writeTestConfig(extraAuth: Record<string, unknown> = {}, extraTop: Record<string, unknown> = {}): Promise<{ dir: string; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-auth-test-'));
  const cheap = { N: 1024, r: 8, p: 1 };
  const users = [
    { name: 'vera', passwordHash: await hashPassword(PASSWORDS.vera, cheap), role: 'viewer' },
    { name: 'otto', passwordHash: await hashPassword(PASSWORDS.otto, cheap), role: 'operator' },
    { name: 'ada', passwordHash: await hashPassword(PASSWORDS.ada, cheap), role: 'admin' },
    { name: 'sam', passwordHash: await hashPassword(PASSWORDS.sam, cheap), role: 'operator', clusters: ['other'] },
  ];
  const config = {
    stateDir: path.join(dir, 'state'),
    pollIntervalMs: 3_600_000,
    auth: { users, ...extraAuth },
    ...extraTop,
    clusters: [
      {
        name: 'lab',
        directors: [
          {
            name: 'd1',
            host: '127.0.0.1',
            port: 9,
            user: 'nobody',
            privateKeyPath: path.join(dir, 'no-such-key'),
            passphrase: SECRET_PASSPHRASE,
            hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
          },
        ],
      },
    ],
  };
  const file = path.join(dir, 'console.yaml');
  fs.writeFileSync(file, YAML.stringify(config));
  return { dir, file };
}

export interface RequestInit2 {
  method?: string;
  body?: unknown;
  cookie?: string;
  csrf?: string;
  origin?: string | null;
  bearer?: string;
  /**
   * The TCP peer's address (default 127.0.0.1), stamped as bin/next-server.mjs stamps it, after
   * dropping internal headers from `headers` as it does. null: not through the launcher (as under
   * `next start`): `headers` go in as given, internal ones included, and nothing is stamped.
   */
  peer?: string | null;
  headers?: Record<string, string>;
}

// This test process plays the launcher: it has the secret that stamps peer addresses.
installPeerSecret();

/** A request as bin/next-server.mjs passes it on: internal headers dropped, the peer stamped, and by default a same-origin Origin. */
export function request(pathname: string, init: RequestInit2 = {}): Request {
  const method = init.method ?? 'GET';
  const given: Record<string, string | string[] | undefined> = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (init.peer !== null) stampRequest({ headers: given }, init.peer ?? '127.0.0.1');
  const headers = new Headers(given as Record<string, string>);
  headers.set('host', new URL(TEST_ORIGIN).host);
  if (init.origin !== null && method !== 'GET') headers.set('origin', init.origin ?? TEST_ORIGIN);
  if (init.cookie) headers.set('cookie', init.cookie);
  if (init.csrf) headers.set('x-csrf-token', init.csrf);
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return new Request(`${TEST_ORIGIN}${pathname}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

/** Cookies set by a response, as one Cookie header value. */
export function cookiesFrom(res: Response): { header: string; values: Record<string, string>; raw: string[] } {
  const raw = res.headers.getSetCookie();
  const values: Record<string, string> = {};
  for (const c of raw) {
    const [pair = ''] = c.split(';');
    const eq = pair.indexOf('=');
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { header: Object.entries(values).map(([k, v]) => `${k}=${v}`).join('; '), values, raw };
}
