import { z } from 'zod';

// Who may do what. Roles are ordered: each includes the rights of those before it.

export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The authenticated caller of a request, as the server sees it (never holds a secret). */
export const Actor = z.object({
  /** Account name, token name ("token:NAME") or proxy-asserted user. */
  name: z.string(),
  role: Role,
  /** null: every cluster; otherwise the clusters this role applies to. */
  clusters: z.array(z.string()).nullable(),
  via: z.enum(['session', 'token', 'proxy']),
  /** The client address the request came from (after trusted-proxy handling). */
  source: z.string(),
});
export type Actor = z.infer<typeof Actor>;

/** What the browser may know about itself (GET /api/me). */
export const Me = Actor.pick({ name: true, role: true, clusters: true, via: true });
export type Me = z.infer<typeof Me>;

/** Name of the (readable, not HttpOnly) cookie holding the session's CSRF token (over HTTP). */
export const CSRF_COOKIE = 'lvs_csrf';
/** Its name over HTTPS (server/auth/authenticate.ts: no sibling subdomain can plant it). */
export const CSRF_COOKIE_HTTPS = `__Host-${CSRF_COOKIE}`;
/** Header every state-changing browser request carries (server/auth/authenticate.ts checks it). */
export const CSRF_HEADER = 'x-csrf-token';
