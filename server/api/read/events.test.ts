import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventList } from '@/lib/models/events';
import { openDatabase, type Db } from '@/server/db';
import { EventStore } from '@/server/events/store';

// The routes end to end (handler, validation, error mapping, CSV) over a temp database.
const state = vi.hoisted(() => ({ store: null as EventStore | null }));
// A logged-in viewer (access control itself is tested in app/api/routes.test.ts).
vi.mock('@/server/runtime', async () => {
  const { AuthConfig } = await import('@/server/config/schema');
  return {
    getRuntime: () => ({ events: state.store, collector: { clusterNames: () => ['lab', 'other'] } }),
    getAuth: () => ({ config: AuthConfig.parse({}), audit: { append: () => undefined } }),
  };
});
vi.mock('@/server/auth/authenticate', async (original) => ({
  ...(await original<object>()),
  authenticateWith: () => ({ actor: { name: 'test', role: 'viewer', clusters: null, via: 'token', source: '127.0.0.1' }, session: null }),
}));

const { GET: clusterEvents } = await import('@/app/api/clusters/[cluster]/events/route');
const { GET: allEvents } = await import('@/app/api/events/route');

let db: Db;
let tmp: string;
const T = 1_790_000_000_000;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'read-events-'));
  db = openDatabase(tmp);
  const store = new EventStore(db);
  state.store = store;
  const base = { director: null, instance: null, fromState: null, toState: null, fromMaster: null, toMaster: null, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed' as const };
  store.add({ ...base, cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_1', fromMaster: 'dir1', toMaster: 'dir2', at: T, cause: 'advert timeout from the master', logLines: ['a "quoted", line'] });
  store.add({ ...base, cluster: 'lab', kind: 'keepalived-down', director: 'dir1', at: T - 1000 });
  store.add({ ...base, cluster: 'other', kind: 'failover', director: 'b', at: T + 1000 });
});
afterAll(() => {
  db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ctx = (cluster: string) => ({ params: Promise.resolve({ cluster }) });
const req = (p: string) => new Request(`http://localhost${p}`);

describe('events API', () => {
  it('lists one cluster, filtered by time and kinds (repeatable or comma list)', async () => {
    const r = await clusterEvents(req(`/api/clusters/lab/events?from=${T - 5000}&to=${T + 5000}`), ctx('lab'));
    expect(r.status).toBe(200);
    const body = EventList.parse(await r.json());
    expect(body.events.map((e) => e.kind)).toEqual(['failover', 'keepalived-down']);
    const one = EventList.parse(await (await clusterEvents(req(`/api/clusters/lab/events?from=${T - 5000}&to=${T + 5000}&kind=failover`), ctx('lab'))).json());
    expect(one.events.map((e) => e.kind)).toEqual(['failover']);
    const both = EventList.parse(await (await clusterEvents(req(`/api/clusters/lab/events?from=${T - 5000}&to=${T + 5000}&kind=failover,no-master&kind=keepalived-down`), ctx('lab'))).json());
    expect(both.kinds).toEqual(['failover', 'no-master', 'keepalived-down']);
    expect(both.events).toHaveLength(2);
  });

  it('lists every cluster', async () => {
    const body = EventList.parse(await (await allEvents(req(`/api/events?from=${T - 5000}&to=${T + 5000}`), { params: Promise.resolve({}) })).json());
    expect(body.cluster).toBeNull();
    expect(body.events.map((e) => e.cluster)).toEqual(['other', 'lab', 'lab']);
  });

  it('downloads CSV', async () => {
    const r = await clusterEvents(req(`/api/clusters/lab/events?from=${T - 5000}&to=${T + 5000}&format=csv&kind=failover`), ctx('lab'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="events-lab-${T - 5000}-${T + 5000}.csv"`);
    const lines = (await r.text()).split('\r\n');
    expect(lines[0]).toMatch(/^id,cluster,kind,at,/);
    expect(lines[1]).toContain('"a ""quoted"", line"');
    expect(lines).toHaveLength(3);
  });

  it.each([
    ['kind=nope', 422],
    ['from=abc', 422],
    ['format=xml', 422],
    ['bogus=1', 422],
    ['from=1&from=2', 422],
    [`from=${T}&to=${T - 1}`, 422],
  ])('rejects %s with %i', async (qs, status) => {
    const r = await clusterEvents(req(`/api/clusters/lab/events?${qs}`), ctx('lab'));
    expect(r.status).toBe(status);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('validation');
  });

  it('404s an unknown cluster', async () => {
    expect((await clusterEvents(req('/api/clusters/nope/events'), ctx('nope'))).status).toBe(404);
  });
});
