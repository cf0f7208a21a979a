import { describe, expect, it } from 'vitest';
import { MetricsConfig } from './metrics-schema';

describe('metrics configuration', () => {
  it('defaults: per-real-server series on, no token, nobody allowed without a login', () => {
    expect(MetricsConfig.parse({})).toEqual({ perRealServer: true, allow: [] });
  });
  it('accepts addresses and CIDR blocks of both families', () => {
    expect(MetricsConfig.parse({ allow: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '::1'] }).allow).toHaveLength(4);
  });
  it.each(['10.0.0.0/33', '10.0.0/8', 'example.org', '2001:db8::/129', '10.0.0.1/8/9', '10.0.0.0/'])('refuses %s', (entry) => {
    const r = MetricsConfig.safeParse({ allow: [entry] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/IP address or CIDR block/);
  });
  it('takes the token only as an environment reference, and refuses unknown keys', () => {
    expect(MetricsConfig.safeParse({ token: 'env:PROM_TOKEN' }).success).toBe(true);
    expect(MetricsConfig.safeParse({ token: 'a-literal-secret' }).error?.issues[0]?.message).toMatch(/env:NAME/);
    expect(MetricsConfig.safeParse({ perRealServers: false }).success).toBe(false);
  });
});
