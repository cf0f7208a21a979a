import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, PASSWORDS, request, writeTestConfig, type RequestInit2 } from '@/server/testing/console-env';

// Issue 14, item 13: over HTTPS the session and CSRF cookies are __Host- cookies (Secure, Path=/,
// no Domain), which a sibling subdomain cannot plant, and plain-named ones are ignored there; over
// plain HTTP the names stay, and of several session cookies the live one is used.

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const API_DIR = path.resolve(__dirname, '..');
const PROXY = '10.0.0.5';
/** A request that came through the trusted proxy, which terminated TLS. */
const HTTPS: RequestInit2 = { peer: PROXY, headers: { 'x-forwarded-proto': 'https' } };

async function call(route: string, method: 'GET' | 'POST', init: RequestInit2 = {}): Promise<Response> {
  const mod = (await import(path.join(API_DIR, route, 'route.ts'))) as Partial<Record<string, RouteHandler>>;
  const h = mod[method];
  if (!h) throw new Error(`${route} has no ${method}`);
  return h(request(`/api/${route}`, { ...init, method }), { params: Promise.resolve({}) });
}

const withHttps = (init: RequestInit2): RequestInit2 => ({ ...init, peer: PROXY, headers: { ...HTTPS.headers, ...init.headers } });

async function login(name: keyof typeof PASSWORDS, init: RequestInit2 = {}) {
  const res = await call('auth/login', 'POST', { ...init, body: { name, password: PASSWORDS[name] } });
  expect(res.status).toBe(200);
  return cookiesFrom(res);
}

let configDir = '';
beforeAll(async () => {
  const { dir, file } = await writeTestConfig({ trustedProxies: [PROXY] });
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
});
afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('__Host- cookies over HTTPS', () => {
  it('login over HTTPS sets __Host-lvs_session and __Host-lvs_csrf: Secure, Path=/, no Domain', async () => {
    const c = await login('otto', HTTPS);
    expect(Object.keys(c.values).sort()).toEqual(['__Host-lvs_csrf', '__Host-lvs_session']);
    for (const raw of c.raw) {
      expect(raw).toMatch(/;\s*Secure/i);
      expect(raw).toMatch(/;\s*Path=\/(;|$)/i);
      expect(raw).not.toMatch(/Domain=/i);
    }
    expect(c.raw.find((r) => r.startsWith('__Host-lvs_session='))).toMatch(/HttpOnly/i);
    expect(c.raw.find((r) => r.startsWith('__Host-lvs_csrf='))).not.toMatch(/HttpOnly/i);
    expect(await (await call('me', 'GET', withHttps({ cookie: c.header }))).json()).toMatchObject({ name: 'otto', via: 'session' });
  });

  it('over HTTPS a plain lvs_session (plantable by a sibling subdomain) is ignored; the __Host- one wins', async () => {
    const attacker = await login('vera'); // a live session of another account, as a plain cookie
    const victim = await login('ada', HTTPS);
    const planted = `lvs_session=${attacker.values.lvs_session}`;
    expect((await call('me', 'GET', withHttps({ cookie: planted }))).status).toBe(401);
    for (const cookie of [`${planted}; ${victim.header}`, `${victim.header}; ${planted}`]) {
      expect(await (await call('me', 'GET', withHttps({ cookie }))).json()).toMatchObject({ name: 'ada' });
    }
    // State changes work with the __Host- CSRF cookie's value.
    const made = await call('admin/tokens', 'POST', withHttps({ cookie: `${planted}; ${victim.header}`, csrf: victim.values['__Host-lvs_csrf'], body: { name: 'https-made', role: 'viewer' } }));
    expect(made.status, await made.clone().text()).toBe(200);
  });

  it('logout over HTTPS ends the session and expires both the __Host- and the plain cookies', async () => {
    const c = await login('otto', HTTPS);
    const out = await call('auth/logout', 'POST', withHttps({ cookie: c.header, csrf: c.values['__Host-lvs_csrf'] }));
    expect(out.status).toBe(200);
    const raw = cookiesFrom(out).raw;
    expect(raw.map((r) => r.split('=')[0]).sort()).toEqual(['__Host-lvs_csrf', '__Host-lvs_session', 'lvs_csrf', 'lvs_session']);
    for (const r of raw) expect(r).toMatch(/Max-Age=0/i);
    for (const r of raw.filter((x) => x.startsWith('__Host-'))) expect(r).toMatch(/;\s*Secure/i);
    expect((await call('me', 'GET', withHttps({ cookie: c.header }))).status).toBe(401);
  });
});

describe('plain HTTP', () => {
  it('keeps the plain names, not Secure', async () => {
    const c = await login('otto');
    expect(Object.keys(c.values).sort()).toEqual(['lvs_csrf', 'lvs_session']);
    for (const raw of c.raw) expect(raw).not.toMatch(/Secure/i);
  });

  it('of several lvs_session cookies, the live session is used, whichever comes first', async () => {
    const c = await login('otto');
    const live = `lvs_session=${c.values.lvs_session}`;
    for (const cookie of [`lvs_session=stale-or-planted; ${live}`, `${live}; lvs_session=stale-or-planted`]) {
      expect(await (await call('me', 'GET', { cookie })).json()).toMatchObject({ name: 'otto' });
    }
    // A __Host- cookie means nothing over plain HTTP (a browser would not have stored it).
    const secure = await login('ada', HTTPS);
    expect((await call('me', 'GET', { cookie: secure.header })).status).toBe(401);
  });
});
