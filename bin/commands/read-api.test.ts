import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, PASSWORDS, request, writeTestConfig } from '@/server/testing/console-env';
import { READ_EXIT, runRead, type ReadDeps } from './read';

// lvsctl status / services / host / history against the real route handlers, in process: a fetch
// that hands each request to the app/api route it names (one unreachable test director).

let configDir = '';
let token = '';
const out: string[] = [];
const err: string[] = [];

const API_DIR = path.resolve(__dirname, '..', '..', 'app', 'api');
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function dispatch(url: string, init?: RequestInit): Promise<Response> {
  const u = new URL(url);
  const p = u.pathname.split('/').slice(2).map(decodeURIComponent);
  let route: string;
  let params: Record<string, string> = {};
  if (p.length === 1 && p[0] === 'clusters') route = 'clusters';
  else if (p[0] === 'clusters' && p.length === 2) [route, params] = ['clusters/[cluster]', { cluster: p[1] ?? '' }];
  else if (p[0] === 'clusters' && p[2] === 'history') [route, params] = ['clusters/[cluster]/history', { cluster: p[1] ?? '' }];
  else if (p[0] === 'hosts') [route, params] = ['hosts/[address]', { address: p[1] ?? '' }];
  else return new Response('{}', { status: 404 });
  const mod = (await import(path.join(API_DIR, route, 'route.ts'))) as { GET?: Handler };
  const headers = new Headers(init?.headers);
  const req = request(`${u.pathname}${u.search}`, { bearer: headers.get('authorization')?.replace(/^Bearer /, '') ?? '' });
  const h = mod.GET;
  if (!h) throw new Error(`no GET for ${u.pathname}`);
  return h(req, { params: Promise.resolve(params) });
}

const deps = (tok: string): ReadDeps => ({
  fetch: (input, init) => dispatch(input instanceof Request ? input.url : input.toString(), init),
  env: { LVS_CONSOLE_URL: 'http://127.0.0.1:3999', LVS_CONSOLE_TOKEN: tok },
  readFile: () => '',
  now: () => Date.now(),
  timeZone: 'UTC',
  out: (s) => void out.push(s),
  err: (s) => void err.push(s),
});

beforeAll(async () => {
  const { dir, file } = await writeTestConfig();
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
  const { POST: login } = await import('@/app/api/auth/login/route');
  const res = await login(request('/api/auth/login', { method: 'POST', body: { name: 'ada', password: PASSWORDS.ada } }), { params: Promise.resolve({}) });
  const c = cookiesFrom(res);
  const { POST: create } = await import('@/app/api/admin/tokens/route');
  const made = await create(request('/api/admin/tokens', { method: 'POST', cookie: c.header, csrf: c.values.lvs_csrf ?? '', body: { name: 'cli', role: 'viewer' } }), { params: Promise.resolve({}) });
  token = ((await made.json()) as { token: string }).token;
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('lvsctl read commands against the real API (in process)', () => {
  it('status: the test cluster has no reachable director, so no master: exit 1, JSON says why', async () => {
    out.length = 0;
    expect(await runRead('status', ['--json'], deps(token))).toBe(READ_EXIT.unhealthy);
    const s = JSON.parse(out.join('\n')) as { version: number; healthy: boolean; clusters: { name: string; healthy: boolean; reasons: string[]; directors: { live: boolean }[] }[] };
    expect(s).toMatchObject({ version: 1, healthy: false, clusters: [{ name: 'lab', healthy: false, directors: [{ live: false }] }] });
    expect(s.clusters[0]?.reasons.length).toBeGreaterThan(0);
  });

  it('services, host and history answer and parse; a bad token is refused (exit 5)', async () => {
    expect(await runRead('services', ['--cluster', 'lab', '--json'], deps(token))).toBe(READ_EXIT.ok);
    expect(await runRead('host', ['192.0.2.11'], deps(token))).toBe(READ_EXIT.ok);
    expect(out.at(-1)).toBe('192.0.2.11: not a real server in any cluster');
    expect(await runRead('history', ['--cluster', 'lab', '--service', 'TCP 192.0.2.100:80'], deps(token))).toBe(READ_EXIT.ok);
    expect(out.at(-1)).toMatch(/^lab TCP 192\.0\.2\.100:80, .*: no samples$/);
    expect(await runRead('services', ['--cluster', 'nope'], deps(token))).toBe(READ_EXIT.usage);
    expect(err.at(-1)).toBe('lvsctl services: no cluster named "nope" is configured');
    expect(await runRead('host', ['not-an-ip'], deps(token))).toBe(READ_EXIT.usage);
    expect(await runRead('status', [], deps('lvs_wrong'))).toBe(READ_EXIT.denied);
  });
});
