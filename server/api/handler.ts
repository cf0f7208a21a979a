import 'server-only';
import { NextResponse } from 'next/server';
import type { Actor, Role } from '@/lib/models/auth';
import { roleAtLeast } from '@/lib/models/auth';
import { authenticate } from '@/server/auth/authenticate';
import { ApiError, errorResponse } from './errors';

// A route handler is this wrapper plus one call into server/ (habit 5). Access is decided here,
// in one place: every route declares the role it needs, and a test (app/api/routes.test.ts)
// fails when a route does not.

type Ctx<P> = { params: Promise<P> };

export interface RouteAccess<P> {
  /** 'public': anyone, even unauthenticated (only the health endpoint). */
  role: Role | 'public';
  /** For cluster-scoped roles: the cluster this request acts on, from its route params. */
  cluster?: (params: P) => string;
}

export type RouteFn<P> = (req: Request, params: P, actor: Actor | null) => unknown;

export type Handler<P> = ((req: Request, ctx: Ctx<P>) => Promise<NextResponse>) & { access: RouteAccess<P> };

export function handle<P = Record<string, never>>(access: RouteAccess<P>, fn: RouteFn<P>): Handler<P> {
  const h = async (req: Request, ctx: Ctx<P>): Promise<NextResponse> => {
    try {
      const params = await ctx.params;
      const actor = authenticate(req);
      if (access.role !== 'public' && access.role !== 'viewer') {
        if (!actor) throw new ApiError('unauthorized', 'log in first');
        if (!roleAtLeast(actor.role, access.role)) throw new ApiError('forbidden', `this needs the ${access.role} role; you are ${actor.role}`);
        const cluster = access.cluster?.(params);
        if (cluster !== undefined && actor.clusters !== null && !actor.clusters.includes(cluster)) {
          throw new ApiError('forbidden', `your role does not cover cluster ${cluster}`);
        }
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
