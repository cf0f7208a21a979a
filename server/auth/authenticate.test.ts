import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthConfig } from '@/server/config/schema';
import { installPeerSecret, peerStamp } from './peer-stamp.mjs';

// The app's side of the peer stamp: the address counts (trusted proxy, source address) only with
// the launcher's stamp; otherwise the peer is 'unknown', and the log says so once per process.

const SECRET_KEY = Symbol.for('lvs-console.peer-stamp-secret');
const LOGGED_KEY = Symbol.for('lvs-console.peer-problems-logged');
const g = globalThis as unknown as Record<symbol, unknown>;
const config = { trustedProxies: ['10.0.0.5'] } as AuthConfig;
const req = (headers: Record<string, string>) => new Request('http://127.0.0.1:3999/api/me', { headers });

afterEach(() => {
  vi.restoreAllMocks();
  installPeerSecret();
});

describe('peerAddress and fromTrustedProxy', () => {
  it('a right stamp: the address, trusted when listed; forged ones: unknown, never trusted', async () => {
    installPeerSecret();
    const { fromTrustedProxy, peerAddress, sourceAddressWith } = await import('./authenticate');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stamped = req({ 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('10.0.0.5'), 'x-forwarded-for': '198.51.100.7' });
    expect(peerAddress(stamped)).toBe('10.0.0.5');
    expect(fromTrustedProxy(stamped, config)).toBe(true);
    expect(sourceAddressWith(stamped, config)).toBe('198.51.100.7');
    expect(peerAddress(req({ 'x-lvs-peer': '::ffff:192.0.2.4', 'x-lvs-peer-stamp': peerStamp('::ffff:192.0.2.4') }))).toBe('192.0.2.4');
    const forgeries: Record<string, string>[] = [
      { 'x-lvs-peer': '10.0.0.5' },
      { 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('10.0.0.5', randomBytes(32)) },
      { 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('10.0.0.6') },
    ];
    for (const forged of forgeries) {
      const r = req({ ...forged, 'x-forwarded-for': '198.51.100.7' });
      expect(peerAddress(r), JSON.stringify(forged)).toBe('unknown');
      expect(fromTrustedProxy(r, config)).toBe(false);
      expect(sourceAddressWith(r, config)).toBe('unknown');
    }
  });

  it('without the launcher (no secret) nothing is trusted, and it is logged once per process, not once per bundled copy', async () => {
    const saved = g[SECRET_KEY];
    const stamped = req({ 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('10.0.0.5') });
    delete g[SECRET_KEY];
    (g[LOGGED_KEY] as Set<string> | undefined)?.clear();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const a = await import('./authenticate');
      expect(a.peerAddress(stamped)).toBe('unknown');
      expect(a.fromTrustedProxy(stamped, config)).toBe(false);
      // Pages and route handlers get separate copies of the module: a second copy does not say it again.
      vi.resetModules();
      const b = await import('./authenticate');
      expect(b).not.toBe(a);
      expect(b.peerAddress(stamped)).toBe('unknown');
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^\[auth\] this process was not started by bin\/next-server\.mjs/)]);
    } finally {
      g[SECRET_KEY] = saved;
    }
  });
});
