import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPeerSecret, isInternalHeader, PEER_HEADER, peerStamp, STAMP_HEADER, stampRequest, verifyPeer } from './peer-stamp.mjs';

// The peer stamp of bin/next-server.mjs: only a stamp made with this process's secret makes a
// peer address believed; the launcher drops every internal header a client sent before stamping.

const SECRET_KEY = Symbol.for('lvs-console.peer-stamp-secret');

describe('verifyPeer', () => {
  const secret = randomBytes(32);

  it('believes a peer address only with the stamp of the same secret', () => {
    expect(verifyPeer('10.0.0.5', peerStamp('10.0.0.5', secret), secret)).toEqual({ peer: '10.0.0.5', problem: null });
    // Forged: the header alone, a stamp made with another secret, another address's stamp, junk.
    expect(verifyPeer('10.0.0.5', null, secret)).toEqual({ peer: null, problem: 'unstamped' });
    expect(verifyPeer('10.0.0.5', peerStamp('10.0.0.5', randomBytes(32)), secret)).toEqual({ peer: null, problem: 'bad-stamp' });
    expect(verifyPeer('10.0.0.5', peerStamp('192.0.2.9', secret), secret)).toEqual({ peer: null, problem: 'bad-stamp' });
    expect(verifyPeer('10.0.0.5', 'x', secret)).toEqual({ peer: null, problem: 'bad-stamp' });
    expect(verifyPeer(null, peerStamp('10.0.0.5', secret), secret)).toEqual({ peer: null, problem: 'unstamped' });
  });

  it('without a secret in the process (not started by the launcher) nothing passes, not even a well-formed stamp', () => {
    expect(verifyPeer('10.0.0.5', peerStamp('10.0.0.5', secret), null)).toEqual({ peer: null, problem: 'no-secret' });
    expect(() => peerStamp('10.0.0.5', null)).toThrow(/no secret/);
  });

  it('the process secret is made once, shared through globalThis, and random per process', () => {
    const g = globalThis as unknown as Record<symbol, unknown>;
    const saved = g[SECRET_KEY];
    try {
      delete g[SECRET_KEY];
      expect(verifyPeer('10.0.0.5', 'x')).toEqual({ peer: null, problem: 'no-secret' });
      installPeerSecret();
      const first = g[SECRET_KEY];
      expect(first).toBeInstanceOf(Buffer);
      expect((first as Buffer).length).toBe(32);
      installPeerSecret();
      expect(g[SECRET_KEY]).toBe(first);
      expect(verifyPeer('10.0.0.5', peerStamp('10.0.0.5'))).toEqual({ peer: '10.0.0.5', problem: null });
      expect(verifyPeer('10.0.0.5', peerStamp('10.0.0.5', secret))).toMatchObject({ problem: 'bad-stamp' });
    } finally {
      if (saved === undefined) delete g[SECRET_KEY];
      else g[SECRET_KEY] = saved;
    }
  });
});

describe('stampRequest (what bin/next-server.mjs does to every request)', () => {
  beforeAll(() => installPeerSecret());

  it('names the internal headers', () => {
    for (const h of ['x-lvs-peer', 'X-LVS-Peer-Stamp', 'x-lvs-path', 'x-lvs-anything', 'x-nonce', 'X-Middleware-Subrequest']) expect(isInternalHeader(h), h).toBe(true);
    for (const h of ['x-forwarded-for', 'x-forwarded-user', 'x-csrf-token', 'host', 'authorization', 'x-lvs']) expect(isInternalHeader(h), h).toBe(false);
  });

  it("drops a client's internal headers (parsed and raw) and stamps the socket's address", () => {
    const req = {
      headers: {
        host: 'console.example',
        'x-forwarded-for': '198.51.100.7',
        'x-lvs-peer': '10.0.0.5',
        'x-lvs-peer-stamp': 'forged',
        'x-lvs-path': '//evil.example/',
        'x-nonce': 'attacker-nonce',
        'x-middleware-subrequest': 'middleware:middleware:middleware',
      } as Record<string, string | string[] | undefined>,
      rawHeaders: ['Host', 'console.example', 'X-Forwarded-For', '198.51.100.7', 'X-LVS-Peer', '10.0.0.5', 'x-lvs-peer-stamp', 'forged', 'X-Lvs-Path', '//evil.example/', 'X-Nonce', 'attacker-nonce', 'x-middleware-subrequest', 'm'],
    };
    stampRequest(req, '192.0.2.44');
    expect(req.headers).toEqual({ host: 'console.example', 'x-forwarded-for': '198.51.100.7', [PEER_HEADER]: '192.0.2.44', [STAMP_HEADER]: peerStamp('192.0.2.44') });
    expect(req.rawHeaders).toEqual(['Host', 'console.example', 'X-Forwarded-For', '198.51.100.7', PEER_HEADER, '192.0.2.44', STAMP_HEADER, peerStamp('192.0.2.44')]);
    expect(verifyPeer(req.headers[PEER_HEADER] as string, req.headers[STAMP_HEADER] as string)).toEqual({ peer: '192.0.2.44', problem: null });
  });

  it('with no socket address (the client already left), leaves no peer at all', () => {
    const req = { headers: { 'x-lvs-peer': '10.0.0.5' } as Record<string, string | string[] | undefined> };
    stampRequest(req, undefined);
    expect(req.headers).toEqual({});
  });

  describe('over a real socket', () => {
    let server: http.Server;
    let port = 0;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        stampRequest(req, req.socket.remoteAddress);
        const v = verifyPeer(req.headers[PEER_HEADER] as string, req.headers[STAMP_HEADER] as string);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ verified: v, internal: Object.keys(req.headers).filter(isInternalHeader), raw: req.rawHeaders }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('a client claiming a trusted proxy address gets its own address, stamped', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/me`, {
        headers: { 'x-lvs-peer': '10.0.0.5', 'x-lvs-peer-stamp': peerStamp('10.0.0.5'), 'x-lvs-path': '/x', 'x-nonce': 'n', 'x-forwarded-user': 'root' },
      });
      const body = (await res.json()) as { verified: unknown; internal: string[]; raw: string[] };
      expect(body.verified).toEqual({ peer: '127.0.0.1', problem: null });
      expect(body.internal.sort()).toEqual([PEER_HEADER, STAMP_HEADER]);
      expect(body.raw).not.toContain('10.0.0.5');
      expect(body.raw).not.toContain('/x');
    });
  });
});
