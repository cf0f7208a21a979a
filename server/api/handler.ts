import 'server-only';
import { NextResponse } from 'next/server';
import type { Actor, Role } from '@/lib/models/auth';
import { coversCluster, roleAtLeast } from '@/lib/models/auth';
import { authenticateWith, crossOriginReason, csrfTokenReason, sourceAddressWith } from '@/server/auth/authenticate';
import type { AuthService } from '@/server/auth/service';
import { getAuth } from '@/server/runtime';
import { ApiError, errorResponse, isServerApiError } from './errors';

// A route handler is this wrapper plus one call into server/api/, so access control, error mapping
// and caching headers live in one place. Access is decided here,
// in one place: every route declares the role it needs, and a test (app/api/routes.test.ts)
// fails when a route does not. Order: who is calling (401), CSRF for cookie/proxy-authenticated
// state changes (403), role (403), cluster scope (403). Every refused state-changing request is
// recorded in the audit log before the refusal is sent (counted per source and minute).

type Ctx<P> = { params: Promise<P> };

export interface RouteAccess<P> {
  /** 'public': anyone, even unauthenticated (the health endpoint; login). */
  role: Role | 'public';
  /** For cluster-scoped roles: the cluster this request acts on, from its route params. */
  cluster?: (params: P) => string;
  /**
   * Safe methods only: lets a request in without an actor when this says yes (GET /metrics: a
   * scrape token or an allowed source address). Otherwise `role` applies as usual.
   */
  grant?: (req: Request, svc: AuthService) => boolean;
}

/** `actor` is non-null on every route whose role is not 'public', unless `grant` let the request in. */
export type RouteFn<P> = (req: Request, params: P, actor: Actor | null) => unknown;

export type Handler<P> = ((req: Request, ctx: Ctx<P>) => Promise<NextResponse>) & { access: RouteAccess<P> };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

function checkAccess<P>(req: Request, access: RouteAccess<P>, params: P, svc: AuthService): Actor | null {
  const mutating = isStateChanging(req.method);
  if (access.role === 'public') {
    // Login forms are CSRF targets too (logging a victim into the attacker's account).
    const why = mutating ? crossOriginReason(req, svc.config) : null;
    if (why) throw new ApiError('forbidden', why);
    return null;
  }
  if (!mutating && access.grant?.(req, svc)) return null;
  const { actor, session, refused } = authenticateWith(req, svc);
  if (!actor) throw new ApiError(refused ? 'forbidden' : 'unauthorized', refused ?? 'log in first: no valid session, API token or trusted proxy user');
  if (mutating && actor.via !== 'token') {
    // Bearer tokens are never sent by a browser on its own, so they need no CSRF defence.
    const why = crossOriginReason(req, svc.config) ?? (session ? csrfTokenReason(req, session) : null);
    if (why) throw new RefusedAs(actor, new ApiError('forbidden', why));
  }
  if (!roleAtLeast(actor.role, access.role)) {
    throw new RefusedAs(actor, new ApiError('forbidden', `this needs the ${access.role} role; you are ${actor.role}`));
  }
  const cluster = access.cluster?.(params);
  if (cluster !== undefined && !coversCluster(actor.clusters, cluster)) {
    throw new RefusedAs(actor, new ApiError('forbidden', `your ${actor.role} role does not cover cluster ${cluster}`));
  }
  return actor;
}

/** A refusal that knows who was refused (for the audit entry). */
class RefusedAs extends Error {
  constructor(
    readonly actor: Actor,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

/**
 * The path with its route parameters named ("/api/admin/tokens/[name]"), so that made-up names in
 * the path do not each count as a new kind of refusal. Matched from the right, each parameter once.
 */
export function routePattern(pathname: string, params: unknown): string {
  const left = new Map<string, string>();
  if (typeof params === 'object' && params !== null) {
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') left.set(k, v);
  }
  const segments = pathname.split('/');
  for (let i = segments.length - 1; i >= 0 && left.size > 0; i--) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segments[i] ?? '');
    } catch {
      continue;
    }
    for (const [k, v] of left) {
      if (v !== decoded) continue;
      segments[i] = `[${k}]`;
      left.delete(k);
      break;
    }
  }
  return segments.join('/');
}

function auditRefusal<P>(req: Request, access: RouteAccess<P>, params: P | undefined, actor: Actor | null, error: ApiError, svc: AuthService): void {
  let cluster: string | null = null;
  try {
    cluster = params === undefined ? null : (access.cluster?.(params) ?? null);
  } catch {
    cluster = null;
  }
  const pathname = new URL(req.url).pathname;
  try {
    // Counted per source and minute (server/audit/refusals.ts): a flood adds a row or two, not one each.
    svc.audit.refusals.record(
      {
        actor: actor?.name ?? 'anonymous',
        role: actor?.role ?? null,
        source: actor?.source ?? sourceAddressWith(req, svc.config),
        action: `${req.method} ${pathname}`,
        cluster,
        target: null,
        outcome: 'refused',
        detail: { status: error.code, message: error.message },
      },
      { kind: `${req.method} ${routePattern(pathname, params)}`, by: actor?.name ?? null },
    );
  } catch (e) {
    console.error('[audit] could not record a refused request', e);
  }
}

export function handle<P = Record<string, never>>(access: RouteAccess<P>, fn: RouteFn<P>): Handler<P> {
  const h = async (req: Request, ctx: Ctx<P>): Promise<NextResponse> => {
    let params: P | undefined;
    let svc: AuthService | undefined;
    try {
      params = await ctx.params;
      svc = getAuth();
      let actor: Actor | null;
      try {
        actor = checkAccess(req, access, params, svc);
      } catch (e) {
        const refused = e instanceof RefusedAs ? e.error : e;
        if (isServerApiError(refused) && isStateChanging(req.method)) {
          auditRefusal(req, access, params, e instanceof RefusedAs ? e.actor : null, refused, svc);
        }
        throw refused;
      }
      const body = await fn(req, params, actor);
      if (body instanceof NextResponse) return body;
      return NextResponse.json(body, { headers: { 'cache-control': 'no-store' } });
    } catch (e) {
      return errorResponse(e);
    }
  };
  return Object.assign(h, { access });
}
