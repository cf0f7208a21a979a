// @ts-check
// The peer-address stamp: how the app knows a request's TCP peer, and that the launcher told it.
//
// bin/next-server.mjs (started by `npm start` / bin/serve.ts) makes a random secret when the
// process starts, before Next.js loads, and keeps it in this process's globalThis (never in the
// environment, never on the wire to a client). For every request it drops every internal header
// the client sent (x-lvs-*, x-nonce, x-middleware-subrequest), then sets x-lvs-peer to the
// socket's remote address and x-lvs-peer-stamp to HMAC-SHA256(secret, address). The app
// (server/auth/authenticate.ts) believes x-lvs-peer only with a stamp that verifies; otherwise the
// peer is unknown: no trusted proxy, no proxy auth, no metrics.allow. Served any other way
// (`next start`, a standalone build) there is no secret, so nothing a client sends can pass.
//
// Plain JavaScript (with types in peer-stamp.d.mts) because the launcher imports it under plain
// Node; for the same reason it does not import 'server-only'. It needs node:crypto, so it cannot
// end up in a browser bundle either.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PEER_HEADER = 'x-lvs-peer';
export const STAMP_HEADER = 'x-lvs-peer-stamp';

/** Shared by every copy of this module in the process (the launcher's and the app bundle's). */
const SECRET = Symbol.for('lvs-console.peer-stamp-secret');

/**
 * Request headers that only this server may set. x-lvs-*: the peer and its stamp, and x-lvs-path
 * (set by proxy.ts for pages); x-nonce: set by proxy.ts; x-middleware-subrequest: Next.js's own
 * (a client's copy once let requests skip the middleware, CVE-2025-29927).
 * @param {string} name
 */
export function isInternalHeader(name) {
  const n = name.toLowerCase();
  return n.startsWith('x-lvs-') || n === 'x-nonce' || n === 'x-middleware-subrequest';
}

/** Makes this process's secret (once; later calls keep it). The launcher calls it before Next.js loads. */
export function installPeerSecret() {
  const g = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis));
  if (!(g[SECRET] instanceof Buffer)) g[SECRET] = randomBytes(32);
}

/** @returns {Buffer | null} */
function currentSecret() {
  const s = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[SECRET];
  return s instanceof Buffer ? s : null;
}

/** Whether this process was started by the launcher (it has a secret). */
export function hasPeerSecret() {
  return currentSecret() !== null;
}

/**
 * The stamp of a peer address under a secret (default: this process's).
 * @param {string} peer
 * @param {Buffer | null} [secret]
 */
export function peerStamp(peer, secret = currentSecret()) {
  if (!secret) throw new Error('peer-stamp: no secret in this process (installPeerSecret() was not called)');
  return createHmac('sha256', secret).update(peer, 'utf8').digest('base64url');
}

/**
 * Removes every internal header a client sent from a Node request's headers (both the parsed
 * object and rawHeaders), then stamps it with its peer address. The launcher's only header work.
 * @param {{ headers: Record<string, string | string[] | undefined>, rawHeaders?: string[] }} req
 * @param {string | undefined} peer the socket's remote address
 */
export function stampRequest(req, peer) {
  for (const name of Object.keys(req.headers)) if (isInternalHeader(name)) delete req.headers[name];
  if (Array.isArray(req.rawHeaders)) {
    const kept = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? '';
      if (!isInternalHeader(name)) kept.push(name, req.rawHeaders[i + 1] ?? '');
    }
    req.rawHeaders.splice(0, req.rawHeaders.length, ...kept);
  }
  if (!peer) return; // the socket is already gone: the app sees an unknown peer
  const stamp = peerStamp(peer);
  req.headers[PEER_HEADER] = peer;
  req.headers[STAMP_HEADER] = stamp;
  if (Array.isArray(req.rawHeaders)) req.rawHeaders.push(PEER_HEADER, peer, STAMP_HEADER, stamp);
}

/**
 * The peer address of a request from its two headers, if the stamp verifies under the secret
 * (default: this process's); otherwise why not.
 * @param {string | null} peer
 * @param {string | null} stamp
 * @param {Buffer | null} [secret]
 * @returns {{ peer: string, problem: null } | { peer: null, problem: 'no-secret' | 'unstamped' | 'bad-stamp' }}
 */
export function verifyPeer(peer, stamp, secret = currentSecret()) {
  if (!secret) return { peer: null, problem: 'no-secret' };
  if (!peer || !stamp) return { peer: null, problem: 'unstamped' };
  const want = Buffer.from(peerStamp(peer, secret));
  const got = Buffer.from(stamp);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { peer: null, problem: 'bad-stamp' };
  return { peer, problem: null };
}
