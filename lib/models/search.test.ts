import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot, MergedRealServer, MergedService } from './cluster';
import { search, SearchQuery, searchEntries } from './search';

function rs(address: string, port: number): MergedRealServer {
  const key = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  return { key, address, port, forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 0, persistentConns: null, stats: null, rates: null, configuredWeight: 1, checkerAlive: true, health: 'up', perDirector: {}, differs: [] };
}

function service(key: string, address: string, port: number, realServers: MergedRealServer[]): MergedService {
  return { key, protocol: 'TCP', family: 'inet', address, port, fwmark: null, scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1', 'dir2'], stats: null, rates: null, realServers, differs: [] };
}

function snapshot(name: string, services: MergedService[]): ClusterSnapshot {
  return { name, takenAt: 1, pollIntervalMs: 2000, directors: [], instances: [], findings: [], services };
}

const lab = snapshot('lab', [
  service('TCP 192.0.2.100:80', '192.0.2.100', 80, [rs('192.0.2.11', 80), rs('192.0.2.12', 80)]),
  service('TCP 192.0.2.100:443', '192.0.2.100', 443, [rs('192.0.2.11', 443)]),
  service('TCP [2001:db8::100]:80', '2001:db8::100', 80, [rs('2001:db8::11', 80)]),
]);
const hosts = [
  { name: 'web-1', addresses: ['192.0.2.11', '2001:db8::11'] },
  { name: 'web-2', addresses: ['192.0.2.12'] },
];
const entries = searchEntries(lab, hosts);

describe('search', () => {
  it('finds a real server by its address, with its host name, and the host first', () => {
    const r = search(entries, '192.0.2.11');
    expect(r.hits[0]).toMatchObject({ kind: 'host', label: 'web-1 (192.0.2.11)', href: '/hosts/192.0.2.11', detail: 'lab · 2 services' });
    expect(r.hits.filter((h) => h.kind === 'real-server').map((h) => h.label)).toEqual(['192.0.2.11:80 (web-1)', '192.0.2.11:443 (web-1)']);
    expect(r.hits.find((h) => h.label === '192.0.2.11:80 (web-1)')?.href).toBe('/clusters/lab?q=192.0.2.11%3A80');
    expect(r.hits.some((h) => h.label.startsWith('192.0.2.12'))).toBe(false);
  });

  it('finds a host by its configured name, case-insensitively, on every address it has', () => {
    const r = search(entries, 'WEB-1');
    expect(r.hits.filter((h) => h.kind === 'host').map((h) => h.label).sort()).toEqual(['web-1 (192.0.2.11)', 'web-1 (2001:db8::11)']);
    expect(r.hits.every((h) => h.label.includes('web-1'))).toBe(true);
  });

  it('finds a VIP (its services) and a service by protocol and port; every word must match', () => {
    expect(search(entries, '192.0.2.100').hits.filter((h) => h.kind === 'service').map((h) => h.label)).toEqual(['TCP 192.0.2.100:80', 'TCP 192.0.2.100:443']);
    const r = search(entries, 'tcp :443');
    expect(r.hits.map((h) => h.label)).toEqual(['TCP 192.0.2.100:443']); // the real server has no "tcp"
    expect(search(entries, ':443').hits.map((h) => h.label)).toEqual(['TCP 192.0.2.100:443', '192.0.2.11:443 (web-1)']);
    expect(r.hits[0]?.href).toBe('/clusters/lab?q=TCP%20192.0.2.100%3A443');
    expect(search(entries, '2001:db8::100').hits[0]).toMatchObject({ kind: 'service', label: 'TCP [2001:db8::100]:80' });
  });

  it('ranks an exact match before a prefix before a match inside', () => {
    const r = search(entries, 'lab');
    expect(r.hits[0]).toMatchObject({ kind: 'cluster', label: 'lab', href: '/clusters/lab' });
  });

  it('limits the hits and says more matched', () => {
    const r = search(entries, '192.0.2', 2);
    expect(r.hits).toHaveLength(2);
    expect(r.truncated).toBe(true);
    expect(search(entries, 'nothing-like-this').hits).toEqual([]);
  });

  it('the query: trimmed, 1 to 100 characters, limit 1 to 50, nothing else', () => {
    expect(SearchQuery.parse({ q: '  192.0.2.11 ' })).toEqual({ q: '192.0.2.11' });
    expect(() => SearchQuery.parse({ q: '   ' })).toThrow(/q: type something/);
    expect(() => SearchQuery.parse({ q: 'x'.repeat(101) })).toThrow(/q: at most 100/);
    expect(() => SearchQuery.parse({ q: 'x', limit: '0' })).toThrow(/limit: at least 1/);
    expect(() => SearchQuery.parse({ q: 'x', limit: '51' })).toThrow(/limit: at most 50/);
    expect(() => SearchQuery.parse({ q: 'x', sort: 'y' })).toThrow();
  });
});
