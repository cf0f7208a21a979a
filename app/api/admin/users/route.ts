import { handle } from '@/server/api/handler';
import { addUser, listUsers } from '@/server/api/admin';

export const dynamic = 'force-dynamic';

// GET /api/admin/users - every account (config and database) within the admin's clusters, never a password hash
export const GET = handle({ role: 'admin' }, (_req, _p, actor) => listUsers(actor));

// POST /api/admin/users - {name, password, role, clusters?} adds a database account
export const POST = handle({ role: 'admin' }, (req, _p, actor) => addUser(req, actor));
