import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/lib/models/audit';
import { request, writeTestConfig } from '@/server/testing/console-env';
import { routePattern } from './handler';

// The request edge's audit of refusals, through real route handlers (in process, a temporary
// configuration): a flood of refused requests adds a row or two per source and minute, with a count.

let configDir = '';

beforeAll(async () => {
  const { dir, file } = await writeTestConfig();
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

const represented = (entries: AuditEntry[]) => entries.reduce((n, e) => n + ((e.detail as { count?: number } | null)?.count ?? 1), 0);

describe('routePattern', () => {
  it('names the route parameters in the path, matched from the right', () => {
    expect(routePattern('/api/clusters/lab/drain', { cluster: 'lab' })).toBe('/api/clusters/[cluster]/drain');
    expect(routePattern('/api/clusters/clusters/drain', { cluster: 'clusters' })).toBe('/api/clusters/[cluster]/drain');
    expect(routePattern('/api/admin/tokens/a%20b', { name: 'a b' })).toBe('/api/admin/tokens/[name]');
    expect(routePattern('/api/admin/users', {})).toBe('/api/admin/users');
  });
});

describe('refused requests in the audit log', () => {
  it('1,000 refused requests from one source add at most two rows, and the counts add up', async () => {
    const { getRuntime } = await import('@/server/runtime');
    const drain = (await import('@/app/api/clusters/[cluster]/drain/route')).POST;
    const revoke = (await import('@/app/api/admin/tokens/[name]/route')).DELETE;
    const audit = getRuntime().audit;
    const before = audit.list({ limit: 5000 }).length;
    for (let i = 0; i < 500; i++) {
      const res = await drain(request('/api/clusters/lab/drain', { method: 'POST', body: {}, peer: '192.0.2.90' }), { params: Promise.resolve({ cluster: 'lab' }) });
      expect(res.status).toBe(401);
    }
    // Made-up names in the path are the same kind of refusal.
    for (let i = 0; i < 500; i++) {
      const res = await revoke(request(`/api/admin/tokens/guess${i}`, { method: 'DELETE', peer: '192.0.2.90' }), { params: Promise.resolve({ name: `guess${i}` }) });
      expect(res.status).toBe(401);
    }
    expect(audit.list({ limit: 5000 }).length - before).toBe(2); // the first refusal of each kind
    audit.refusals.flush();
    const mine = audit.list({ limit: 5000 }).filter((e) => e.source === '192.0.2.90');
    expect(mine).toHaveLength(4);
    expect(mine.every((e) => e.outcome === 'refused' && e.actor === 'anonymous')).toBe(true);
    expect(represented(mine)).toBe(1000);
    expect(represented(mine.filter((e) => e.action.startsWith('DELETE ')))).toBe(500);
    expect(audit.verify()).toMatchObject({ ok: true });
  });

  it('refused logins from one source are counted the same way, whatever names are typed', async () => {
    const { getRuntime } = await import('@/server/runtime');
    const login = (await import('@/app/api/auth/login/route')).POST;
    const audit = getRuntime().audit;
    const before = audit.list({ limit: 5000 }).length;
    const statuses = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const res = await login(request('/api/auth/login', { method: 'POST', body: { name: `user${i % 7}`, password: 'wrong' }, peer: '192.0.2.91' }), { params: Promise.resolve({}) });
      statuses.add(res.status);
    }
    expect([...statuses].sort()).toEqual([401, 429]); // wrong passwords, then the rate limit
    expect(audit.list({ limit: 5000 }).length - before).toBe(1);
    audit.refusals.flush();
    const mine = audit.list({ limit: 5000 }).filter((e) => e.source === '192.0.2.91');
    expect(mine.map((e) => e.action)).toEqual(['login', 'login']);
    expect(represented(mine)).toBe(200);
    expect(mine[0]).toMatchObject({ actor: 'various', detail: { actors: expect.arrayContaining(['user0', 'user6']) as unknown } });
  });
});
