import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import type { Actor, Me } from '@/lib/models/auth';
import { LOGIN_BODY_LIMIT, readJsonBody } from '@/server/api/body';
import { ApiError } from '@/server/api/errors';
import { cookieNames, cookiesSecure, sessionIdHashes, sourceAddressWith } from '@/server/auth/authenticate';
import { isPasswordHashBusy, verifyNobody, verifyPassword } from '@/server/auth/password';
import { findAccount, type AuthService } from '@/server/auth/service';
import { getAuth } from '@/server/runtime';

// Log in (local accounts: config or `lvsctl user add`), log out, and who am I. A failed login
// says only "wrong user name or password", whichever part was wrong, and counts against both the
// source address and the user name; past the limit, 429 with Retry-After. The attempt is counted
// before the password is checked (and given back when it was right), so parallel guesses cannot
// slip past the limit; when too many password checks are running already, 503 at once.

export const LoginBody = z
  .object({
    name: z.string().trim().min(1, 'enter a user name').max(128),
    password: z.string().min(1, 'enter a password').max(1024),
  })
  .strict();

export const LOGIN_FAILED = 'wrong user name or password';

/** Path=/ and no Domain always (what the __Host- prefix requires when Secure). */
function cookieOptions(secure: boolean, maxAgeSeconds: number) {
  return { sameSite: 'strict' as const, secure, path: '/', maxAge: maxAgeSeconds };
}

export async function loginWith(req: Request, svc: AuthService): Promise<NextResponse> {
  const raw = await readJsonBody(req, LOGIN_BODY_LIMIT, 'send a JSON body: {"name": ..., "password": ...}');
  const { name, password } = LoginBody.parse(raw);
  const source = sourceAddressWith(req, svc.config);
  const keys = [`address:${source}`, `user:${name.toLowerCase()}`];
  const audit = (outcome: 'ok' | 'refused', message: string, role: string | null = null) => {
    const e = { actor: name, role, source, action: 'login', cluster: null, target: null, outcome, detail: { message } };
    // Refusals are counted per source and minute (the typed name is not trusted: it does not split the count).
    if (outcome === 'refused') svc.audit.refusals.record(e, { kind: 'login', by: null });
    else svc.audit.append(e);
  };

  const limited = svc.limiter.reserve(keys);
  if (!limited.ok) {
    audit('refused', `too many failed logins; refused for ${limited.retryAfterSeconds} s`);
    return NextResponse.json(
      { error: { code: 'rate-limited', message: `too many failed logins: try again in ${limited.retryAfterSeconds} s` } },
      { status: 429, headers: { 'retry-after': String(limited.retryAfterSeconds), 'cache-control': 'no-store' } },
    );
  }

  const account = findAccount(svc, name);
  let ok: boolean;
  try {
    ok = account ? await verifyPassword(password, account.passwordHash) : await verifyNobody(password);
  } catch (e) {
    // Not evaluated: the attempt does not count.
    svc.limiter.giveBack(limited.reservation);
    if (!isPasswordHashBusy(e)) throw e;
    audit('refused', 'too many logins at once; refused without checking the password');
    return NextResponse.json(
      { error: { code: 'unavailable', message: 'too many logins at once: try again in a moment' } },
      { status: 503, headers: { 'retry-after': '1', 'cache-control': 'no-store' } },
    );
  }
  if (!account || !ok) {
    // Already counted by reserve().
    audit('refused', account ? 'wrong password' : 'no such user');
    throw new ApiError('unauthorized', LOGIN_FAILED);
  }
  svc.limiter.giveBack(limited.reservation);

  // A new session id at every login (no fixation); the one this browser had, if any, ends.
  for (const previous of sessionIdHashes(req)) svc.store.deleteSession(previous);
  svc.store.deleteExpiredSessions(svc.config.session.idleMinutes * 60_000, svc.config.session.absoluteHours * 3_600_000);
  const session = svc.store.createSession(account);
  audit('ok', 'logged in', account.role);
  const me: Me = { name: account.name, role: account.role, clusters: account.clusters, via: 'session' };
  const res = NextResponse.json(me, { headers: { 'cache-control': 'no-store' } });
  const maxAge = svc.config.session.absoluteHours * 3600;
  const secure = cookiesSecure(req, svc.config);
  const names = cookieNames(secure);
  res.cookies.set(names.session, session.id, { ...cookieOptions(secure, maxAge), httpOnly: true });
  // Readable by the page's script, which echoes it in x-csrf-token; useless without the session.
  res.cookies.set(names.csrf, session.csrf, { ...cookieOptions(secure, maxAge), httpOnly: false });
  return res;
}

export function login(req: Request): Promise<NextResponse> {
  return loginWith(req, getAuth());
}

export function logoutWith(req: Request, actor: Actor, svc: AuthService): NextResponse {
  for (const idHash of sessionIdHashes(req)) svc.store.deleteSession(idHash);
  svc.audit.append({ actor: actor.name, role: actor.role, source: actor.source, action: 'logout', cluster: null, target: null, outcome: 'ok', detail: { via: actor.via } });
  const res = NextResponse.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
  // Over HTTPS the plain names (from before the __Host- names, or plain-HTTP use) go too.
  const secure = cookiesSecure(req, svc.config);
  const sets = secure ? [cookieNames(true), cookieNames(false)] : [cookieNames(false)];
  const cleared = new Map<string, { name: string; value: string; secure: boolean; httpOnly: boolean }>();
  for (const names of sets) {
    cleared.set(names.session, { name: names.session, value: '', secure, httpOnly: true });
    cleared.set(names.csrf, { name: names.csrf, value: '', secure, httpOnly: false });
  }
  for (const c of cleared.values()) res.cookies.set(c.name, c.value, { ...cookieOptions(c.secure, 0), httpOnly: c.httpOnly });
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
