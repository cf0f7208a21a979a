import { handle } from '@/server/api/handler';
import { health } from '@/server/api/health';

export const dynamic = 'force-dynamic';

// GET /api/health - liveness for load balancers and systemd; needs no login, and says only whether
// this console reaches its store (503 when not: a balancer in front of several consoles sends
// operators to one that does).
export const GET = handle({ role: 'public' }, () => health());
