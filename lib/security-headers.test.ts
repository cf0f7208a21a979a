import { describe, expect, it } from 'vitest';
import { pageCsp } from './security-headers';

describe('security headers', () => {
  it('page CSP: scripts by nonce only (no unsafe-inline for scripts), no framing, no eval in production', () => {
    const csp = pageCsp('abc123', false);
    const script = csp.split('; ').find((d) => d.startsWith('script-src')) ?? '';
    expect(script).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(pageCsp('n', true)).toContain("'unsafe-eval'");
  });

  it('next.config.js sends nosniff, no-referrer, DENY framing and a permissions policy everywhere, and a nothing-loads CSP on the API', async () => {
    const { createRequire } = await import('node:module');
    const config = createRequire(import.meta.url)('../next.config.js') as { headers: () => Promise<{ source: string; headers: { key: string; value: string }[] }[]> };
    const rules = await config.headers();
    const all = Object.fromEntries((rules.find((r) => r.source === '/:path*')?.headers ?? []).map((h) => [h.key, h.value]));
    expect(all).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    expect(all['Permissions-Policy']).toMatch(/camera=\(\)/);
    const api = rules.find((r) => r.source === '/api/:path*')?.headers.find((h) => h.key === 'Content-Security-Policy');
    expect(api?.value).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
