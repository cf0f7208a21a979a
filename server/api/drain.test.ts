import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as drainRoute from '@/app/api/clusters/[cluster]/drain/route';
import * as intentsRoute from '@/app/api/clusters/[cluster]/intents/route';
import * as weightRoute from '@/app/api/clusters/[cluster]/weight/route';
import * as loginRoute from '@/app/api/auth/login/route';
import { cookiesFrom, PASSWORDS, request, writeTestConfig } from '@/server/testing/console-env';

// The drain routes in process, against a configuration whose one director never answers:
// validation (422 naming the field), unknown cluster (404), nothing to plan from yet (503).

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let dir = '';
let session = { cookie: '', csrf: '' };

const ROUTES: Record<string, Record<string, unknown>> = {
  'clusters/[cluster]/drain': drainRoute,
  'clusters/[cluster]/weight': weightRoute,
  'clusters/[cluster]/intents': intentsRoute,
  'auth/login': loginRoute,
};

function route(path: string, method: 'GET' | 'POST'): Promise<Handler> {
  const h = ROUTES[path]?.[method] as Handler | undefined;
  if (!h) throw new Error(`no ${method} ${path}`);
  return Promise.resolve(h);
}

async function post(path: string, cluster: string, body: unknown): Promise<Response> {
  const h = await route(path, 'POST');
  return h(request(`/api/${path.replace('[cluster]', cluster)}`, { method: 'POST', body, cookie: session.cookie, csrf: session.csrf }), { params: Promise.resolve({ cluster }) });
}

beforeAll(async () => {
  const cfg = await writeTestConfig();
  dir = cfg.dir;
  process.env.LVS_CONSOLE_CONFIG = cfg.file;
  const login = await route('auth/login', 'POST');
  const res = await login(request('/api/auth/login', { method: 'POST', body: { name: 'otto', password: PASSWORDS.otto } }), { params: Promise.resolve({}) });
  expect(res.status).toBe(200);
  const c = cookiesFrom(res);
  session = { cookie: c.header, csrf: c.values.lvs_csrf ?? '' };
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('drain API', () => {
  it('422 names the missing or bad field', async () => {
    const r = await post('clusters/[cluster]/drain', 'lab', { target: '192.0.2.11:80' });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/^reason: /);
    const w = await post('clusters/[cluster]/weight', 'lab', { target: '192.0.2.11:80', reason: 'x', weight: 70000 });
    expect(w.status).toBe(422);
    expect(((await w.json()) as { error: { message: string } }).error.message).toMatch(/^weight: /);
    const u = await post('clusters/[cluster]/drain', 'lab', { target: '192.0.2.11:80', reason: 'x', sudo: true });
    expect(((await u.json()) as { error: { message: string } }).error.message).toBe('unknown key sudo');
  });

  it('404 for an unknown cluster, 503 while no director has answered', async () => {
    expect((await post('clusters/[cluster]/drain', 'nope', { target: '192.0.2.11', reason: 'x' })).status).toBe(404);
    const r = await post('clusters/[cluster]/drain', 'lab', { target: '192.0.2.11', reason: 'x' });
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { message: string } }).error.message).toBe('no director of cluster lab has answered yet: nothing to plan from');
  });

  it('lists no intents on a fresh console', async () => {
    const h = await route('clusters/[cluster]/intents', 'GET');
    const r = await h(request('/api/clusters/lab/intents', { cookie: session.cookie }), { params: Promise.resolve({ cluster: 'lab' }) });
    expect(await r.json()).toEqual({ cluster: 'lab', intents: [] });
  });
});
