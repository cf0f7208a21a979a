import fs from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { describe, expect, it } from 'vitest';
import { config, proxy, PROXY_REQUEST_HEADERS } from './proxy';

// proxy.ts owns x-nonce, x-lvs-path and the request's CSP header: whatever a client sent under
// those names never reaches a page (prefetches included), and no API code reads them.

const ORIGIN = 'http://127.0.0.1:3999';
const FORGED: Record<string, string> = { 'x-nonce': 'attacker-nonce', 'x-lvs-path': '//evil.example/', 'content-security-policy': "script-src 'unsafe-inline'" };
const STAMP = { 'x-lvs-peer': '192.0.2.44', 'x-lvs-peer-stamp': 'stamp-from-the-launcher' };

/** The request headers the app will see after the proxy (Next applies these override headers). */
function passedOn(res: Response): Record<string, string> {
  const keys = (res.headers.get('x-middleware-override-headers') ?? '').split(',').filter(Boolean);
  return Object.fromEntries(keys.map((k) => [k, res.headers.get(`x-middleware-request-${k}`) ?? '']));
}

describe('proxy.ts', () => {
  it("a page request: the client's x-nonce, x-lvs-path and CSP are replaced; the launcher's stamp passes", () => {
    const res = proxy(new NextRequest(`${ORIGIN}/clusters/lab?tab=events`, { headers: { ...FORGED, ...STAMP } }));
    const h = passedOn(res);
    expect(h['x-lvs-path']).toBe('/clusters/lab?tab=events');
    expect(h['x-nonce']).not.toBe(FORGED['x-nonce']);
    expect(h['content-security-policy']).toContain(`'nonce-${h['x-nonce']}'`);
    expect(res.headers.get('content-security-policy')).toBe(h['content-security-policy']);
    expect(h).toMatchObject(STAMP);
  });

  it("a prefetch runs the proxy too (it used to skip it): the client's copies are replaced there as well", () => {
    for (const prefetch of [{ 'next-router-prefetch': '1' }, { purpose: 'prefetch' }] as Record<string, string>[]) {
      const headers = { ...FORGED, ...STAMP, ...prefetch };
      expect(unstable_doesMiddlewareMatch({ config, url: `${ORIGIN}/clusters/lab`, headers }), JSON.stringify(prefetch)).toBe(true);
      const h = passedOn(proxy(new NextRequest(`${ORIGIN}/clusters/lab`, { headers })));
      expect(Object.keys(h)).toEqual(expect.arrayContaining([...PROXY_REQUEST_HEADERS]));
      for (const name of PROXY_REQUEST_HEADERS) expect(h[name], name).not.toBe(FORGED[name]);
      expect(h['x-lvs-path']).toBe('/clusters/lab');
      expect(h).toMatchObject(STAMP);
    }
  });

  it('runs on pages, not on the API or static files', () => {
    const match = (p: string) => unstable_doesMiddlewareMatch({ config, url: `${ORIGIN}${p}` });
    expect(['/', '/login', '/clusters/lab', '/audit'].map(match)).toEqual([true, true, true, true]);
    expect(['/api/me', '/_next/static/chunks/x.js', '/favicon.ico'].map(match)).toEqual([false, false, false]);
  });

  it('outside proxy.ts, only the root layout reads x-lvs-path and x-nonce (pages only: the return path, the theme script\'s nonce): the API never trusts them', () => {
    const readers: Record<string, string[]> = { 'x-lvs-path': [], 'x-nonce': [] };
    for (const dir of ['app', 'server', 'lib', 'components']) {
      for (const f of fs.readdirSync(path.join(__dirname, dir), { recursive: true, encoding: 'utf8' })) {
        // peer-stamp.mjs names them only to drop a client's copies.
        if (!/\.(ts|tsx|mjs)$/.test(f) || /\.test\.tsx?$/.test(f) || f.endsWith('peer-stamp.mjs')) continue;
        const text = fs.readFileSync(path.join(__dirname, dir, f), 'utf8');
        for (const name of Object.keys(readers)) if (text.includes(`'${name}'`)) readers[name]?.push(`${dir}/${f}`);
      }
    }
    expect(readers).toEqual({ 'x-lvs-path': ['server/api/page-actor.ts'], 'x-nonce': ['server/api/page-actor.ts'] });
  });
});
