import 'server-only';
import type { Actor } from '@/lib/models/auth';

// PLACEHOLDER until access control (#7) lands: resolves the request's actor from its session
// cookie, API token or trusted proxy header. Until then nobody is authenticated, so routes that
// need `operator` or `admin` refuse everyone, and `viewer` routes answer anonymously.

export function authenticate(_req: Request): Actor | null {
  return null;
}

/** The client's address as the server sees it (trusted-proxy handling belongs here). */
export function sourceAddress(req: Request): string {
  return req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}
