import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, request as newRequest, test, type APIRequestContext } from '@playwright/test';
import type { AuditEntry } from '../lib/models/audit';
import { E2E_USERS, storageStateFile, type E2eRole } from './users';

// The attack suite (issue 14): the production server, as a hostile client would try it. Parallel
// password guesses, oversized and endless bodies, forged internal headers, an admin limited to one
// cluster reaching for another, and viewers trying to take the directors' SSH channels while an
// operator changes a weight. Each is refused, and nothing is lost: the change succeeds on both
// directors, no hold appears or disappears, and `lvsctl audit verify` finds the chain intact.
//
// The e2e configuration (e2e/write-config.ts) has a second cluster, "staging", whose one director
// is on a loopback port nothing listens on: it is the cluster the limited admin is limited to.

const ROOT = path.resolve(__dirname, '..');
const CONFIG = path.join(ROOT, 'test-results', 'e2e-console.yaml');
const WEB = 'TCP 192.0.2.100:80';
const RS2 = '192.0.2.12:80';
const run = promisify(execFile);

let baseURL = '';
const contexts: APIRequestContext[] = [];

/** The e2e account's API context (its session cookie) and the CSRF token its writes must carry. */
async function as(role: E2eRole): Promise<{ api: APIRequestContext; csrf: string }> {
  const state = JSON.parse(fs.readFileSync(storageStateFile(role), 'utf8')) as { cookies: { name: string; value: string }[] };
  const csrf = state.cookies.find((c) => c.name === 'lvs_csrf')?.value ?? '';
  expect(csrf, `${role} has a CSRF cookie`).not.toBe('');
  const api = await newRequest.newContext({ baseURL, storageState: storageStateFile(role), extraHTTPHeaders: { origin: new URL(baseURL).origin, 'x-csrf-token': csrf } });
  contexts.push(api);
  return { api, csrf };
}

/**
 * A client without a session. It sends the console's own Origin, as a script outside a browser can:
 * the Origin check stops cross-site browsers, not such clients, so every attack below gets past it.
 */
async function anonymous(headers: Record<string, string> = {}): Promise<APIRequestContext> {
  // An explicit empty state: inside a test, a new request context would take the project's (operator) cookies.
  const api = await newRequest.newContext({ baseURL, storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { origin: new URL(baseURL).origin, ...headers } });
  contexts.push(api);
  return api;
}

async function bearer(token: string): Promise<APIRequestContext> {
  return anonymous({ authorization: `Bearer ${token}` });
}

/** The newest audit rows (as the unrestricted admin sees them), newest first. */
async function auditSince(admin: APIRequestContext, afterId: number): Promise<AuditEntry[]> {
  const r = await admin.get('/api/audit?limit=500');
  expect(r.status()).toBe(200);
  const { entries } = (await r.json()) as { entries: AuditEntry[] };
  return entries.filter((e) => Number(e.id) > afterId);
}

async function newestAuditId(admin: APIRequestContext): Promise<number> {
  const r = await admin.get('/api/audit?limit=1');
  const { entries } = (await r.json()) as { entries: AuditEntry[] };
  return Number(entries[0]?.id ?? 0);
}

async function intents(api: APIRequestContext): Promise<unknown> {
  const r = await api.get('/api/clusters/lab/intents');
  expect(r.status()).toBe(200);
  return r.json();
}

/** A POST whose body is streamed in chunks with no Content-Length, never ending by itself (raw HTTP). */
function endlessChunkedPost(urlPath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(urlPath, baseURL);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', origin: u.origin, ...headers } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (e) => reject(e));
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    req.write('{"target": "192.0.2.12:80", "reason": "');
    // Up to 4 MiB; the server must answer long before (64 KiB cap), and the response ends the loop.
    let sent = 0;
    const pump = (): void => {
      while (sent < 256 && !req.destroyed) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/** A JSON login POST from another loopback source address (the guesser's), answering its status. */
function loginFrom(localAddress: string, name: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL('/api/auth/login', baseURL);
    const body = JSON.stringify({ name, password });
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      localAddress,
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: u.origin },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => reject(e));
    req.end(body);
  });
}

test.beforeAll(({ baseURL: b }) => {
  baseURL = b ?? '';
});

test.afterAll(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.dispose()));
});

test('oversized and endless bodies get 413 before any parsing, and change nothing', async () => {
  const { api: operator, csrf } = await as('operator');
  const { api: admin } = await as('admin');
  const before = await intents(operator);
  const since = await newestAuditId(admin);

  // Login: 8 KiB at most (a 200 KiB "password").
  const login = await (await anonymous()).post('/api/auth/login', { data: { name: E2E_USERS.operator.name, password: 'x'.repeat(200 * 1024) } });
  expect(login.status()).toBe(413);
  expect(((await login.json()) as { error: { code: string } }).error.code).toBe('too-large');

  // A drain with a 1 MiB reason, from a logged-in operator with a valid CSRF token.
  const big = await operator.post('/api/clusters/lab/drain', { data: { target: RS2, service: WEB, reason: 'r'.repeat(1024 * 1024) } });
  expect(big.status()).toBe(413);

  // No Content-Length, a body that never ends: the cap is counted as the body streams.
  const cookie = `lvs_session=${(JSON.parse(fs.readFileSync(storageStateFile('operator'), 'utf8')) as { cookies: { name: string; value: string }[] }).cookies.find((c) => c.name === 'lvs_session')?.value ?? ''}; lvs_csrf=${csrf}`;
  expect(await endlessChunkedPost('/api/clusters/lab/drain', { cookie, 'x-csrf-token': csrf })).toBe(413);

  // Nothing changed: the same holds, and no drain was attempted.
  expect(await intents(operator)).toEqual(before);
  const rows = await auditSince(admin, since);
  expect(rows.filter((e) => e.action === 'drain')).toEqual([]);
});

test('forged internal headers buy nothing: not a peer address, not a page path, not a middleware bypass, not a nonce', async ({ page }) => {
  const { api: admin } = await as('admin');
  const since = await newestAuditId(admin);
  const forged = {
    'x-lvs-peer': '198.51.100.77',
    'x-lvs-peer-stamp': 'f'.repeat(64),
    'x-forwarded-for': '198.51.100.77',
    'x-lvs-path': '/evil',
    'x-nonce': 'forged-nonce',
    // Next.js's internal header (CVE-2025-29927): with it, old versions skipped the middleware.
    'x-middleware-subrequest': 'proxy:proxy:proxy:proxy:proxy',
  };
  // A state-changing call claiming another address: refused, and audited from the real peer.
  const hostile = await anonymous(forged);
  expect((await hostile.get('/api/me')).status()).toBe(401); // no session: the forged headers are all it has
  const drain = await hostile.post('/api/clusters/lab/drain', { data: { target: RS2, service: WEB, reason: 'forged' } });
  expect(drain.status(), await drain.text()).toBe(401);
  const rows = await auditSince(admin, since);
  const refused = rows.filter((e) => e.outcome === 'refused' && e.action.startsWith('POST /api/clusters/'));
  expect(refused.length, JSON.stringify(rows)).toBeGreaterThan(0);
  for (const e of rows) expect(e.source).not.toContain('198.51.100.77');

  // A page asked for without a session, with the forged headers: still the login page, for the
  // path really asked for (not the forged x-lvs-path), under a CSP whose nonce is not the forged one.
  await page.context().clearCookies();
  await page.setExtraHTTPHeaders(forged);
  const seen: string[] = [];
  page.on('response', (r) => {
    const csp = r.headers()['content-security-policy'];
    if (csp && r.request().resourceType() === 'document') seen.push(csp);
  });
  await page.goto('/clusters/lab');
  await expect(page).toHaveURL(/\/login\?next=%2Fclusters%2Flab$/);
  expect(seen.length).toBeGreaterThan(0);
  for (const csp of seen) {
    expect(csp).toMatch(/'nonce-[^']+'/);
    expect(csp).not.toContain('forged-nonce');
  }
});

test('an admin limited to staging cannot reach beyond it: no wider grant, no other account, no lab action', async () => {
  const { api: admin } = await as('admin');
  const since = await newestAuditId(admin);
  const create = async (api: APIRequestContext, body: Record<string, unknown>) => api.post('/api/admin/tokens', { data: body });

  // Set up by the unrestricted admin: a staging-limited admin token, and a global token to protect.
  const stgAdmin = await create(admin, { name: 'attack-stg-admin', role: 'admin', clusters: ['staging'], expiresInDays: 1 });
  expect(stgAdmin.status()).toBe(200);
  const { token } = (await stgAdmin.json()) as { token: string };
  expect((await create(admin, { name: 'attack-global-viewer', role: 'viewer', expiresInDays: 1 })).status()).toBe(200);

  const stg = await bearer(token);
  // Grants beyond staging: every one 403.
  for (const body of [
    { name: 'escalate-1', role: 'admin' },
    { name: 'escalate-2', role: 'admin', clusters: ['lab'] },
    { name: 'escalate-3', role: 'operator', clusters: ['staging', 'lab'] },
  ]) {
    const r = await create(stg, body);
    expect(r.status(), JSON.stringify(body)).toBe(403);
  }
  const user = await stg.post('/api/admin/users', { data: { name: 'escalate-user', role: 'admin', password: 'a-long-enough-password-1' } });
  expect(user.status()).toBe(403);
  // Listing shows only what lies within staging; revoking or removing anything else: 403.
  const tokens = (await (await stg.get('/api/admin/tokens')).json()) as { tokens: { name: string }[] };
  expect(tokens.tokens.map((t) => t.name)).toEqual(['attack-stg-admin']);
  const users = (await (await stg.get('/api/admin/users')).json()) as { users: { name: string }[] };
  expect(users.users.map((u) => u.name)).not.toContain(E2E_USERS.admin.name);
  expect((await stg.delete('/api/admin/tokens/attack-global-viewer')).status()).toBe(403);
  expect((await stg.delete(`/api/admin/users/${E2E_USERS.operator.name}`)).status()).toBe(403);
  // The lab cluster itself: not even a read, let alone a drain, nor its audit entries.
  expect((await stg.get('/api/clusters/lab')).status()).toBe(403);
  expect((await stg.post('/api/clusters/lab/drain', { data: { target: RS2, service: WEB, reason: 'cross-cluster' } })).status()).toBe(403);
  expect((await stg.post('/api/clusters/lab/weight', { data: { target: RS2, service: WEB, weight: 1, reason: 'cross-cluster' } })).status()).toBe(403);
  expect((await stg.get('/api/audit?cluster=lab')).status()).toBe(403);
  // Within staging it is an admin: it may grant staging, and revoke that grant.
  expect((await create(stg, { name: 'attack-stg-viewer', role: 'viewer', clusters: ['staging'], expiresInDays: 1 })).status()).toBe(200);
  expect((await stg.delete('/api/admin/tokens/attack-stg-viewer')).status()).toBe(200);

  // Nothing beyond staging changed: the global token is still active, no escalated account exists.
  const all = (await (await admin.get('/api/admin/tokens')).json()) as { tokens: { name: string; revokedAt: number | null }[] };
  expect(all.tokens.find((t) => t.name === 'attack-global-viewer')?.revokedAt).toBeNull();
  expect(all.tokens.map((t) => t.name).filter((n) => n.startsWith('escalate'))).toEqual([]);
  const allUsers = (await (await admin.get('/api/admin/users')).json()) as { users: { name: string }[] };
  expect(allUsers.users.map((u) => u.name)).not.toContain('escalate-user');
  // Each refusal is in the audit log, under the limited admin's name.
  const rows = await auditSince(admin, since);
  expect(rows.filter((e) => e.actor === 'token:attack-stg-admin' && e.outcome === 'refused').length).toBeGreaterThan(0);
  expect(rows.filter((e) => e.actor === 'token:attack-stg-admin' && e.outcome === 'ok').map((e) => e.action)).toEqual(expect.arrayContaining(['token-create', 'token-revoke']));

  for (const name of ['attack-stg-admin', 'attack-global-viewer']) expect((await admin.delete(`/api/admin/tokens/${name}`)).status()).toBe(200);
});

test("viewers flooding SSH-backed reads do not take the directors' channels: an operator's weight change still succeeds on both", async () => {
  const { api: viewer } = await as('viewer');
  const { api: operator } = await as('operator');
  const t0 = Date.now();
  const q = new URLSearchParams({ target: RS2, service: WEB, connections: '1' });
  const flood = [
    ...Array.from({ length: 30 }, () => viewer.get(`/api/clusters/lab/drain/progress?${q.toString()}`)),
    ...Array.from({ length: 30 }, () => viewer.get('/api/clusters/lab/haproxy')),
  ];
  const change = operator.post('/api/clusters/lab/weight', { data: { target: RS2, service: WEB, weight: 37, reason: 'attack suite: a weight change under a viewer flood' } });
  const [weight, ...reads] = await Promise.all([change, ...flood]);
  const result = (await weight.json()) as { outcome: string; directors: { director: string; status: string }[] };
  expect(weight.status(), JSON.stringify(result)).toBe(200);
  expect(result.outcome).toBe('ok');
  expect(result.directors.map((d) => d.status)).toEqual(['ok', 'ok']);
  // The viewers were served too (their reads shared), not failed for want of a channel.
  for (const r of reads) expect(r.status(), await r.text()).toBe(200);
  // The collector kept refreshing both directors.
  await expect
    .poll(
      async () => {
        const s = (await (await operator.get('/api/clusters/lab')).json()) as { directors: { name: string; live: boolean; takenAt: number | null }[] };
        return s.directors.map((d) => d.live && (d.takenAt ?? 0) > t0);
      },
      { timeout: 60_000 },
    )
    .toEqual([true, true]);
  const restore = await operator.post('/api/clusters/lab/restore', { data: { target: RS2, service: WEB, reason: 'attack suite: clean-up' } });
  const restored = (await restore.json()) as { outcome: string };
  expect(restore.status(), JSON.stringify(restored)).toBe(200);
  expect(restored.outcome).toBe('ok');
});

// Last: it blocks logins from this address for the limiter's one-minute window, and waits it out.
test('40 parallel wrong logins: at most 5 are evaluated, the rest refused; the log gains a few rows, not 40; the audit chain is intact', async () => {
  test.setTimeout(240_000);
  const { api: admin } = await as('admin');
  const { api: operator } = await as('operator');
  const since = await newestAuditId(admin);
  // The guesser is another loopback address (127.0.0.2) guessing the admin's password: the limiter
  // holds that source and that name for its window, and nobody else.
  const GUESSER = '127.0.0.2';
  const victim = E2E_USERS.admin;
  const guesses = Array.from({ length: 40 }, (_, i) => loginFrom(GUESSER, victim.name, `guess-${i}-not-the-password`));
  // The console keeps serving while it is guessed at.
  const [served, ...statuses] = await Promise.all([operator.get('/api/clusters/lab'), ...guesses]);
  expect(served.status()).toBe(200);
  const evaluated = statuses.filter((s) => s === 401).length;
  expect(evaluated, JSON.stringify(statuses)).toBeGreaterThan(0);
  expect(evaluated, JSON.stringify(statuses)).toBeLessThanOrEqual(5);
  // 429: over the limit; 503: refused without hashing while too many hashes ran (not counted).
  expect(statuses.filter((s) => s !== 401 && s !== 429 && s !== 503)).toEqual([]);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
  // Aggregated: the first refusal is a row; the others are counted into one summary row later.
  const logins = (await auditSince(admin, since)).filter((e) => e.action === 'login');
  expect(logins.length).toBeGreaterThan(0);
  expect(logins.length).toBeLessThan(5);

  // Held for the window: even the right password, from the guesser's address or for the guessed name.
  expect(await loginFrom(GUESSER, victim.name, victim.password)).toBe(429);
  expect(await loginFrom(GUESSER, E2E_USERS.viewer.name, E2E_USERS.viewer.password)).toBe(429);
  expect(await loginFrom('127.0.0.1', victim.name, victim.password)).toBe(429);
  // Nobody else is locked out: another user from another address logs in at once.
  expect(await loginFrom('127.0.0.1', E2E_USERS.viewer.name, E2E_USERS.viewer.password)).toBe(200);

  // Nothing lost: the audit chain verifies with the audit key (as the console's user would run it).
  const { stdout } = await run('npx', ['tsx', 'bin/lvsctl.ts', 'audit', 'verify', '--config', CONFIG], { cwd: ROOT, timeout: 120_000 });
  expect(stdout).toMatch(/^audit chain intact: \d+ entries/);
});
