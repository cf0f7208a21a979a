import { handle } from '@/server/api/handler';
import { getAudit } from '@/server/api/read/audit';

export const dynamic = 'force-dynamic';

// GET /api/audit?limit=&before=&cluster=&action= - the audit log, newest first
export const GET = handle({ role: 'viewer' }, (req, _p, actor) => getAudit(actor, new URL(req.url).searchParams));
