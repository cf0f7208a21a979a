import { handle } from '@/server/api/handler';

export const dynamic = 'force-dynamic';

// GET /api/health - liveness for load balancers and systemd; reveals nothing, needs no login.
export const GET = handle({ role: 'public' }, () => ({ ok: true }));
