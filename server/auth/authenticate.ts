import 'server-only';
import { unbracket, unmapIPv4 } from '@/lib/address';
import { CSRF_COOKIE, CSRF_COOKIE_HTTPS, CSRF_HEADER } from '@/lib/models/auth';
import type { Actor } from '@/lib/models/auth';
import type { AuthConfig } from '@/server/config/schema';
import { PEER_HEADER, STAMP_HEADER, verifyPeer, type PeerProblem } from './peer-stamp.mjs';
import { sameSecret, sha256 } from './secrets';
import { proxyUserGrant } from './proxy-groups';
import { findAccount, type AuthService } from './service';
import type { Session } from './store';

// Who is calling: an API token (Authorization: Bearer), a session cookie, or a user asserted by a
// trusted reverse proxy, in that order. A request carrying a bad token is anonymous (no fallback).

/** Set by bin/next-server.mjs on every request (the TCP peer's address), with its stamp (peer-stamp.mjs). */
export { PEER_HEADER, STAMP_HEADER } from './peer-stamp.mjs';
export const SESSION_COOKIE = 'lvs_session';
export { CSRF_COOKIE };

/**
 * Over HTTPS the cookies are named `__Host-lvs_session` and `__Host-lvs_csrf`: a browser accepts
 * such a cookie only with Secure, Path=/ and no Domain, so a sibling subdomain (or a plain-HTTP
 * page on this host) cannot plant one. Plain names there are ignored. Over plain HTTP, where no
 * prefix can help, the plain names are used.
 */
export const HOST_PREFIX = '__Host-';

export function cookieNames(secure: boolean): { session: string; csrf: string } {
  return secure ? { session: `${HOST_PREFIX}${SESSION_COOKIE}`, csrf: CSRF_COOKIE_HTTPS } : { session: SESSION_COOKIE, csrf: CSRF_COOKIE };
}

export interface Authentication {
  actor: Actor | null;
  /** The session, when the actor came from the session cookie (CSRF is checked against it). */
  session: Session | null;
  /** Why a user the proxy asserted was given no role (then 403, not 401). */
  refused?: string;
}

function normalizeAddress(a: string): string {
  return unmapIPv4(unbracket(a.trim()));
}

const PEER_PROBLEMS: Record<PeerProblem, string> = {
  'no-secret':
    'this process was not started by bin/next-server.mjs (`npm start`; e.g. `next start` or a standalone build): no request carries a verifiable peer address',
  unstamped: 'a request came without the peer stamp of bin/next-server.mjs',
  'bad-stamp': 'a request carried an x-lvs-peer stamp that does not verify (forged, or from another process)',
};
/** Per process, not per module copy: pages and route handlers are bundled separately. */
const warned = ((globalThis as unknown as Record<symbol, Set<PeerProblem> | undefined>)[Symbol.for('lvs-console.peer-problems-logged')] ??= new Set<PeerProblem>());

/**
 * The address of the TCP peer (the client, or a proxy in front of it), as stamped by the launcher
 * (bin/next-server.mjs). 'unknown' when the stamp is missing or wrong: then no address is a
 * trusted proxy and no address-based grant applies. Each kind of failure is logged once.
 */
export function peerAddress(req: Request): string {
  const v = verifyPeer(req.headers.get(PEER_HEADER), req.headers.get(STAMP_HEADER));
  if (v.peer !== null) return normalizeAddress(v.peer);
  if (!warned.has(v.problem)) {
    warned.add(v.problem);
    console.warn(`[auth] ${PEER_PROBLEMS[v.problem]}: such peers are 'unknown' (auth.trustedProxies, auth.proxyAuth and metrics.allow grant them nothing). Start the console with \`npm start\`.`);
  }
  return 'unknown';
}

export function fromTrustedProxy(req: Request, config: AuthConfig): boolean {
  return config.trustedProxies.map(normalizeAddress).includes(peerAddress(req));
}

/** The client's address: the peer, or, behind a trusted proxy, the nearest untrusted X-Forwarded-For hop. */
export function sourceAddressWith(req: Request, config: AuthConfig): string {
  const peer = peerAddress(req);
  if (!fromTrustedProxy(req, config)) return peer;
  const trusted = new Set(config.trustedProxies.map(normalizeAddress));
  const hops = (req.headers.get('x-forwarded-for') ?? '').split(',').map(normalizeAddress).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop !== undefined && !trusted.has(hop)) return hop;
  }
  return peer;
}

/** Whether the browser reached the console over HTTPS (directly, or per a trusted proxy). */
export function isHttps(req: Request, config: AuthConfig): boolean {
  if (fromTrustedProxy(req, config)) {
    const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
    if (proto) return proto === 'https';
  }
  return new URL(req.url).protocol === 'https:';
}

/** Whether this request's cookies are (to be) Secure, and so `__Host-` named. */
export function cookiesSecure(req: Request, config: AuthConfig): boolean {
  return config.cookieSecure === 'auto' ? isHttps(req, config) : config.cookieSecure;
}

/** Every value of the cookie `name`, in the order the browser sent them (several may arrive). */
export function readCookies(req: Request, name: string): string[] {
  const header = req.headers.get('cookie');
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** Session cookies tried per request at most (a request may carry planted or stale ones). */
const MAX_SESSION_CANDIDATES = 4;

const PROXY_USER = /^[\w.@+-]{1,128}$/;

export function authenticateWith(req: Request, svc: AuthService): Authentication {
  const source = sourceAddressWith(req, svc.config);
  const authorization = req.headers.get('authorization');
  if (authorization !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const token = m?.[1] ? svc.store.useToken(m[1]) : null;
    if (!token) return { actor: null, session: null };
    return { actor: { name: `token:${token.name}`, role: token.role, clusters: token.clusters, via: 'token', source }, session: null };
  }

  // Several session cookies of the name may arrive (one planted by a sibling subdomain over plain
  // HTTP, a stale one): the first that is a live session wins.
  const sids = readCookies(req, cookieNames(cookiesSecure(req, svc.config)).session).slice(0, MAX_SESSION_CANDIDATES);
  for (const sid of sids) {
    const session = svc.store.getSession(sid);
    const t = svc.now();
    if (session) {
      const idleMs = svc.config.session.idleMinutes * 60_000;
      const absoluteMs = svc.config.session.absoluteHours * 3_600_000;
      const account = findAccount(svc, session.user);
      if (t - session.last_seen_at >= idleMs || t - session.created_at >= absoluteMs || !account) {
        svc.store.deleteSession(session.id_hash);
      } else {
        // Writes at most every 15 s per session: idle expiry does not need finer steps.
        if (t - session.last_seen_at >= 15_000) svc.store.touchSession(session.id_hash, t);
        return { actor: { name: account.name, role: account.role, clusters: account.clusters, via: 'session', source }, session };
      }
    }
  }

  const proxy = svc.config.proxyAuth;
  if (proxy && fromTrustedProxy(req, svc.config)) {
    const user = req.headers.get(proxy.userHeader)?.trim();
    if (user && PROXY_USER.test(user)) {
      const decision = proxyUserGrant(req.headers, proxy);
      if (!decision.ok) return { actor: null, session: null, refused: `${user}: ${decision.reason}` };
      return { actor: { name: user, role: decision.grant.role, clusters: decision.grant.clusters, via: 'proxy', source }, session: null };
    }
  }
  return { actor: null, session: null };
}

/** Hashes of every session id the request carries, under either name (for login and logout). */
export function sessionIdHashes(req: Request): string[] {
  return [...readCookies(req, cookieNames(true).session), ...readCookies(req, cookieNames(false).session)]
    .slice(0, MAX_SESSION_CANDIDATES * 2)
    .map((sid) => sha256(sid));
}

// --- CSRF -----------------------------------------------------------------------------------

/**
 * A state-changing request riding on ambient credentials (session cookie, proxy header) must come
 * from this console's own pages: same-origin Origin / Sec-Fetch-Site. Returns why not, or null.
 */
export function crossOriginReason(req: Request, config: AuthConfig): string | null {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.get('origin');
  if (origin === null) {
    return site === 'same-origin' ? null : 'request refused: no Origin or Sec-Fetch-Site header shows it came from this console';
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `request refused: Origin "${origin.slice(0, 100)}" is not a URL`;
  }
  const hosts = [req.headers.get('host')];
  if (fromTrustedProxy(req, config)) hosts.push(req.headers.get('x-forwarded-host')?.split(',')[0]?.trim() ?? null);
  if (!hosts.some((h) => h !== null && h.toLowerCase() === originHost.toLowerCase())) {
    return `cross-origin request refused: Origin ${origin.slice(0, 100)} is not this console`;
  }
  return null;
}

/** The session's CSRF token must come back in the x-csrf-token header. Returns why not, or null. */
export function csrfTokenReason(req: Request, session: Session): string | null {
  const sent = req.headers.get(CSRF_HEADER);
  if (!sent) return 'CSRF token missing: send the x-csrf-token header (the lvs_csrf or __Host-lvs_csrf cookie value)';
  return sameSecret(sent, session.csrf) ? null : 'CSRF token does not match this session: reload the page';
}
