import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cookiesFrom, PASSWORDS, request, writeTestConfig, type RequestInit2 } from '@/server/testing/console-env';

// Issue 14, item 15: API tokens expire: at most auth.tokenMaxDays after creation (here 90), sooner
// when asked (expiresInDays or expiresAt); an expired token is refused (401) and listed as expired.

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const API_DIR = path.resolve(__dirname, '..');
const DAY = 86_400_000;

async function call(route: string, method: 'GET' | 'POST', init: RequestInit2 = {}): Promise<Response> {
  const mod = (await import(path.join(API_DIR, route, 'route.ts'))) as Partial<Record<string, RouteHandler>>;
  const h = mod[method];
  if (!h) throw new Error(`${route} has no ${method}`);
  return h(request(`/api/${route}`, { ...init, method }), { params: Promise.resolve({}) });
}

interface Listed {
  name: string;
  expiresAt: number | null;
  expired: boolean;
}

let configDir = '';
let ada: { cookie: string; csrf: string };
const create = (body: Record<string, unknown>) => call('admin/tokens', 'POST', { ...ada, body: { role: 'viewer', ...body } });
const listed = async (name: string) => ((await (await call('admin/tokens', 'GET', ada)).json()) as { tokens: Listed[] }).tokens.find((t) => t.name === name);

beforeAll(async () => {
  const { dir, file } = await writeTestConfig({ tokenMaxDays: 90 });
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
  const login = await call('auth/login', 'POST', { body: { name: 'ada', password: PASSWORDS.ada } });
  expect(login.status).toBe(200);
  const c = cookiesFrom(login);
  ada = { cookie: c.header, csrf: c.values.lvs_csrf ?? '' };
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('API token expiry', () => {
  it('expires after expiresInDays, or at expiresAt, or by default at the maximum', async () => {
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const a = await create({ name: 'thirty', expiresInDays: 30 });
    expect(a.status, await a.clone().text()).toBe(200);
    expect(((await a.json()) as { info: Listed }).info).toMatchObject({ expiresAt: now + 30 * DAY, expired: false });
    expect((await create({ name: 'at', expiresAt: now + 7 * DAY })).status).toBe(200);
    expect(await listed('at')).toMatchObject({ expiresAt: now + 7 * DAY, expired: false });
    expect((await create({ name: 'default' })).status).toBe(200);
    expect(await listed('default')).toMatchObject({ expiresAt: now + 90 * DAY });
  });

  it('refuses an expiry beyond auth.tokenMaxDays, in the past, or given twice, with a clear message', async () => {
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ name: 'long', expiresInDays: 91 }, 422, /expiresInDays: at most 90 days \(auth\.tokenMaxDays\)/],
      [{ name: 'long-at', expiresAt: now + 91 * DAY }, 422, /expiresAt: at most 90 days from now \(auth\.tokenMaxDays\)/],
      [{ name: 'past', expiresAt: now - 1000 }, 422, /expiresAt: .* is in the past/],
      [{ name: 'both', expiresInDays: 1, expiresAt: now + DAY }, 422, /give expiresInDays or expiresAt, not both/],
      [{ name: 'zero', expiresInDays: 0 }, 422, /expiresInDays/],
    ];
    for (const [body, status, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
      expect(await listed(String(body.name))).toBeUndefined();
    }
  });

  it('an expired token is refused (401) and listed as expired', async () => {
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
    const made = await create({ name: 'short', expiresInDays: 2 });
    const { token } = (await made.json()) as { token: string };
    clock.mockReturnValue(now + 2 * DAY - 1);
    expect((await call('me', 'GET', { bearer: token })).status).toBe(200);
    clock.mockReturnValue(now + 2 * DAY);
    expect((await call('me', 'GET', { bearer: token })).status).toBe(401);
    // Two days on, ada's session has ended too: log in again to list.
    const login = await call('auth/login', 'POST', { body: { name: 'ada', password: PASSWORDS.ada } });
    const c = cookiesFrom(login);
    ada = { cookie: c.header, csrf: c.values.lvs_csrf ?? '' };
    expect(await listed('short')).toMatchObject({ expiresAt: now + 2 * DAY, expired: true });
  });
});
