import { handle } from '@/server/api/handler';
import { revokeToken } from '@/server/api/admin';

export const dynamic = 'force-dynamic';

// DELETE /api/admin/tokens/:name - revokes the token (it stops working at once)
export const DELETE = handle<{ name: string }>({ role: 'admin' }, (_req, { name }, actor) => revokeToken(name, actor));
