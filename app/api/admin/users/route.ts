import { handle } from '@/server/api/handler';
import { addUser, listUsers } from '@/server/auth/admin';

export const dynamic = 'force-dynamic';

// GET /api/admin/users - every account (config and database), never a password hash
export const GET = handle({ role: 'admin' }, () => listUsers());

// POST /api/admin/users - {name, password, role, clusters?} adds a database account
export const POST = handle({ role: 'admin' }, (req, _p, actor) => addUser(req, actor));
