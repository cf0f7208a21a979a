import 'server-only';
import { Role, roleAtLeast } from '@/lib/models/auth';
import type { ProxyAuthConfig, ProxyGroupGrant } from '@/server/config/schema';

// What a user asserted by the trusted proxy may do: from its groups (auth.proxyAuth.groupsHeader +
// groups), from a role header, or the default role. Pure: the headers in, a grant or a refusal out.
//
// Several groups: the role is the highest any of them grants, on the union of the clusters of the
// groups that grant that role (every cluster when one of them is unrestricted). A lower role's
// clusters do not join: an actor has one role for all its clusters, so "admin on staging" plus
// "viewer everywhere" is admin on staging, never admin everywhere.

export interface ProxyGrant {
  role: Role;
  /** null: every cluster. */
  clusters: string[] | null;
}

/** Group names from a comma-separated header (what oauth2-proxy, Authelia and the like send). */
export function parseGroupsHeader(value: string | null): string[] {
  if (!value) return [];
  return [...new Set(value.split(',').map((g) => g.trim()).filter(Boolean))].slice(0, 1000);
}

/** The grant of these groups under `map`, or null when none of them is mapped. */
export function grantFromGroups(groups: readonly string[], map: Readonly<Record<string, ProxyGroupGrant>>): ProxyGrant | null {
  // Own keys only: a group called "constructor" or "__proto__" must not find Object's.
  const grants = groups.filter((g) => Object.hasOwn(map, g)).map((g) => map[g] as ProxyGroupGrant);
  if (grants.length === 0) return null;
  const top = grants.reduce<Role>((best, g) => (roleAtLeast(best, g.role) ? best : g.role), 'viewer');
  const atTop = grants.filter((g) => g.role === top);
  if (atTop.some((g) => g.clusters === undefined)) return { role: top, clusters: null };
  return { role: top, clusters: [...new Set(atTop.flatMap((g) => g.clusters ?? []))].sort() };
}

export type ProxyDecision = { ok: true; grant: ProxyGrant } | { ok: false; reason: string };

export function proxyUserGrant(headers: Headers, proxy: ProxyAuthConfig): ProxyDecision {
  const fallback = (why: string): ProxyDecision =>
    proxy.defaultRole === 'none' ? { ok: false, reason: why } : { ok: true, grant: { role: proxy.defaultRole, clusters: null } };
  if (proxy.groupsHeader !== undefined && proxy.groups !== undefined) {
    const groups = parseGroupsHeader(headers.get(proxy.groupsHeader));
    const grant = grantFromGroups(groups, proxy.groups);
    if (grant) return { ok: true, grant };
    const named = groups.length === 0 ? 'no groups' : `groups ${groups.slice(0, 5).join(', ')}${groups.length > 5 ? ', …' : ''}`;
    return fallback(`the proxy user's ${named} grant no role on this console (auth.proxyAuth.groups)`);
  }
  if (proxy.roleHeader !== undefined) {
    const asserted = Role.safeParse(headers.get(proxy.roleHeader)?.trim());
    if (asserted.success) return { ok: true, grant: { role: asserted.data, clusters: null } };
    return fallback('the proxy sent no role for this user');
  }
  return fallback('proxy users get no role (auth.proxyAuth.defaultRole: none)');
}
