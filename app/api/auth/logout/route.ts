import { handle } from '@/server/api/handler';
import { logout } from '@/server/api/login';

export const dynamic = 'force-dynamic';

// POST /api/auth/logout - ends this session and clears its cookies
export const POST = handle({ role: 'viewer' }, (req, _p, actor) => logout(req, actor));
