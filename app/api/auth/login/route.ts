import { handle } from '@/server/api/handler';
import { login } from '@/server/api/login';

export const dynamic = 'force-dynamic';

// POST /api/auth/login - {name, password} -> session cookie (HttpOnly) and CSRF cookie; rate-limited
export const POST = handle({ role: 'public' }, (req) => login(req));
