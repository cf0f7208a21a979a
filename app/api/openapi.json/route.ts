import { handle } from '@/server/api/handler';
import { openApiDocument } from '@/server/api/openapi';

export const dynamic = 'force-dynamic';

// GET /api/openapi.json - the OpenAPI 3.1 document of this API, generated from the routes' zod schemas
export const GET = handle({ role: 'viewer' }, () => openApiDocument());
