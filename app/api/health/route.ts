import { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

// GET /api/health - liveness for load balancers and systemd; reveals nothing.
export function GET(): NextResponse {
  return NextResponse.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
