import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesFrom, PASSWORDS, request, writeTestConfig, type RequestInit2 } from '@/server/testing/console-env';
import { parseMetrics } from '@/server/metrics/prom-test-helpers';

// GET /metrics in process: who may scrape (metrics token, allowed addresses with trusted-proxy
// handling, any viewer+ session or API token), and what comes back.

const SCRAPE_TOKEN = 'scrape-token-SECRET-91c2e0a4b7';
let configDir = '';

beforeAll(async () => {
  process.env.LVS_TEST_METRICS_TOKEN = SCRAPE_TOKEN;
  const { dir, file } = await writeTestConfig(
    { trustedProxies: ['10.0.0.5'] },
    { metrics: { token: 'env:LVS_TEST_METRICS_TOKEN', allow: ['192.0.2.0/28', '2001:db8:9::/48', '198.51.100.77'] } },
  );
  configDir = dir;
  process.env.LVS_CONSOLE_CONFIG = file;
});

afterAll(async () => {
  const { getRuntime } = await import('@/server/runtime');
  await getRuntime().close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

async function scrape(init: RequestInit2 = {}): Promise<Response> {
  const { GET } = await import('./route');
  return GET(request('/metrics', init), { params: Promise.resolve({}) });
}

describe('GET /metrics', () => {
  it('refuses anonymous callers, a wrong token, and addresses outside the allow-list', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape({ bearer: 'not-the-token' })).status).toBe(401);
    expect((await scrape({ peer: '192.0.2.16' })).status).toBe(401);
    expect((await scrape({ peer: '2001:db8:a::1' })).status).toBe(401);
    // X-Forwarded-For counts only from a trusted proxy.
    expect((await scrape({ peer: '203.0.113.9', headers: { 'x-forwarded-for': '192.0.2.3' } })).status).toBe(401);
    // A trusted proxy forwarding a client outside the list: refused, though the proxy itself...
    expect((await scrape({ peer: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(401);
    // An allowed address claimed in x-lvs-peer without the launcher's stamp (e.g. under `next start`)...
    expect((await scrape({ peer: null, headers: { 'x-lvs-peer': '192.0.2.14' } })).status).toBe(401);
    // ...or a trusted proxy claimed so, forwarding an allowed client; and through the launcher, the client's copy is dropped.
    expect((await scrape({ peer: null, headers: { 'x-lvs-peer': '10.0.0.5', 'x-forwarded-for': '192.0.2.1' } })).status).toBe(401);
    expect((await scrape({ peer: '203.0.113.9', headers: { 'x-lvs-peer': '192.0.2.14' } })).status).toBe(401);
  });

  it('serves the metrics token, allowed addresses (directly or behind a trusted proxy), and any viewer', async () => {
    const ok = await scrape({ bearer: SCRAPE_TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await ok.text();
    expect(text).not.toContain(SCRAPE_TOKEN);
    const m = parseMetrics(text);
    // The test director is never reachable: down, with its failures counted.
    expect(m.value('lvs_director_up', { cluster: 'lab', director: 'd1' })).toBe(0);
    expect(m.families.get('lvs_collector_refresh_errors_total')?.type).toBe('COUNTER');

    expect((await scrape({ peer: '192.0.2.14' })).status).toBe(200);
    expect((await scrape({ peer: '::ffff:198.51.100.77' })).status).toBe(200);
    expect((await scrape({ peer: '2001:db8:9:1::5' })).status).toBe(200);
    expect((await scrape({ peer: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.9, 192.0.2.1' } })).status).toBe(200);

    const { POST } = await import('@/app/api/auth/login/route');
    const login = await POST(request('/api/auth/login', { method: 'POST', body: { name: 'vera', password: PASSWORDS.vera } }), { params: Promise.resolve({}) });
    expect(login.status).toBe(200);
    expect((await scrape({ cookie: cookiesFrom(login).header })).status).toBe(200);
  });

  it('a cluster-scoped role sees only its clusters', async () => {
    const { POST } = await import('@/app/api/auth/login/route');
    const login = await POST(request('/api/auth/login', { method: 'POST', body: { name: 'sam', password: PASSWORDS.sam } }), { params: Promise.resolve({}) });
    const res = await scrape({ cookie: cookiesFrom(login).header });
    expect(res.status).toBe(200);
    expect(parseMetrics(await res.text()).samples('lvs_director_up')).toEqual([]);
  });
});
