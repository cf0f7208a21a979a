import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '@/server/config/load';
import { ProxyAuthConfig, type ProxyGroupGrant } from '@/server/config/schema';
import { grantFromGroups, parseGroupsHeader, proxyUserGrant } from './proxy-groups';

// Issue 14, item 14: proxy users limited to clusters through a groups-to-role/clusters map.

const MAP: Record<string, ProxyGroupGrant> = {
  'lvs-staging-ops': { role: 'operator', clusters: ['staging'] },
  'lvs-prod-ops': { role: 'operator', clusters: ['prod'] },
  'lvs-staging-admins': { role: 'admin', clusters: ['staging'] },
  'lvs-viewers': { role: 'viewer' },
  'lvs-ops': { role: 'operator' },
};

describe('grantFromGroups', () => {
  it.each([
    [['lvs-staging-ops'], { role: 'operator', clusters: ['staging'] }],
    [['lvs-staging-ops', 'lvs-prod-ops'], { role: 'operator', clusters: ['prod', 'staging'] }],
    [['lvs-staging-ops', 'lvs-ops'], { role: 'operator', clusters: null }],
    [['lvs-viewers'], { role: 'viewer', clusters: null }],
    // The highest role, on the clusters of the groups granting it: never admin everywhere.
    [['lvs-staging-admins', 'lvs-viewers'], { role: 'admin', clusters: ['staging'] }],
    [['lvs-viewers', 'lvs-staging-admins', 'lvs-prod-ops'], { role: 'admin', clusters: ['staging'] }],
    [['lvs-staging-ops', 'unmapped'], { role: 'operator', clusters: ['staging'] }],
    [['unmapped', 'other'], null],
    [[], null],
    [['constructor', '__proto__', 'toString', 'hasOwnProperty'], null],
  ])('%j -> %j', (groups, expected) => {
    expect(grantFromGroups(groups, MAP)).toEqual(expected);
  });

  it('parses the comma-separated header, trimming and dropping duplicates and empties', () => {
    expect(parseGroupsHeader(' lvs-ops , lvs-viewers,,lvs-ops ')).toEqual(['lvs-ops', 'lvs-viewers']);
    expect(parseGroupsHeader(null)).toEqual([]);
  });
});

describe('proxyUserGrant', () => {
  const withGroups = ProxyAuthConfig.parse({ groupsHeader: 'x-forwarded-groups', groups: MAP });
  const h = (o: Record<string, string>) => new Headers(o);

  it('with groups: the grant of the groups; no mapped group is refused (default role: none)', () => {
    expect(withGroups.defaultRole).toBe('none');
    expect(proxyUserGrant(h({ 'x-forwarded-groups': 'lvs-staging-ops' }), withGroups)).toEqual({ ok: true, grant: { role: 'operator', clusters: ['staging'] } });
    // A role header means nothing here.
    expect(proxyUserGrant(h({ 'x-forwarded-groups': 'lvs-staging-ops', 'x-forwarded-role': 'admin' }), withGroups)).toEqual({ ok: true, grant: { role: 'operator', clusters: ['staging'] } });
    const none = proxyUserGrant(h({ 'x-forwarded-groups': 'marketing' }), withGroups);
    expect(none).toEqual({ ok: false, reason: expect.stringMatching(/groups marketing grant no role on this console/) as unknown });
    expect(proxyUserGrant(h({}), withGroups)).toEqual({ ok: false, reason: expect.stringMatching(/no groups grant no role/) as unknown });
  });

  it('with groups and an explicit default role, unmapped users get it (unrestricted)', () => {
    const p = ProxyAuthConfig.parse({ groupsHeader: 'x-forwarded-groups', groups: MAP, defaultRole: 'viewer' });
    expect(proxyUserGrant(h({ 'x-forwarded-groups': 'marketing' }), p)).toEqual({ ok: true, grant: { role: 'viewer', clusters: null } });
  });

  it('role header and default role work as before; defaultRole none refuses', () => {
    const p = ProxyAuthConfig.parse({ roleHeader: 'x-forwarded-role' });
    expect(p.defaultRole).toBe('viewer');
    expect(proxyUserGrant(h({ 'x-forwarded-role': 'operator' }), p)).toEqual({ ok: true, grant: { role: 'operator', clusters: null } });
    expect(proxyUserGrant(h({ 'x-forwarded-role': 'root' }), p)).toEqual({ ok: true, grant: { role: 'viewer', clusters: null } });
    const strict = ProxyAuthConfig.parse({ roleHeader: 'x-forwarded-role', defaultRole: 'none' });
    expect(proxyUserGrant(h({}), strict).ok).toBe(false);
  });
});

describe('configuration of proxy groups', () => {
  const config = (proxyAuth: string) => `
clusters:
  - name: staging
    directors: [{ name: d1, host: 192.0.2.1, user: lvs, agent: true, hostKey: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" }]
  - name: prod
    directors: [{ name: d1, host: 192.0.2.2, user: lvs, agent: true, hostKey: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" }]
auth:
  trustedProxies: [10.0.0.5]
  proxyAuth:
${proxyAuth}
`;
  const err = (text: string): string => {
    try {
      parseConfigText(text, '/etc/lvs/console.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('accepts a groups map and resolves the default role', () => {
    const c = parseConfigText(config('    groupsHeader: x-forwarded-groups\n    groups:\n      lvs-staging-ops: { role: operator, clusters: [staging] }\n      lvs-admins: { role: admin }'), '/etc/lvs/console.yaml');
    expect(c.auth.proxyAuth).toMatchObject({ groupsHeader: 'x-forwarded-groups', defaultRole: 'none', groups: { 'lvs-staging-ops': { role: 'operator', clusters: ['staging'] } } });
  });

  it.each([
    ['    groupsHeader: x-forwarded-groups', 'auth.proxyAuth.groups: groupsHeader needs groups'],
    ['    groups:\n      ops: { role: operator }', 'auth.proxyAuth.groupsHeader: groups needs groupsHeader'],
    ['    roleHeader: x-forwarded-role\n    groupsHeader: x-forwarded-groups\n    groups:\n      ops: { role: operator }', 'auth.proxyAuth.roleHeader: set roleHeader or groupsHeader, not both'],
    ['    groupsHeader: g\n    groups:\n      ops: { role: operator, clusters: [stagin] }', 'auth.proxyAuth.groups.ops.clusters: proxy group "ops": no cluster named "stagin"'],
    ['    groupsHeader: g\n    groups:\n      ops: { role: root }', 'auth.proxyAuth.groups.ops.role'],
    ['    groupsHeader: g\n    groups:\n      ops: { role: operator, cluster: [staging] }', 'unknown key auth.proxyAuth.groups.ops.cluster'],
    ['    groupsHeader: g\n    groups:\n      "cn=ops,dc=example": { role: operator }', 'without commas'],
  ])('refuses %j with a clear message', (proxyAuth, message) => {
    expect(err(config(proxyAuth))).toContain(message);
  });
});
