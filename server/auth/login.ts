import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { CSRF_COOKIE } from '@/lib/api/client';
import type { Actor, Me } from '@/lib/models/auth';
import { ApiError } from '@/server/api/errors';
import { SESSION_COOKIE, isHttps, sessionIdHash, sourceAddressWith } from './authenticate';
import { verifyNobody, verifyPassword } from './password';
import { findAccount, getAuth, type AuthService } from './service';

// Log in (local accounts: config or `lvsctl user add`), log out, and who am I. A failed login
// says only "wrong user name or password", whichever part was wrong, and counts against both the
// source address and the user name; past the limit, 429 with Retry-After.

export const LoginBody = z
  .object({
    name: z.string().trim().min(1, 'enter a user name').max(128),
    password: z.string().min(1, 'enter a password').max(1024),
  })
  .strict();

export const LOGIN_FAILED = 'wrong user name or password';

function cookieOptions(req: Request, svc: AuthService, maxAgeSeconds: number) {
  const secure = svc.config.cookieSecure === 'auto' ? isHttps(req, svc.config) : svc.config.cookieSecure;
  return { sameSite: 'strict' as const, secure, path: '/', maxAge: maxAgeSeconds };
}

export async function loginWith(req: Request, svc: AuthService): Promise<NextResponse> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new ApiError('bad-request', 'send a JSON body: {"name": ..., "password": ...}');
  }
  const { name, password } = LoginBody.parse(raw);
  const source = sourceAddressWith(req, svc.config);
  const keys = [`address:${source}`, `user:${name.toLowerCase()}`];
  const audit = (outcome: 'ok' | 'refused', message: string, role: string | null = null) => {
    const e = { actor: name, role, source, action: 'login', cluster: null, target: null, outcome, detail: { message } };
    // Refusals are counted per source and minute (the typed name is not trusted: it does not split the count).
    if (outcome === 'refused') svc.audit.refusals.record(e, { kind: 'login', by: null });
    else svc.audit.append(e);
  };

  const limited = svc.limiter.check(keys);
  if (!limited.ok) {
    audit('refused', `too many failed logins; refused for ${limited.retryAfterSeconds} s`);
    return NextResponse.json(
      { error: { code: 'rate-limited', message: `too many failed logins: try again in ${limited.retryAfterSeconds} s` } },
      { status: 429, headers: { 'retry-after': String(limited.retryAfterSeconds), 'cache-control': 'no-store' } },
    );
  }

  const account = findAccount(svc, name);
  const ok = account ? await verifyPassword(password, account.passwordHash) : await verifyNobody(password);
  if (!account || !ok) {
    svc.limiter.fail(keys);
    audit('refused', account ? 'wrong password' : 'no such user');
    throw new ApiError('unauthorized', LOGIN_FAILED);
  }

  // A new session id at every login (no fixation); the one this browser had, if any, ends.
  const previous = sessionIdHash(req);
  if (previous) svc.store.deleteSession(previous);
  svc.store.deleteExpiredSessions(svc.config.session.idleMinutes * 60_000, svc.config.session.absoluteHours * 3_600_000);
  const session = svc.store.createSession(account);
  audit('ok', 'logged in', account.role);
  const me: Me = { name: account.name, role: account.role, clusters: account.clusters, via: 'session' };
  const res = NextResponse.json(me, { headers: { 'cache-control': 'no-store' } });
  const maxAge = svc.config.session.absoluteHours * 3600;
  res.cookies.set(SESSION_COOKIE, session.id, { ...cookieOptions(req, svc, maxAge), httpOnly: true });
  // Readable by the page's script, which echoes it in x-csrf-token; useless without the session.
  res.cookies.set(CSRF_COOKIE, session.csrf, { ...cookieOptions(req, svc, maxAge), httpOnly: false });
  return res;
}

export function login(req: Request): Promise<NextResponse> {
  return loginWith(req, getAuth());
}

export function logoutWith(req: Request, actor: Actor, svc: AuthService): NextResponse {
  const idHash = sessionIdHash(req);
  if (idHash) svc.store.deleteSession(idHash);
  svc.audit.append({ actor: actor.name, role: actor.role, source: actor.source, action: 'logout', cluster: null, target: null, outcome: 'ok', detail: { via: actor.via } });
  const res = NextResponse.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
  for (const name of [SESSION_COOKIE, CSRF_COOKIE]) res.cookies.set(name, '', { ...cookieOptions(req, svc, 0), httpOnly: name === SESSION_COOKIE });
  return res;
}

export function logout(req: Request, actor: Actor | null): NextResponse {
  if (!actor) throw new ApiError('unauthorized', 'not logged in');
  return logoutWith(req, actor, getAuth());
}

export function me(actor: Actor | null): Me {
  if (!actor) throw new ApiError('unauthorized', 'not logged in');
  return { name: actor.name, role: actor.role, clusters: actor.clusters, via: actor.via };
}
