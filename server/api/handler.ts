import 'server-only';
import { NextResponse } from 'next/server';
import { errorResponse } from './errors';

// A route handler is this wrapper plus one call into server/ (habit 5).
// Auth is added here in one place when access control lands.

type Ctx<P> = { params: Promise<P> };

export function handle<P = Record<string, never>>(fn: (req: Request, params: P) => unknown) {
  return async (req: Request, ctx: Ctx<P>): Promise<NextResponse> => {
    try {
      const params = await ctx.params;
      const body = await fn(req, params);
      if (body instanceof NextResponse) return body;
      return NextResponse.json(body, { headers: { 'cache-control': 'no-store' } });
    } catch (e) {
      return errorResponse(e);
    }
  };
}
