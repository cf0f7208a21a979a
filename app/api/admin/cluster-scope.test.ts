import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, PASSWORDS, request, writeTestConfig, type RequestInit2 } from '@/server/testing/console-env';

// Issue 14, item 1: an admin limited to some clusters manages only accounts and tokens limited to a
// non-empty subset of its clusters: it cannot mint an unrestricted (or another cluster's) token or
// account, and does not see, revoke or remove anyone else's. Driven in process through the routes.

type Method = 'GET' | 'POST' | 'DELETE';
type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const API_DIR = path.resolve(__dirname, '..');

async function call(route: string, method: Method, init: RequestInit2 = {}, params: Record<string, string> = {}): Promise<Response> {
  const mod = (await import(path.join(API_DIR, route, 'route.ts'))) as Partial<Record<Method, RouteHandler>>;
  const h = mod[method];
  if (!h) throw new Error(`${route} has no ${method}`);
  const url = `/api/${route.replace(/\[(\w+)\]/g, (_m, k: string) => encodeURIComponent(params[k] ?? 'x'))}`;
  return h(request(url, { ...init, method }), { params: Promise.resolve(params) });
}

const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

let configDir = '';
let ada: { cookie: string; csrf: string };
/** Bearer tokens: an admin limited to staging, and tokens it must not touch. */
let staging = '';

async function auditRows() {
  const { getRuntime } = await import('@/server/runtime');
  return getRuntime().audit.list({ limit: 5000 });
}

beforeAll(async () => {
  const hook = (name: string, clusters?: string[]) => ({ name, url: 'http://127.0.0.1:9/hook', ...(clusters ? { clusters } : {}) });
  const { dir, file } = await writeTestConfig({}, { webhooks: [hook('everywhere'), hook('staging-hook', ['staging']), hook('prod-hook', ['prod']), hook('both-hook', ['staging', 'prod'])] });
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
  const login = await call('auth/login', 'POST', { body: { name: 'ada', password: PASSWORDS.ada } });
  expect(login.status).toBe(200);
  const c = cookiesFrom(login);
  ada = { cookie: c.header, csrf: c.values.lvs_csrf ?? '' };
  const mint = async (body: unknown) => {
    const res = await call('admin/tokens', 'POST', { ...ada, body });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  staging = await mint({ name: 'staging-admin', role: 'admin', clusters: ['staging'] });
  await mint({ name: 'global-ci', role: 'operator' });
  await mint({ name: 'prod-ci', role: 'viewer', clusters: ['prod'] });
  await mint({ name: 'mixed-ci', role: 'viewer', clusters: ['staging', 'prod'] });
  for (const [name, clusters] of [['global-user', undefined], ['prod-user', ['prod']]] as const) {
    const res = await call('admin/users', 'POST', { ...ada, body: { name, password: 'a-long-password-1', role: 'operator', ...(clusters ? { clusters } : {}) } });
    expect(res.status).toBe(200);
  }
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('an admin limited to cluster staging', () => {
  it('cannot create an unrestricted token or one for another cluster (403, audited, nothing created)', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'esc-1', role: 'admin' }, /you are limited to cluster staging: a new token must be limited to some of them/],
      [{ name: 'esc-2', role: 'viewer', clusters: ['prod'] }, /you are limited to cluster staging: you cannot grant cluster prod/],
      [{ name: 'esc-3', role: 'operator', clusters: ['staging', 'prod'] }, /you cannot grant cluster prod/],
    ];
    for (const [body, why] of cases) {
      const res = await call('admin/tokens', 'POST', { bearer: staging, body });
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(await message(res)).toMatch(why);
    }
    const all = (await (await call('admin/tokens', 'GET', ada)).json()) as { tokens: { name: string }[] };
    expect(all.tokens.map((t) => t.name).filter((n) => n.startsWith('esc-'))).toEqual([]);
    const refused = (await auditRows()).filter((e) => e.action === 'token-create' && e.outcome === 'refused' && e.actor === 'token:staging-admin');
    expect(refused.map((e) => e.target).sort()).toEqual(['esc-1', 'esc-2', 'esc-3']);
  });

  it('cannot add an unrestricted user or one for another cluster', async () => {
    const base = { password: 'a-long-password-1', role: 'admin' };
    const none = await call('admin/users', 'POST', { bearer: staging, body: { ...base, name: 'esc-user-1' } });
    expect(none.status).toBe(403);
    expect(await message(none)).toMatch(/a new user must be limited to some of them \(set clusters\)/);
    const other = await call('admin/users', 'POST', { bearer: staging, body: { ...base, name: 'esc-user-2', clusters: ['prod'] } });
    expect(other.status).toBe(403);
    expect(await message(other)).toMatch(/you cannot grant cluster prod/);
    const users = (await (await call('admin/users', 'GET', ada)).json()) as { users: { name: string }[] };
    expect(users.users.map((u) => u.name)).not.toContain('esc-user-1');
    expect(users.users.map((u) => u.name)).not.toContain('esc-user-2');
  });

  it('sees only the accounts, tokens and webhooks limited to its clusters', async () => {
    const tokens = (await (await call('admin/tokens', 'GET', { bearer: staging })).json()) as { tokens: { name: string }[] };
    expect(tokens.tokens.map((t) => t.name)).toEqual(['staging-admin']);
    const users = (await (await call('admin/users', 'GET', { bearer: staging })).json()) as { users: { name: string }[] };
    // ada, otto, vera are unrestricted, sam is on "other": none is within staging.
    expect(users.users).toEqual([]);
    const hooks = (await (await call('admin/webhooks', 'GET', { bearer: staging })).json()) as { webhooks: { name: string }[] };
    expect(hooks.webhooks.map((w) => w.name)).toEqual(['staging-hook']);
    // An unrestricted admin still sees everything.
    const all = (await (await call('admin/tokens', 'GET', ada)).json()) as { tokens: { name: string }[] };
    expect(all.tokens.map((t) => t.name)).toEqual(expect.arrayContaining(['global-ci', 'prod-ci', 'mixed-ci', 'staging-admin']));
    const allHooks = (await (await call('admin/webhooks', 'GET', ada)).json()) as { webhooks: { name: string }[] };
    expect(allHooks.webhooks).toHaveLength(4);
  });

  it("cannot revoke or remove others' tokens and accounts", async () => {
    for (const name of ['global-ci', 'prod-ci', 'mixed-ci']) {
      const res = await call('admin/tokens/[name]', 'DELETE', { bearer: staging }, { name });
      expect(res.status, name).toBe(403);
      expect(await message(res)).toMatch(new RegExp(`you are limited to cluster staging: token ${name} is not limited to them`));
    }
    for (const name of ['global-user', 'prod-user', 'ada']) {
      const res = await call('admin/users/[name]', 'DELETE', { bearer: staging }, { name });
      expect(res.status, name).toBe(403);
      expect(await message(res)).toMatch(new RegExp(`user ${name} is not limited to them`));
    }
    const tokens = (await (await call('admin/tokens', 'GET', ada)).json()) as { tokens: { name: string; revokedAt: number | null }[] };
    expect(tokens.tokens.filter((t) => t.revokedAt !== null)).toEqual([]);
    const users = (await (await call('admin/users', 'GET', ada)).json()) as { users: { name: string }[] };
    expect(users.users.map((u) => u.name)).toEqual(expect.arrayContaining(['global-user', 'prod-user']));
    expect((await auditRows()).filter((e) => e.outcome === 'refused' && (e.action === 'token-revoke' || e.action === 'user-remove')).length).toBe(6);
  });

  it("manages its own cluster's tokens and accounts", async () => {
    const made = await call('admin/tokens', 'POST', { bearer: staging, body: { name: 'staging-ci', role: 'operator', clusters: ['staging'] } });
    expect(made.status, await made.clone().text()).toBe(200);
    const token = ((await made.json()) as { token: string }).token;
    expect(await (await call('me', 'GET', { bearer: token })).json()).toMatchObject({ name: 'token:staging-ci', role: 'operator', clusters: ['staging'] });
    const user = await call('admin/users', 'POST', { bearer: staging, body: { name: 'staging-op', password: 'a-long-password-1', role: 'operator', clusters: ['staging'] } });
    expect(user.status).toBe(200);
    const tokens = (await (await call('admin/tokens', 'GET', { bearer: staging })).json()) as { tokens: { name: string }[] };
    expect(tokens.tokens.map((t) => t.name)).toEqual(['staging-admin', 'staging-ci']);
    const users = (await (await call('admin/users', 'GET', { bearer: staging })).json()) as { users: { name: string }[] };
    expect(users.users.map((u) => u.name)).toEqual(['staging-op']);
    expect((await call('admin/tokens/[name]', 'DELETE', { bearer: staging }, { name: 'staging-ci' })).status).toBe(200);
    expect((await call('me', 'GET', { bearer: token })).status).toBe(401);
    expect((await call('admin/users/[name]', 'DELETE', { bearer: staging }, { name: 'staging-op' })).status).toBe(200);
    // A missing name is still 404, not 403.
    expect((await call('admin/tokens/[name]', 'DELETE', { bearer: staging }, { name: 'no-such-token' })).status).toBe(404);
  });
});
