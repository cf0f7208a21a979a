import { handle } from '@/server/api/handler';
import { removeUser } from '@/server/api/admin';

export const dynamic = 'force-dynamic';

// DELETE /api/admin/users/:name - removes a database account and ends its sessions
export const DELETE = handle<{ name: string }>({ role: 'admin' }, (_req, { name }, actor) => removeUser(name, actor));
