import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IpAddrTable } from '@/lib/models/ip-addr';
import { expectGolden } from '@/lib/testing/golden';
import { addressesByInterface, holdsAddress, linksHoldingAddress, parseIpAddrJson } from './ip-addr';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'ip-addr');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

describe('parseIpAddrJson', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const table = parseIpAddrJson(read(file));
    expect(IpAddrTable.safeParse(table).success).toBe(true);
    golden(file, table);
  });

  it('reads links, flags, labels, secondary/dynamic and lifetimes (forever -> null)', () => {
    const t = parseIpAddrJson(read('hand-ipv6-secondary.json'));
    const eth0 = t.links.find((l) => l.ifname === 'eth0');
    expect(eth0).toMatchObject({ ifindex: 2, operstate: 'UP', mtu: 1500, linkType: 'ether', macAddress: '52:54:00:12:34:02', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] });
    expect(eth0?.addresses[1]).toEqual({
      family: 'inet', local: '192.0.2.100', prefixlen: 24, peer: null, broadcast: null, scope: 'global', label: 'eth0:vip',
      secondary: true, dynamic: false, deprecated: false, tentative: false, noprefixroute: false, validLifetime: null, preferredLifetime: null,
    });
    expect(eth0?.addresses[5]).toMatchObject({ family: 'inet6', dynamic: true, noprefixroute: true, validLifetime: 86391, preferredLifetime: 14391, label: null });
    const eth1 = t.links.find((l) => l.ifname === 'eth1');
    expect(eth1).toMatchObject({ operstate: 'DOWN', master: 'br0', addresses: [] }); // `{}` placeholder dropped
    expect(t.links.find((l) => l.ifname === 'tun0')?.addresses[0]).toMatchObject({ local: '10.9.0.1', peer: '10.9.0.2' });
  });

  it('answers VIP ownership with canonical IPv6 comparison', () => {
    const t = parseIpAddrJson(read('hand-ipv6-secondary.json'));
    expect(holdsAddress(t, '192.0.2.100')).toBe(true);
    expect(linksHoldingAddress(t, '192.0.2.100').map((l) => l.ifname)).toEqual(['lo', 'eth0']); // DR real-server style VIP on lo too
    expect(holdsAddress(t, '192.0.2.10')).toBe(false);
    expect(holdsAddress(t, '2001:DB8:0:0:0:0:0:1')).toBe(true);
    expect(holdsAddress(t, '2001:0db8::0001/64')).toBe(true);
    expect(holdsAddress(t, '[2001:db8::1]')).toBe(true);
    expect(holdsAddress(t, '2001:db8::3')).toBe(false);
    expect(addressesByInterface(t).get('lo')?.map((a) => a.local)).toEqual(['127.0.0.1', '192.0.2.100', '::1']);
  });

  it('lab: the MASTER holds the VIPs, the BACKUP does not', () => {
    if (!fixtures.includes('lab-dir1-ip-addr.json')) return;
    const d1 = parseIpAddrJson(read('lab-dir1-ip-addr.json'));
    const d2 = parseIpAddrJson(read('lab-dir2-ip-addr.json'));
    expect([holdsAddress(d1, '192.0.2.100'), holdsAddress(d2, '192.0.2.100')].filter(Boolean)).toHaveLength(1);
    expect(holdsAddress(d1, '2001:db8::1') || holdsAddress(d2, '2001:db8::1')).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['[{', /invalid JSON/],
    ['{}', /unexpected shape/],
    ['[{"ifname":"eth0"}]', /ifindex/],
    ['[{"ifindex":1,"ifname":"x","addr_info":[{"family":"inet","local":"1.2.3.4"}]}]', /prefixlen/],
    ['[{"ifindex":1,"ifname":"x","addr_info":[{"family":"inet","local":"1.2.3.4","prefixlen":40}]}]', /prefixlen 40/],
  ])('%s -> ParseError line 0', (text, reason) => {
    expect(() => parseIpAddrJson(text)).toThrow(ParseError);
    try {
      parseIpAddrJson(text);
    } catch (e) {
      expect(e instanceof ParseError && e.line === 0).toBe(true);
      expect(String(e)).toMatch(reason);
    }
  });

  it('ignores unknown families and extra fields', () => {
    const t = parseIpAddrJson('[{"ifindex":9,"ifname":"m","new_field":1,"addr_info":[{"family":"mpls","x":1}]}]');
    expect(t.links[0]).toMatchObject({ ifname: 'm', operstate: 'UNKNOWN', addresses: [] });
  });
});

