import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, writeTestConfig, type RequestInit2 } from '@/server/testing/console-env';

// Issue 14, item 14: users asserted by the trusted proxy get their role and clusters from their
// groups (auth.proxyAuth.groupsHeader + groups), through the same access checks as everyone else.

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const API_DIR = path.resolve(__dirname, '..');
const PROXY = '10.0.0.5';

async function call(route: string, method: 'GET' | 'POST', init: RequestInit2 = {}, params: Record<string, string> = {}): Promise<Response> {
  const mod = (await import(path.join(API_DIR, route, 'route.ts'))) as Partial<Record<string, RouteHandler>>;
  const h = mod[method];
  if (!h) throw new Error(`${route} has no ${method}`);
  const url = `/api/${route.replace(/\[(\w+)\]/g, (_m, k: string) => encodeURIComponent(params[k] ?? 'x'))}`;
  return h(request(url, { ...init, method }), { params: Promise.resolve(params) });
}

/** A request through the proxy for `user` in `groups`. */
const as = (user: string, groups: string, extra: Record<string, string> = {}, peer = PROXY): RequestInit2 => ({
  peer,
  headers: { 'x-forwarded-user': user, 'x-forwarded-groups': groups, 'x-forwarded-for': '198.51.100.9', ...extra },
});
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

let configDir = '';
beforeAll(async () => {
  const { dir, file } = await writeTestConfig({
    trustedProxies: [PROXY],
    proxyAuth: {
      groupsHeader: 'x-forwarded-groups',
      groups: {
        'lvs-lab-ops': { role: 'operator', clusters: ['lab'] },
        'lvs-staging-admins': { role: 'admin', clusters: ['staging'] },
        'lvs-viewers': { role: 'viewer' },
      },
    },
  });
  // A second cluster, so that "limited to lab" means something.
  const config = YAML.parse(fs.readFileSync(file, 'utf8')) as { clusters: { name: string }[] };
  const lab = config.clusters[0];
  if (!lab) throw new Error('no cluster in the test configuration');
  config.clusters.push({ ...lab, name: 'staging' });
  fs.writeFileSync(file, YAML.stringify(config));
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
});
afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('proxy users with groups', () => {
  it("a group's role is limited to its clusters", async () => {
    const me = await call('me', 'GET', as('pat', 'lvs-lab-ops'));
    expect(await me.json()).toEqual({ name: 'pat', role: 'operator', clusters: ['lab'], via: 'proxy' });
    expect((await call('clusters/[cluster]', 'GET', as('pat', 'lvs-lab-ops'), { cluster: 'lab' })).status).toBe(200);
    const other = await call('clusters/[cluster]', 'GET', as('pat', 'lvs-lab-ops'), { cluster: 'staging' });
    expect(other.status).toBe(403);
    expect(await message(other)).toMatch(/does not cover cluster staging/);
  });

  it('several groups: the highest role on its own clusters, not the lower role\'s wider reach', async () => {
    const me = await call('me', 'GET', as('ann', 'lvs-viewers, lvs-staging-admins'));
    expect(await me.json()).toEqual({ name: 'ann', role: 'admin', clusters: ['staging'], via: 'proxy' });
    // And that admin cannot mint an unrestricted token (item 1).
    const mint = await call('admin/tokens', 'POST', { ...as('ann', 'lvs-viewers,lvs-staging-admins'), body: { name: 'from-proxy', role: 'admin' } });
    expect(mint.status).toBe(403);
    expect(await message(mint)).toMatch(/limited to cluster staging/);
  });

  it('a role header is ignored when groups decide; a user in no mapped group is refused (403) with the reason', async () => {
    const me = await call('me', 'GET', as('pat', 'lvs-viewers', { 'x-forwarded-role': 'admin' }));
    expect(await me.json()).toMatchObject({ role: 'viewer', clusters: null });
    const none = await call('me', 'GET', as('mallory', 'marketing,sales'));
    expect(none.status).toBe(403);
    expect(await message(none)).toMatch(/mallory: the proxy user's groups marketing, sales grant no role on this console/);
  });

  it('the headers count only from the trusted proxy', async () => {
    expect((await call('me', 'GET', as('pat', 'lvs-staging-admins', {}, '192.0.2.99'))).status).toBe(401);
  });
});
