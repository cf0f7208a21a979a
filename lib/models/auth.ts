import { z } from 'zod/mini';

// Who may do what. Roles are ordered: each includes the rights of those before it.

export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

// Cluster scope: a role, account, token or webhook limited to some clusters carries their names;
// null (or absent) means every cluster. These two are the only places that read a scope.

/** Whether a role limited to `scope` (null or undefined: every cluster) covers `cluster`. */
export function coversCluster(scope: readonly string[] | null | undefined, cluster: string): boolean {
  return scope == null || scope.includes(cluster);
}

/** Whether an account or token limited to `clusters` (null: every cluster) lies within `scope`. */
export function withinScope(scope: readonly string[] | null, clusters: readonly string[] | null | undefined): boolean {
  if (scope === null) return true;
  return !!clusters && clusters.length > 0 && clusters.every((c) => scope.includes(c));
}

/** The authenticated caller of a request, as the server sees it (never holds a secret). */
export const Actor = z.object({
  /** Account name, token name ("token:NAME") or proxy-asserted user. */
  name: z.string(),
  role: Role,
  /** null: every cluster; otherwise the clusters this role applies to. */
  clusters: z.nullable(z.array(z.string())),
  via: z.enum(['session', 'token', 'proxy']),
  /** The client address the request came from (after trusted-proxy handling). */
  source: z.string(),
});
export type Actor = z.infer<typeof Actor>;

/** What the browser may know about itself (GET /api/me). */
export const Me = z.pick(Actor, { name: true, role: true, clusters: true, via: true });
export type Me = z.infer<typeof Me>;

/** Name of the (readable, not HttpOnly) cookie holding the session's CSRF token (over HTTP). */
export const CSRF_COOKIE = 'lvs_csrf';
/** Its name over HTTPS (server/auth/authenticate.ts: no sibling subdomain can plant it). */
export const CSRF_COOKIE_HTTPS = `__Host-${CSRF_COOKIE}`;
/** Header every state-changing browser request carries (server/auth/authenticate.ts checks it). */
export const CSRF_HEADER = 'x-csrf-token';
