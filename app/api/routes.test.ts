import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cookiesFrom, PASSWORDS, request, SECRET_PASSPHRASE, writeTestConfig } from '@/server/testing/console-env';
import { peerStamp } from '@/server/auth/peer-stamp.mjs';

// Every API route, in process, against a temporary configuration (one unreachable dummy director,
// known accounts): each declares its role, the table below says which, and state-changing routes
// refuse anonymous callers and viewers, with the refusal in the audit log.

type Level = 'public' | 'viewer' | 'operator' | 'admin';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The required role of every route (path under app/api). A new route must be added here, deliberately. */
const EXPECTED: Record<string, Partial<Record<(typeof METHODS)[number], Level>>> = {
  health: { GET: 'public' },
  consoles: { GET: 'viewer' },
  'auth/login': { POST: 'public' },
  'auth/logout': { POST: 'viewer' },
  me: { GET: 'viewer' },
  audit: { GET: 'viewer' },
  clusters: { GET: 'viewer' },
  'clusters/[cluster]': { GET: 'viewer' },
  'clusters/[cluster]/events': { GET: 'viewer' },
  'clusters/[cluster]/history': { GET: 'viewer' },
  events: { GET: 'viewer' },
  'hosts/[address]': { GET: 'viewer' },
  search: { GET: 'viewer' },
  'clusters/[cluster]/drain': { POST: 'operator' },
  'clusters/[cluster]/drain/plan': { GET: 'viewer' },
  'clusters/[cluster]/drain/progress': { GET: 'viewer' },
  'clusters/[cluster]/restore': { POST: 'operator' },
  'clusters/[cluster]/weight': { POST: 'operator' },
  'clusters/[cluster]/intents': { GET: 'viewer' },
  'clusters/[cluster]/maintenance': { GET: 'viewer' },
  // The pre-flight (GET) reads two directors' connection tables: operators only, like the actions.
  'clusters/[cluster]/directors/[director]/maintenance': { GET: 'operator', POST: 'operator', DELETE: 'operator' },
  'clusters/[cluster]/diagnostics': { GET: 'viewer' },
  'clusters/[cluster]/haproxy': { GET: 'viewer', POST: 'operator' },
  'clusters/[cluster]/haproxy/holds': { GET: 'viewer' },
  'clusters/[cluster]/rollouts': { GET: 'viewer', POST: 'operator' },
  'clusters/[cluster]/rollouts/[id]': { GET: 'viewer', POST: 'operator' },
  // No account: the rollout's own callback secret (X-Rollout-Secret), checked by the rollout service.
  'clusters/[cluster]/rollouts/[id]/callback': { POST: 'public' },
  'admin/users': { GET: 'admin', POST: 'admin' },
  'admin/users/[name]': { DELETE: 'admin' },
  'admin/tokens': { GET: 'admin', POST: 'admin' },
  'admin/tokens/[name]': { DELETE: 'admin' },
  'admin/webhooks': { GET: 'admin' },
  'openapi.json': { GET: 'viewer' },
};

/**
 * Route files outside app/api (path under app/), each with its role and whether it has its own
 * `grant` (an access rule besides the role). Deliberate, like EXPECTED.
 */
const OUTSIDE_API: Record<string, { GET: Level; grant: string }> = {
  // Prometheus expects /metrics at the root. Viewer+ as usual, and also without a login for the
  // configured scrape token or an allowed source address (app/metrics/route.test.ts).
  metrics: { GET: 'viewer', grant: 'metrics.token (Bearer) or metrics.allow (source address)' },
};

/** State-changing handlers allowed below operator, and why. */
const BELOW_OPERATOR: Record<string, string> = {
  'POST auth/login': 'public: it is how one logs in (same-origin check and rate limit instead)',
  'POST auth/logout': 'viewer: anyone logged in may end their own session',
  'POST clusters/[cluster]/rollouts/[id]/callback': "public: a pipeline's \"maintenance done\" with the rollout's own secret (256 bits, hash stored, compared in constant time); a wrong one is audited and changes nothing",
};

interface Access {
  role: Level;
  cluster?: (p: Record<string, string>) => string;
}
type RouteHandler = ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { access?: Access };

const API_DIR = __dirname;

function routeFiles(): string[] {
  return fs
    .readdirSync(API_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f === 'route.ts' || f.endsWith(`${path.sep}route.ts`))
    .map((f) => path.dirname(f).split(path.sep).join('/'))
    .sort();
}

async function loadRoute(route: string): Promise<Partial<Record<(typeof METHODS)[number], RouteHandler>>> {
  return (await import(path.join(API_DIR, route, 'route.ts'))) as Partial<Record<(typeof METHODS)[number], RouteHandler>>;
}

/** Route params for a route path: [cluster] -> lab, anything else -> x. */
function paramsOf(route: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of route.matchAll(/\[(\w+)\]/g)) if (m[1]) params[m[1]] = m[1] === 'cluster' ? 'lab' : m[1] === 'address' ? '192.0.2.11' : 'x';
  return params;
}

function urlOf(route: string): string {
  const p = paramsOf(route);
  return `/api/${route.replace(/\[(\w+)\]/g, (_m, k: string) => encodeURIComponent(p[k] ?? 'x'))}`;
}

async function call(route: string, method: (typeof METHODS)[number], init: Parameters<typeof request>[1] = {}): Promise<Response> {
  const mod = await loadRoute(route);
  const h = mod[method];
  if (!h) throw new Error(`${route} has no ${method}`);
  return h(request(urlOf(route), { ...init, method }), { params: Promise.resolve(paramsOf(route)) });
}

async function loginAs(name: keyof typeof PASSWORDS, extra: Parameters<typeof request>[1] = {}): Promise<{ cookie: string; csrf: string; res: Response }> {
  const res = await call('auth/login', 'POST', { body: { name, password: PASSWORDS[name] }, ...extra });
  expect(res.status, await res.clone().text()).toBe(200);
  const c = cookiesFrom(res);
  return { cookie: c.header, csrf: c.values.lvs_csrf ?? '', res };
}

async function auditEntries() {
  const { getRuntime } = await import('@/server/runtime');
  return getRuntime().audit.list({ limit: 5000 });
}

/** Refusals are counted per source and minute (server/audit/refusals.ts): write the counts, then add them up. */
async function refusalsIn(filter: (e: Awaited<ReturnType<typeof auditEntries>>[number]) => boolean): Promise<number> {
  const { getRuntime } = await import('@/server/runtime');
  getRuntime().audit.refusals.flush();
  return (await auditEntries()).filter((e) => e.outcome === 'refused' && filter(e)).reduce((n, e) => n + ((e.detail as { count?: number } | null)?.count ?? 1), 0);
}

let configDir = '';

beforeAll(async () => {
  const { dir, file } = await writeTestConfig({
    trustedProxies: ['10.0.0.5'],
    proxyAuth: { userHeader: 'x-forwarded-user', roleHeader: 'x-forwarded-role' },
  });
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('route table', () => {
  it('every route file exports only handlers made by handle(), with the role the table expects', async () => {
    const found: Record<string, Record<string, Level>> = {};
    for (const route of routeFiles()) {
      const mod = (await loadRoute(route)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (!(METHODS as readonly string[]).includes(name)) continue;
        const access = (value as RouteHandler).access;
        expect(access, `${name} /api/${route} has no access declaration: wrap it in handle({ role }, ...)`).toBeDefined();
        expect(['public', 'viewer', 'operator', 'admin'], `${name} /api/${route}`).toContain(access?.role);
        (found[route] ??= {})[name] = access?.role ?? 'public';
      }
    }
    expect(found, 'a route was added, removed or changed role: update EXPECTED in app/api/routes.test.ts deliberately').toEqual(EXPECTED);
  }, 60_000); // imports every route module: slow on a busy 2-core machine (a time-out, not a timed assertion)

  it('route files outside app/api are exactly OUTSIDE_API: GET only, with their role and grant', async () => {
    const appDir = path.dirname(API_DIR);
    const outside = fs
      .readdirSync(appDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => (f === 'route.ts' || f.endsWith(`${path.sep}route.ts`)) && !f.startsWith(`api${path.sep}`))
      .map((f) => path.dirname(f).split(path.sep).join('/'))
      .sort();
    expect(outside, 'a route outside app/api was added or removed: update OUTSIDE_API deliberately').toEqual(Object.keys(OUTSIDE_API).sort());
    for (const route of outside) {
      const mod = (await import(path.join(appDir, route, 'route.ts'))) as Record<string, unknown>;
      const methods = Object.keys(mod).filter((k) => (METHODS as readonly string[]).includes(k));
      expect(methods, `/${route} exports only GET`).toEqual(['GET']);
      const access = (mod.GET as RouteHandler & { access?: Access & { grant?: unknown } }).access;
      expect(access?.role, `/${route}`).toBe(OUTSIDE_API[route]?.GET);
      expect(typeof access?.grant, `/${route} has its own grant`).toBe('function');
    }
  });

  it('every state-changing handler needs at least operator, except the listed few', async () => {
    for (const route of routeFiles()) {
      const mod = await loadRoute(route);
      for (const m of METHODS) {
        const h = mod[m];
        if (!h || m === 'GET' || m === 'HEAD' || m === 'OPTIONS') continue;
        const role = h.access?.role;
        if (role === 'operator' || role === 'admin') continue;
        expect(BELOW_OPERATOR[`${m} ${route}`], `${m} /api/${route} is state-changing but needs only ${role}`).toBeDefined();
      }
    }
  });
});

describe('refusals', () => {
  it('every state-changing route refuses anonymous callers (401) and viewers (403), and audits each refusal', async () => {
    const viewer = await loginAs('vera');
    let refusals = 0;
    for (const route of routeFiles()) {
      const mod = await loadRoute(route);
      for (const m of METHODS) {
        const h = mod[m];
        if (!h || m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || h.access?.role === 'public') continue;
        const anon = await call(route, m, { body: {} });
        expect(anon.status, `anonymous ${m} /api/${route}`).toBe(401);
        refusals++;
        if (h.access?.role === 'viewer') continue;
        const asViewer = await call(route, m, { body: {}, cookie: viewer.cookie, csrf: viewer.csrf });
        expect(asViewer.status, `viewer ${m} /api/${route}`).toBe(403);
        expect(((await asViewer.json()) as { error: { message: string } }).error.message).toMatch(/needs the (operator|admin) role; you are viewer/);
        refusals++;
      }
    }
    expect(refusals).toBeGreaterThanOrEqual(5);
    expect(await refusalsIn((e) => e.action !== 'login')).toBeGreaterThanOrEqual(refusals);
    const refused = (await auditEntries()).filter((e) => e.outcome === 'refused' && e.action !== 'login');
    expect(refused.some((e) => e.actor === 'anonymous' && e.action === 'POST /api/admin/users' && e.source === '127.0.0.1')).toBe(true);
    expect(refused.some((e) => e.actor === 'vera' && e.role === 'viewer' && e.action === 'DELETE /api/admin/tokens/x')).toBe(true);
  });

  it('read routes refuse anonymous callers too; only /api/health is public', async () => {
    for (const route of routeFiles()) {
      const mod = await loadRoute(route);
      if (!mod.GET) continue;
      const res = await call(route, 'GET');
      if (route === 'health') {
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ ok: true, store: 'reachable' });
      } else expect(res.status, `anonymous GET /api/${route}`).toBe(401);
    }
  });

  it('a role scoped to other clusters is refused on this one', async () => {
    const sam = await loginAs('sam');
    expect((await call('clusters/[cluster]', 'GET', { cookie: sam.cookie })).status).toBe(403);
    const me = (await (await call('me', 'GET', { cookie: sam.cookie })).json()) as { clusters: string[] };
    expect(me.clusters).toEqual(['other']);
    // Cross-cluster reads are cut to the role's clusters.
    const list = (await (await call('clusters', 'GET', { cookie: sam.cookie })).json()) as { clusters: { name: string }[] };
    expect(list.clusters).toEqual([]);
    expect((await call('events', 'GET', { cookie: sam.cookie })).status).toBe(403);
    const otto = await loginAs('otto');
    const all = (await (await call('clusters', 'GET', { cookie: otto.cookie })).json()) as { clusters: { name: string }[] };
    expect(all.clusters.map((c) => c.name)).toEqual(['lab']);
  });
});

describe('login and sessions', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie (Secure only over HTTPS) and a readable CSRF cookie', async () => {
    const { res, cookie } = await loginAs('otto');
    const raw = cookiesFrom(res).raw;
    const session = raw.find((c) => c.startsWith('lvs_session='));
    const csrf = raw.find((c) => c.startsWith('lvs_csrf='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=strict/i);
    expect(session).not.toMatch(/Secure/i);
    expect(csrf).not.toMatch(/HttpOnly/i);
    const me = await call('me', 'GET', { cookie });
    expect(await me.json()).toEqual({ name: 'otto', role: 'operator', clusters: null, via: 'session' });
    // Behind a trusted proxy that terminated TLS: Secure, and so named __Host- (app/api/auth/host-cookies.test.ts).
    const viaProxy = await call('auth/login', 'POST', { body: { name: 'otto', password: PASSWORDS.otto }, peer: '10.0.0.5', headers: { 'x-forwarded-proto': 'https' } });
    expect(cookiesFrom(viaProxy).raw.find((c) => c.startsWith('__Host-lvs_session='))).toMatch(/Secure/);
    // The same header from anyone else does not make it Secure (nor anything else).
    const spoofed = await call('auth/login', 'POST', { body: { name: 'otto', password: PASSWORDS.otto }, peer: '192.0.2.50', headers: { 'x-forwarded-proto': 'https' } });
    expect(cookiesFrom(spoofed).raw.find((c) => c.startsWith('lvs_session='))).not.toMatch(/Secure/);
  });

  it('a wrong password and an unknown user get the same answer', async () => {
    const a = await call('auth/login', 'POST', { body: { name: 'ada', password: 'nope' }, peer: '192.0.2.60' });
    const b = await call('auth/login', 'POST', { body: { name: 'nobody', password: 'nope' }, peer: '192.0.2.61' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(await a.json()).toEqual(await b.json());
    expect(cookiesFrom(a).raw).toEqual([]);
  });

  it('rate-limits failed logins per address and per user name, even a right password afterwards', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call('auth/login', 'POST', { body: { name: 'vera', password: `wrong${i}` }, peer: '192.0.2.70' })).status).toBe(401);
    }
    const limited = await call('auth/login', 'POST', { body: { name: 'vera', password: PASSWORDS.vera }, peer: '192.0.2.70' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(/too many failed logins/);
    // Same user from elsewhere: refused too (per user name)...
    expect((await call('auth/login', 'POST', { body: { name: 'vera', password: PASSWORDS.vera }, peer: '192.0.2.71' })).status).toBe(429);
    // ...and another user from that address (per address).
    expect((await call('auth/login', 'POST', { body: { name: 'otto', password: PASSWORDS.otto }, peer: '192.0.2.70' })).status).toBe(429);
    expect(await refusalsIn((e) => e.action === 'login' && e.source === '192.0.2.70')).toBeGreaterThanOrEqual(7);
    // Let the window pass.
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect((await call('auth/login', 'POST', { body: { name: 'vera', password: PASSWORDS.vera }, peer: '192.0.2.70' })).status).toBe(200);
  });

  it('refuses a session past its idle expiry, and one past its absolute expiry', async () => {
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    const idle = await loginAs('otto');
    clock.mockReturnValue(start + 59 * 60_000);
    expect((await call('me', 'GET', { cookie: idle.cookie })).status).toBe(200);
    clock.mockReturnValue(start + 59 * 60_000 + 60 * 60_000);
    expect((await call('me', 'GET', { cookie: idle.cookie })).status).toBe(401);

    clock.mockReturnValue(start);
    const busy = await loginAs('otto');
    let t = start;
    while (t + 50 * 60_000 < start + 12 * 3_600_000) {
      t += 50 * 60_000;
      clock.mockReturnValue(t);
      expect((await call('me', 'GET', { cookie: busy.cookie })).status).toBe(200);
    }
    clock.mockReturnValue(start + 12 * 3_600_000);
    const expired = await call('me', 'GET', { cookie: busy.cookie });
    expect(expired.status).toBe(401);
  });

  it('logout ends the session and clears the cookies', async () => {
    const s = await loginAs('vera');
    const out = await call('auth/logout', 'POST', { cookie: s.cookie, csrf: s.csrf });
    expect(out.status).toBe(200);
    expect(cookiesFrom(out).raw.every((c) => /Max-Age=0/i.test(c))).toBe(true);
    expect((await call('me', 'GET', { cookie: s.cookie })).status).toBe(401);
    expect((await auditEntries()).some((e) => e.action === 'logout' && e.actor === 'vera')).toBe(true);
  });
});

describe('cluster scope, driven by the route table', () => {
  /** Requests that would get past validation: without the scope check they do not answer 403. */
  const QUERY: Record<string, string> = {
    'clusters/[cluster]/history': 'service=TCP%20192.0.2.100%3A80',
    'clusters/[cluster]/drain/plan': 'target=192.0.2.11',
    'clusters/[cluster]/drain/progress': 'target=192.0.2.11',
  };
  const BODY: Record<string, unknown> = {
    'clusters/[cluster]/drain': { target: '192.0.2.11', reason: 'scope test', dryRun: true },
    'clusters/[cluster]/weight': { target: '192.0.2.11', weight: 5, reason: 'scope test', dryRun: true },
    'clusters/[cluster]/restore': { target: '192.0.2.11', dryRun: true },
    'clusters/[cluster]/haproxy': { action: 'drain', backend: 'web', server: 's1', reason: 'scope test' },
    'clusters/[cluster]/directors/[director]/maintenance': { reason: 'scope test', dryRun: true },
    'clusters/[cluster]/rollouts': { hosts: ['192.0.2.11'], reason: 'scope test', dryRun: true },
    'clusters/[cluster]/rollouts/[id]': { action: 'pause', reason: 'scope test' },
  };

  it('every route whose path names a cluster, every method: an actor scoped to another cluster gets 403, and nothing changes', async () => {
    const sam = await loginAs('sam'); // operator, clusters: [other]
    const { getRuntime } = await import('@/server/runtime');
    const tested: string[] = [];
    for (const route of routeFiles().filter((r) => r.includes('[cluster]'))) {
      const mod = await loadRoute(route);
      for (const m of METHODS) {
        const h = mod[m];
        if (!h) continue;
        // A public route has no actor to scope: the rollout callback's secret names one rollout of one cluster.
        if (h.access?.role === 'public') {
          expect(`${m} ${route}`).toBe('POST clusters/[cluster]/rollouts/[id]/callback');
          continue;
        }
        expect(h.access?.cluster?.({ cluster: 'zz' }), `${m} /api/${route} declares cluster: (p) => p.cluster in handle()`).toBe('zz');
        const url = `${urlOf(route)}${QUERY[route] ? `?${QUERY[route]}` : ''}`;
        const init = { cookie: sam.cookie, csrf: sam.csrf, method: m, ...(m === 'GET' ? {} : { body: BODY[route] ?? {} }) };
        const res = await h(request(url, init), { params: Promise.resolve(paramsOf(route)) });
        expect(res.status, `${m} /api/${route} as an operator of cluster "other" only`).toBe(403);
        expect(((await res.json()) as { error: { message: string } }).error.message, `${m} /api/${route}`).toBe('your operator role does not cover cluster lab');
        tested.push(`${m} ${route}`);
      }
    }
    // The table drives it; these must be among what it drove (the state-changing ones above all).
    expect(tested).toEqual(
      expect.arrayContaining([
        'GET clusters/[cluster]', 'POST clusters/[cluster]/drain', 'POST clusters/[cluster]/restore', 'POST clusters/[cluster]/weight',
        'GET clusters/[cluster]/haproxy', 'POST clusters/[cluster]/haproxy', 'GET clusters/[cluster]/haproxy/holds', 'GET clusters/[cluster]/history', 'GET clusters/[cluster]/intents',
        'GET clusters/[cluster]/drain/plan', 'GET clusters/[cluster]/drain/progress', 'GET clusters/[cluster]/diagnostics', 'GET clusters/[cluster]/events',
        'GET clusters/[cluster]/maintenance', 'GET clusters/[cluster]/directors/[director]/maintenance', 'POST clusters/[cluster]/directors/[director]/maintenance',
        'DELETE clusters/[cluster]/directors/[director]/maintenance',
        'GET clusters/[cluster]/rollouts', 'POST clusters/[cluster]/rollouts', 'GET clusters/[cluster]/rollouts/[id]', 'POST clusters/[cluster]/rollouts/[id]',
      ]),
    );
    expect(getRuntime().drain.service.intents('lab', true).intents.filter((i) => i.reason === 'scope test')).toEqual([]);
  });

  it('routes that span clusters show a scoped actor nothing of the others: hosts, audit (?cluster= of another: 403), events', async () => {
    const { getRuntime } = await import('@/server/runtime');
    const rt = getRuntime();
    const sam = await loginAs('sam');
    const otto = await loginAs('otto');
    // A real server of cluster lab (the test director never answers, so the snapshot is made up) and an audit row of lab.
    const snapshot = { name: 'lab', services: [{ key: 'TCP 192.0.2.100:80', activeDirector: 'd1', realServers: [{ address: '192.0.2.11', port: 80, weight: 1 }] }] };
    vi.spyOn(rt.collector, 'snapshots').mockReturnValue([snapshot] as unknown as ReturnType<typeof rt.collector.snapshots>);
    rt.audit.append({ actor: 'otto', role: 'operator', source: '127.0.0.1', action: 'drain', cluster: 'lab', target: '192.0.2.11', outcome: 'ok', detail: { message: 'scope test' } });

    const host = async (cookie: string) => ((await (await call('hosts/[address]', 'GET', { cookie })).json()) as { entries: { cluster: string }[] }).entries;
    expect((await host(otto.cookie)).map((e) => e.cluster)).toEqual(['lab']);
    expect(await host(sam.cookie)).toEqual([]);

    const audit = async (cookie: string, query: string) => {
      const h = (await loadRoute('audit')).GET;
      const res = await h?.(request(`/api/audit${query}`, { cookie }), { params: Promise.resolve({}) });
      expect(res?.status).toBe(200);
      return ((await res?.json()) as { entries: { cluster: string | null }[] }).entries;
    };
    expect((await audit(otto.cookie, '?cluster=lab')).length).toBeGreaterThan(0);
    const foreign = await (await loadRoute('audit')).GET?.(request('/api/audit?cluster=lab', { cookie: sam.cookie }), { params: Promise.resolve({}) });
    expect(foreign?.status).toBe(403);
    expect((await audit(sam.cookie, '')).filter((e) => e.cluster !== 'other')).toEqual([]);

    expect((await call('events', 'GET', { cookie: otto.cookie })).status).toBe(200);
    expect((await call('events', 'GET', { cookie: sam.cookie })).status).toBe(403);

    // The top bar's search: the same real server for otto (lab), nothing of lab for sam (other only).
    vi.spyOn(rt.collector, 'lastSnapshot').mockImplementation((name) =>
      name === 'lab' ? ({ name: 'lab', directors: [], services: [{ key: 'TCP 192.0.2.100:80', realServers: [{ key: '192.0.2.11:80', address: '192.0.2.11', port: 80 }] }] } as unknown as ReturnType<typeof rt.collector.lastSnapshot>) : undefined,
    );
    const find = async (cookie: string, q: string) => {
      const res = await (await loadRoute('search')).GET?.(request(`/api/search?q=${encodeURIComponent(q)}`, { cookie }), { params: Promise.resolve({}) });
      return { status: res?.status, body: (await res?.json()) as { hits?: { kind: string; cluster: string }[]; error?: { message: string } } };
    };
    const mine = await find(otto.cookie, '192.0.2.11');
    expect(mine.status).toBe(200);
    expect(mine.body.hits?.map((h) => `${h.kind} ${h.cluster}`)).toEqual(['host lab', 'real-server lab']);
    expect((await find(sam.cookie, '192.0.2.11')).body.hits).toEqual([]);
    expect((await find(sam.cookie, 'lab')).body.hits).toEqual([]);
    const bad = await find(otto.cookie, 'x'.repeat(101));
    expect(bad.status).toBe(422);
    expect(bad.body.error?.message).toMatch(/q: at most 100/);
  });
});

describe('request bodies', () => {
  const MIB = 'x'.repeat(1024 * 1024);

  it('a 1 MiB body to login gets 413, sets no cookie, audits and counts nothing', async () => {
    const before = (await auditEntries()).length;
    for (const headers of [{}, { 'content-length': String(1024 * 1024 + 40) }] as Record<string, string>[]) {
      // More than the 5 failures that would rate-limit this address, had they counted.
      for (let i = 0; i < 6; i++) {
        const res = await call('auth/login', 'POST', { body: { name: 'otto', password: PASSWORDS.otto, pad: MIB }, peer: '192.0.2.80', headers });
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual({ error: { code: 'too-large', message: 'request body too large: at most 8192 bytes (8 KiB)' } });
        expect(cookiesFrom(res).raw).toEqual([]);
      }
    }
    expect((await auditEntries()).length).toBe(before);
    expect((await call('auth/login', 'POST', { body: { name: 'otto', password: PASSWORDS.otto }, peer: '192.0.2.80' })).status).toBe(200);
  });

  it('a 1 MiB body to drain gets 413 and changes nothing', async () => {
    const otto = await loginAs('otto');
    const { getRuntime } = await import('@/server/runtime');
    const before = (await auditEntries()).length;
    for (const headers of [{}, { 'content-length': String(1024 * 1024 + 60) }] as Record<string, string>[]) {
      const res = await call('clusters/[cluster]/drain', 'POST', { cookie: otto.cookie, csrf: otto.csrf, body: { target: '192.0.2.11', reason: MIB }, headers });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe('request body too large: at most 65536 bytes (64 KiB)');
    }
    expect(getRuntime().drain.service.intents('lab', true).intents).toEqual([]);
    expect((await auditEntries()).length).toBe(before);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated state change without the CSRF token, with a wrong one, or from another origin', async () => {
    const ada = await loginAs('ada');
    const body = { name: 'csrf-victim', role: 'viewer' };
    const cases: [string, Parameters<typeof request>[1], RegExp][] = [
      ['no token', { cookie: ada.cookie }, /CSRF token missing/],
      ['wrong token', { cookie: ada.cookie, csrf: 'x'.repeat(43) }, /CSRF token does not match/],
      ['other origin', { cookie: ada.cookie, csrf: ada.csrf, origin: 'https://evil.example' }, /cross-origin request refused/],
      ['no origin', { cookie: ada.cookie, csrf: ada.csrf, origin: null }, /no Origin or Sec-Fetch-Site/],
      ['cross-site fetch', { cookie: ada.cookie, csrf: ada.csrf, headers: { 'sec-fetch-site': 'cross-site' } }, /Sec-Fetch-Site: cross-site/],
    ];
    for (const [what, init, message] of cases) {
      const res = await call('admin/tokens', 'POST', { ...init, body });
      expect(res.status, what).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message, what).toMatch(message);
    }
    expect(await refusalsIn((e) => e.action === 'POST /api/admin/tokens' && e.actor === 'ada')).toBeGreaterThanOrEqual(cases.length);
    // Nothing was created.
    const list = (await (await call('admin/tokens', 'GET', { cookie: ada.cookie })).json()) as { tokens: { name: string }[] };
    expect(list.tokens.map((t) => t.name)).not.toContain('csrf-victim');
    // With token and same origin: done.
    expect((await call('admin/tokens', 'POST', { cookie: ada.cookie, csrf: ada.csrf, body })).status).toBe(200);
  });

  it('refuses a cross-origin login', async () => {
    const res = await call('auth/login', 'POST', { body: { name: 'ada', password: PASSWORDS.ada }, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });
});

describe('API tokens', () => {
  it('create (secret shown once), use as Bearer without CSRF, listed without secret, revoke', async () => {
    const ada = await loginAs('ada');
    const created = await call('admin/tokens', 'POST', { cookie: ada.cookie, csrf: ada.csrf, body: { name: 'automation', role: 'admin' } });
    expect(created.status).toBe(200);
    const { token } = (await created.json()) as { token: string };
    expect(token).toMatch(/^lvs_[A-Za-z0-9_-]{40,}$/);

    const me = await call('me', 'GET', { bearer: token });
    expect(await me.json()).toEqual({ name: 'token:automation', role: 'admin', clusters: null, via: 'token' });
    // No ambient credentials: no CSRF token, no Origin needed.
    const add = await call('admin/users', 'POST', { bearer: token, origin: null, body: { name: 'newbie', password: 'a-long-password-1', role: 'viewer' } });
    expect(add.status, await add.clone().text()).toBe(200);

    const listText = await (await call('admin/tokens', 'GET', { bearer: token })).text();
    expect(listText).not.toContain(token);
    expect(listText).toMatch(/"lastUsedAt":\d+/);

    const revoke = await (await loadRoute('admin/tokens/[name]')).DELETE?.(request('/api/admin/tokens/automation', { method: 'DELETE', cookie: ada.cookie, csrf: ada.csrf }), {
      params: Promise.resolve({ name: 'automation' }),
    });
    expect(revoke?.status).toBe(200);
    expect((await call('me', 'GET', { bearer: token })).status).toBe(401);
    // A made-up token is nobody, and does not fall back to the cookie.
    expect((await call('me', 'GET', { bearer: 'lvs_madeup', cookie: ada.cookie })).status).toBe(401);
    const actions = (await auditEntries()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['token-create', 'token-revoke', 'user-add']));
  });

  it('a new database user can log in; admin can remove it', async () => {
    const ada = await loginAs('ada');
    const login = await call('auth/login', 'POST', { body: { name: 'newbie', password: 'a-long-password-1' } });
    expect(login.status).toBe(200);
    const del = await (await loadRoute('admin/users/[name]')).DELETE?.(request('/api/admin/users/newbie', { method: 'DELETE', cookie: ada.cookie, csrf: ada.csrf }), {
      params: Promise.resolve({ name: 'newbie' }),
    });
    expect(del?.status).toBe(200);
    expect((await call('me', 'GET', { cookie: cookiesFrom(login).header })).status).toBe(401);
  });
});

describe('trusted proxy', () => {
  it('believes the user header only from a trusted proxy address', async () => {
    const headers = { 'x-forwarded-user': 'pat', 'x-forwarded-role': 'operator', 'x-forwarded-for': '198.51.100.7' };
    const trusted = await call('me', 'GET', { peer: '10.0.0.5', headers });
    expect(await trusted.json()).toEqual({ name: 'pat', role: 'operator', clusters: null, via: 'proxy' });
    expect((await call('me', 'GET', { peer: '192.0.2.99', headers })).status).toBe(401);
    expect((await call('me', 'GET', { peer: '::ffff:10.0.0.5', headers: { 'x-forwarded-user': 'pat' } })).status).toBe(200);
    // The client address behind the proxy is what the audit log records.
    await call('admin/users', 'POST', { peer: '10.0.0.5', headers, body: {} });
    const last = (await auditEntries())[0];
    expect(last).toMatchObject({ actor: 'pat', role: 'operator', source: '198.51.100.7', outcome: 'refused' });
  });

  it("a forged peer address (no launcher stamp, or a wrong one) is 'unknown': no trusted proxy, no proxy user", async () => {
    const headers = { 'x-forwarded-user': 'pat', 'x-forwarded-role': 'admin', 'x-forwarded-for': '198.51.100.8' };
    const forged: Record<string, string>[] = [
      { 'x-lvs-peer': '10.0.0.5' },
      { 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('10.0.0.5', randomBytes(32)) },
      { 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('127.0.0.1') },
    ];
    for (const f of forged) {
      expect((await call('me', 'GET', { peer: null, headers: { ...headers, ...f } })).status, JSON.stringify(f)).toBe(401);
      // Refusals name the peer as unknown, not the claimed address or the forwarded one.
      await call('admin/users', 'POST', { peer: null, headers: { ...headers, ...f }, body: {} });
      expect((await auditEntries())[0]).toMatchObject({ actor: 'anonymous', source: 'unknown', outcome: 'refused' });
    }
    // Through the launcher, the client's own x-lvs-* headers are dropped and its real address stamped.
    expect((await call('me', 'GET', { peer: '192.0.2.99', headers: { ...headers, 'x-lvs-peer': '10.0.0.5' } })).status).toBe(401);
    expect((await call('me', 'GET', { peer: '10.0.0.5', headers })).status).toBe(200);
  });

  it('served without the launcher (no secret in the process), no address is trusted, and it says so once', async () => {
    const g = globalThis as unknown as Record<symbol, unknown>;
    const key = Symbol.for('lvs-console.peer-stamp-secret');
    const secret = g[key];
    const stamped = request('/api/me', { peer: '10.0.0.5', headers: { 'x-forwarded-user': 'pat' } });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    delete g[key];
    try {
      const me = (await loadRoute('me')).GET;
      for (let i = 0; i < 3; i++) expect((await me?.(stamped.clone(), { params: Promise.resolve({}) }))?.status).toBe(401);
      const said = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('not started by bin/next-server.mjs'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/auth\.trustedProxies, auth\.proxyAuth and metrics\.allow grant them nothing/);
    } finally {
      g[key] = secret;
    }
    expect((await call('me', 'GET', { peer: '10.0.0.5', headers: { 'x-forwarded-user': 'pat' } })).status).toBe(200);
  });
});

describe('secrets', () => {
  it('no API answer carries the SSH passphrase, a password (hash), a session id or a token', async () => {
    const ada = await loginAs('ada');
    const sessionId = /lvs_session=([^;]+)/.exec(ada.cookie)?.[1] ?? '';
    const created = (await (await call('admin/tokens', 'POST', { cookie: ada.cookie, csrf: ada.csrf, body: { name: 'secret-check', role: 'viewer' } })).json()) as { token: string };
    const { readFileSync } = await import('node:fs');
    const hashes = [...readFileSync(process.env.LVS_CONSOLE_CONFIG ?? '', 'utf8').matchAll(/scrypt\$[^\s"']+/g)].map((m) => m[0]);
    expect(hashes.length).toBe(4);
    const secrets = [SECRET_PASSPHRASE, ...Object.values(PASSWORDS), ...hashes, sessionId, created.token];
    for (const route of routeFiles()) {
      if (!(await loadRoute(route)).GET) continue;
      const body = await (await call(route, 'GET', { cookie: ada.cookie })).text();
      for (const s of secrets) expect(body.includes(s), `GET /api/${route} contains a secret`).toBe(false);
    }
  });

  it('the audit chain verifies after all of the above', async () => {
    const { getRuntime } = await import('@/server/runtime');
    const v = getRuntime().audit.verify();
    expect(v).toMatchObject({ ok: true });
  });
});
