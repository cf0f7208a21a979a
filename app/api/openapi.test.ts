import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, PASSWORDS, request, writeTestConfig, type RequestInit2 } from '@/server/testing/console-env';

// The OpenAPI document against the code: every route file is in it with the methods it exports and
// the role it declares, its schemas compile as JSON Schema 2020-12 (ajv, independent of zod), and
// live answers of every route, driven in process as a logged-in admin, match the documented schema
// of their status (200 body, or the error body).

type Json = Record<string, unknown>;
type RouteHandler = ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { access?: { role: string } };
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const APP_DIR = path.resolve(__dirname, '..');

function routeFiles(): string[] {
  return fs
    .readdirSync(APP_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f === 'route.ts' || f.endsWith(`${path.sep}route.ts`))
    .map((f) => path.dirname(f).split(path.sep).join('/'))
    .sort();
}
const load = async (route: string) => (await import(path.join(APP_DIR, route, 'route.ts'))) as Partial<Record<(typeof METHODS)[number], RouteHandler>>;

let configDir = '';
let doc: { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
let ajv: Ajv2020;
let admin: { cookie: string; csrf: string };

beforeAll(async () => {
  const { dir, file } = await writeTestConfig();
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
  const { openApiDocument } = await import('@/server/api/openapi');
  doc = openApiDocument() as typeof doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: doc.components });
  const login = await (await load('api/auth/login')).POST?.(request('/api/auth/login', { method: 'POST', body: { name: 'ada', password: PASSWORDS.ada } }), { params: Promise.resolve({}) });
  if (login?.status !== 200) throw new Error('admin login failed');
  const c = cookiesFrom(login);
  admin = { cookie: c.header, csrf: c.values.lvs_csrf ?? '' };
  // Something in the event store, so event lists are not empty.
  const { getRuntime } = await import('@/server/runtime');
  getRuntime().events.add({
    cluster: 'lab', kind: 'failover', director: 'd1', instance: 'VI_1', fromState: 'BACKUP', toState: 'MASTER', fromMaster: null, toMaster: 'd1',
    at: Date.now() - 60_000, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed',
  });
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

const pathOf = (route: string) => `/${route.replace(/\[(\w+)\]/g, '{$1}')}`;

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route file with exactly its methods and roles', async () => {
    expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
    const documented = Object.keys(doc.paths).sort();
    const files = routeFiles();
    expect(documented, 'a route file is missing from server/api/openapi.ts OPERATIONS (or one is documented that does not exist)').toEqual(files.map(pathOf).sort());
    for (const route of files) {
      const mod = await load(route);
      const exported = METHODS.filter((m) => mod[m]).map((m) => m.toLowerCase());
      const ops = doc.paths[pathOf(route)] ?? {};
      expect(Object.keys(ops).sort(), `/${route}`).toEqual(exported.sort());
      for (const m of exported) {
        const op = ops[m] as Json;
        expect(op['x-required-role'], `${m} /${route}`).toBe(mod[m.toUpperCase() as 'GET']?.access?.role);
        if (m === 'post') {
          const login = route === 'api/auth/login' || route === 'api/auth/logout';
          if (!login) expect(op.requestBody, `POST /${route} documents its body`).toBeDefined();
        }
        expect(Object.keys(op.responses as Json)).toEqual(expect.arrayContaining(['200', 'default']));
        if (op.requestBody) expect(Object.keys(op.responses as Json), `${m} /${route} lists 413 (body over its limit)`).toContain('413');
      }
    }
  });

  it('declares the security schemes and uses them: public routes none, state changes session+CSRF or bearer', () => {
    const schemes = (doc.components as unknown as { securitySchemes: Json }).securitySchemes;
    expect(Object.keys(schemes).sort()).toEqual(['bearer', 'csrf', 'metricsToken', 'proxyUser', 'session']);
    expect(doc.paths['/api/health']?.get?.security).toEqual([]);
    expect(doc.paths['/api/clusters/{cluster}/drain']?.post?.security).toEqual(expect.arrayContaining([{ session: [], csrf: [] }, { bearer: [] }]));
  });

  it('every schema compiles as JSON Schema 2020-12 (ajv)', () => {
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.getSchema(`doc#/components/schemas/${name}`), name).not.toThrow();
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        const body = (op as { requestBody?: { content: Record<string, { schema: Json }> } }).requestBody?.content['application/json']?.schema;
        if (body) expect(() => ajv.compile(body), `${m} ${p} body`).not.toThrow();
      }
    }
  });

  it('the documented request bodies accept what the routes accept, and refuse what they refuse', () => {
    const body = (p: string) => (doc.paths[p]?.post as { requestBody: { content: Record<string, { schema: Json }> } }).requestBody.content['application/json']?.schema ?? {};
    const drain = ajv.compile(body('/api/clusters/{cluster}/drain'));
    expect(drain({ target: '192.0.2.11', reason: 'patching' }), JSON.stringify(drain.errors)).toBe(true);
    expect(drain({ target: '192.0.2.11', reason: 'patching', bogus: 1 })).toBe(false);
    const weight = ajv.compile(body('/api/clusters/{cluster}/weight'));
    expect(weight({ target: '192.0.2.11', reason: 'x', weight: 70000 })).toBe(false);
    const token = ajv.compile(body('/api/admin/tokens'));
    expect(token({ name: 'ci', role: 'viewer', expiresInDays: 30 }), JSON.stringify(token.errors)).toBe(true);
    expect(token({ name: 'ci', role: 'viewer', expiresAt: 1_900_000_000_000 }), JSON.stringify(token.errors)).toBe(true);
    expect(token({ name: 'ci', role: 'viewer', expiresInDays: 0 })).toBe(false);
    expect(token({ name: 'ci', role: 'viewer', expires: '30d' })).toBe(false);
  });

  it('documents token expiry in the token listing', () => {
    const list = doc.components.schemas.TokenList as { properties: { tokens: { items: { required: string[] } } } };
    expect(list.properties.tokens.items.required).toEqual(expect.arrayContaining(['expiresAt', 'expired']));
  });
});

describe('live answers match the documented schemas', () => {
  const params: Record<string, string> = { cluster: 'lab', address: '192.0.2.11', name: 'x' };
  const query: Record<string, string> = {
    'api/clusters/[cluster]/history': 'service=TCP%20192.0.2.100%3A80',
    'api/clusters/[cluster]/drain/plan': 'target=192.0.2.11',
    'api/clusters/[cluster]/drain/progress': 'target=192.0.2.11',
    'api/audit': 'limit=5',
    'api/search': 'q=192.0.2',
  };
  const bodies: Record<string, unknown> = {
    'api/auth/login': { name: 'ada', password: PASSWORDS.ada },
    'api/clusters/[cluster]/drain': { target: '192.0.2.11', reason: 'openapi test', dryRun: true },
    'api/clusters/[cluster]/weight': { target: '192.0.2.11', reason: 'openapi test', weight: 50, dryRun: true },
    'api/clusters/[cluster]/restore': { target: '192.0.2.11', dryRun: true },
    'api/admin/users': { name: 'oa-user', password: 'a-long-password-1', role: 'viewer' },
    'api/admin/tokens': { name: 'oa-token', role: 'viewer' },
  };

  async function call(route: string, method: (typeof METHODS)[number], init: RequestInit2 = {}, p = params): Promise<Response> {
    const h = (await load(route))[method];
    if (!h) throw new Error(`${route} has no ${method}`);
    const url = `/${route.replace(/\[(\w+)\]/g, (_m, k: string) => encodeURIComponent(p[k] ?? 'x'))}${query[route] && method === 'GET' ? `?${query[route]}` : ''}`;
    return h(request(url, { cookie: admin.cookie, csrf: admin.csrf, ...init, method }), { params: Promise.resolve(p) });
  }

  function check(route: string, method: string, status: number, contentType: string, body: unknown): void {
    const op = doc.paths[pathOf(route)]?.[method.toLowerCase()] as { responses: Record<string, { content?: Record<string, { schema: Json }> }> } | undefined;
    const documented = op?.responses[String(status)] ?? op?.responses.default;
    expect(documented, `${method} /${route} ${status} is documented`).toBeDefined();
    const media = contentType.split(';')[0]?.trim() ?? '';
    const entry = Object.entries(documented?.content ?? {}).find(([t]) => t.split(';')[0] === media);
    expect(entry, `${method} /${route} ${status}: ${media} is documented`).toBeDefined();
    if (media !== 'application/json') return;
    const schema = entry?.[1].schema ?? {};
    // References in the document are relative to it; ajv holds its components as "doc".
    const validate = typeof schema.$ref === 'string' ? ajv.getSchema(`doc${schema.$ref}`) : ajv.compile(schema);
    if (!validate) throw new Error(`cannot resolve ${String(schema.$ref)}`);
    expect(validate(body), `${method} /${route} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`).toBe(true);
  }

  it('every route and method, as admin (200s and errors alike)', async () => {
    const statuses: string[] = [];
    for (const route of routeFiles()) {
      if (route === 'api/auth/logout') continue; // would end the session the rest uses; checked last
      const mod = await load(route);
      for (const m of METHODS) {
        if (!mod[m]) continue;
        // Logging in again would end the session the rest uses: log in cookie-less.
        const res = await call(route, m, { body: m === 'GET' ? undefined : (bodies[route] ?? {}), ...(route === 'api/auth/login' ? { cookie: '' } : {}) });
        const ct = res.headers.get('content-type') ?? '';
        const body: unknown = ct.startsWith('application/json') ? await res.json() : await res.text();
        check(route, m, res.status, ct, body);
        statuses.push(`${m} /${route} ${res.status}`);
      }
    }
    // The dummy director never answers, but the reads themselves succeed.
    for (const ok of ['GET /api/clusters 200', 'GET /api/clusters/[cluster] 200', 'GET /api/clusters/[cluster]/events 200', 'GET /api/events 200', 'GET /api/audit 200', 'GET /api/me 200', 'GET /api/openapi.json 200', 'GET /metrics 200', 'GET /api/hosts/[address] 200', 'GET /api/clusters/[cluster]/history 200', 'GET /api/clusters/[cluster]/intents 200', 'POST /api/admin/tokens 200', 'POST /api/admin/users 200', 'GET /api/admin/tokens 200', 'GET /api/clusters/[cluster]/diagnostics 200', 'GET /api/search 200']) {
      expect(statuses).toContain(ok);
    }
    // Deleting what was created: the success shapes.
    const revoked = await call('api/admin/tokens/[name]', 'DELETE', {}, { name: 'oa-token' });
    check('api/admin/tokens/[name]', 'DELETE', revoked.status, revoked.headers.get('content-type') ?? '', await revoked.json());
    expect(revoked.status).toBe(200);
    const removed = await call('api/admin/users/[name]', 'DELETE', {}, { name: 'oa-user' });
    check('api/admin/users/[name]', 'DELETE', removed.status, removed.headers.get('content-type') ?? '', await removed.json());
    expect(removed.status).toBe(200);
  });

  it('error answers: 401, 403, 404, 413, 422 all have the documented error body', async () => {
    const anon = await call('api/clusters', 'GET', { cookie: '' });
    check('api/clusters', 'GET', anon.status, anon.headers.get('content-type') ?? '', await anon.json());
    expect(anon.status).toBe(401);
    const missing = await call('api/clusters/[cluster]', 'GET', {}, { cluster: 'nope' });
    expect(missing.status).toBe(404);
    check('api/clusters/[cluster]', 'GET', 404, missing.headers.get('content-type') ?? '', await missing.json());
    const bad = await call('api/clusters/[cluster]/weight', 'POST', { body: { target: '192.0.2.11', weight: -1, reason: 'x' } });
    expect(bad.status).toBe(422);
    check('api/clusters/[cluster]/weight', 'POST', 422, bad.headers.get('content-type') ?? '', await bad.json());
    const huge = await call('api/clusters/[cluster]/weight', 'POST', { body: { target: '192.0.2.11', weight: 1, reason: 'x'.repeat(70_000) } });
    expect(huge.status).toBe(413);
    check('api/clusters/[cluster]/weight', 'POST', 413, huge.headers.get('content-type') ?? '', await huge.json());
    expect(doc.paths['/api/clusters/{cluster}/weight']?.post?.responses).toHaveProperty('413');
    const csv = await call('api/events', 'GET', {}, params);
    expect(csv.status).toBe(200);
  });

  it('logout answers as documented', async () => {
    const res = await call('api/auth/logout', 'POST');
    check('api/auth/logout', 'POST', res.status, res.headers.get('content-type') ?? '', await res.json());
    expect(res.status).toBe(200);
  });
});
