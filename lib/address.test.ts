import { isIP as nodeIsIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  bareAddress,
  canonicalAddress,
  canonicalIP,
  canonicalIPv6,
  familyOf,
  formatEndpoint,
  formatFwmark,
  hasPort,
  inSubnet,
  isIP,
  isIPv4,
  isIPv6,
  netmaskPrefix,
  newEndpointScan,
  parseEndpoint,
  parseFwmark,
  parseHostTarget,
  scanEndpoint,
  scanIPv4,
  splitEndpoint,
  unbracket,
  unmapIPv4,
  AddressError,
} from './address';

describe('IPv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.0.2.1', 0xc0000201],
    ['255.255.255.255', 0xffffffff],
    ['10.0.0.10', 0x0a00000a],
  ])('scanIPv4(%s) = %d', (input, want) => {
    expect(scanIPv4(input)).toBe(want);
    expect(isIPv4(input)).toBe(true);
    expect(isIP(input)).toBe(4);
  });
  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '01.2.3.4', '1.2.3.04', '1.2.3.00', '1..2.3', '.1.2.3', '1.2.3.4.', '1.2.3.a', ' 1.2.3.4', '1.2.3.4 ', '1234.1.1.1', '1.2.3.4/24', '1.2.3.-1'])(
    'rejects %j (leading zeros too, like inet_pton)',
    (input) => {
      expect(scanIPv4(input)).toBe(-1);
      expect(isIPv4(input)).toBe(false);
    },
  );
  it('scans a range of a longer string', () => {
    const s = 'x 192.0.2.7 y';
    expect(scanIPv4(s, 2, 11)).toBe(0xc0000207);
    expect(scanIPv4(s, 2, 12)).toBe(-1);
  });
});

describe('IPv6', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['::192.0.2.1', '::c000:201'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['2001:0db8:0000:0000:0001:0000:0000:0000', '2001:db8:0:0:1::'],
  ])('canonicalIPv6(%s) = %s', (input, want) => {
    expect(canonicalIPv6(input)).toBe(want);
    expect(isIPv6(input)).toBe(true);
    expect(isIP(input)).toBe(6);
  });
  it.each([
    '', ':', ':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '2001:db8::1::2', 'g::1', '192.0.2.1', '[::1]',
    'fe80::1%eth0', 'fe80::1%1', '12345::', ':1::', '1::2:', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
    '::ffff:01.2.3.4', '::ffff:256.1.1.1', '::1.2.3.4:1', '1:2:3:4:5:6:7:1.2.3.4', '2001:db8::1/64',
  ])('rejects %j (zone ids too)', (input) => {
    expect(canonicalIPv6(input)).toBeNull();
    expect(isIPv6(input)).toBe(false);
  });
});

describe('isIP agrees with node:net', () => {
  // node:net accepts zone ids ("fe80::1%eth0"), which this module rejects on purpose.
  const samples = [
    '192.0.2.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.1.1.1', '1.1.1', '1.1.1.1.1', 'a.b.c.d',
    '::', '::1', '1::', '2001:db8::1', '2001:DB8::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3',
    '::ffff:192.0.2.1', '::ffff:1.2.3', '1:2:3:4:5:6:1.2.3.4', '12345::', 'x', '', ' ::1', '[::1]',
  ];
  it.each(samples)('%j', (s) => {
    expect(isIP(s)).toBe(nodeIsIP(s));
  });
});

describe('families and canonical forms', () => {
  it('classifies', () => {
    expect(familyOf('192.0.2.1')).toBe('inet');
    expect(familyOf('2001:db8::1')).toBe('inet6');
    expect(familyOf('x')).toBeNull();
    expect(isIP('x')).toBe(0);
  });
  it('canonicalIP leaves IPv4 and non-addresses alone', () => {
    expect(canonicalIP('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIP('2001:DB8:0::1')).toBe('2001:db8::1');
    expect(canonicalIP('not:an:ip:at:all')).toBe('not:an:ip:at:all');
    // memoised: the second answer is the same
    expect(canonicalIP('2001:DB8:0::1')).toBe('2001:db8::1');
  });
  it.each([
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:db8::1/64', '2001:db8::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2.1/24', '192.0.2.1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    ['not an ip', 'not an ip'],
  ])('canonicalAddress(%j) = %s', (input, want) => {
    expect(canonicalAddress(input)).toBe(want);
  });
  it('bareAddress and unbracket', () => {
    expect(bareAddress(' [fe80::1%eth0] ')).toBe('fe80::1');
    expect(bareAddress('10.0.0.1/8')).toBe('10.0.0.1');
    expect(unbracket('[::1]')).toBe('::1');
    expect(unbracket('::1')).toBe('::1');
    expect(unbracket('[::1')).toBe('[::1');
  });
  it('unmaps v4-mapped IPv6 addresses only', () => {
    expect(unmapIPv4('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(unmapIPv4('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(unmapIPv4('::ffff:c000:201')).toBe('::ffff:c000:201');
    expect(unmapIPv4('::ffff:01.2.3.4')).toBe('::ffff:01.2.3.4');
    expect(unmapIPv4('::192.0.2.1')).toBe('::192.0.2.1');
    expect(unmapIPv4('192.0.2.1')).toBe('192.0.2.1');
    expect(unmapIPv4('2001:db8::1')).toBe('2001:db8::1');
  });
  it.each<[string, number | null]>([
    ['255.255.255.255', 32],
    ['255.255.255.0', 24],
    ['255.255.0.0', 16],
    ['0.0.0.0', 0],
    ['128', 128],
    ['64', 64],
    ['255.0.255.0', null],
    ['255.255.255', null],
    ['256.0.0.0', null],
  ])('netmaskPrefix(%s) = %s', (mask, want) => {
    expect(netmaskPrefix(mask)).toBe(want);
  });
});

describe('formatEndpoint', () => {
  it.each<[string, number | null, string]>([
    ['192.0.2.11', 80, '192.0.2.11:80'],
    ['2001:db8::11', 80, '[2001:db8::11]:80'],
    ['[2001:db8::11]', 443, '[2001:db8::11]:443'],
    ['2001:db8::11', null, '[2001:db8::11]'],
    ['192.0.2.11', null, '192.0.2.11'],
    ['192.0.2.11', 0, '192.0.2.11:0'],
    ['192.0.2.11', 65535, '192.0.2.11:65535'],
  ])('%s port %s → %s', (address, port, expected) => {
    expect(formatEndpoint(address, port)).toBe(expected);
  });
});

describe('parseEndpoint (strict, as ipvsadm -n prints)', () => {
  it.each([
    ['10.0.0.1:80', { address: '10.0.0.1', port: 80, family: 'inet' }],
    ['10.0.0.1:0', { address: '10.0.0.1', port: 0, family: 'inet' }],
    ['10.0.0.1:65535', { address: '10.0.0.1', port: 65535, family: 'inet' }],
    ['[::]:0', { address: '::', port: 0, family: 'inet6' }],
    ['[::1]:22', { address: '::1', port: 22, family: 'inet6' }],
    ['[fe80::]:1', { address: 'fe80::', port: 1, family: 'inet6' }],
    ['[1:2:3:4:5:6:7:8]:65535', { address: '1:2:3:4:5:6:7:8', port: 65535, family: 'inet6' }],
    ['[::ffff:192.0.2.1]:80', { address: '::ffff:192.0.2.1', port: 80, family: 'inet6' }],
  ])('accepts %s', (token, expected) => {
    expect(parseEndpoint(token)).toEqual(expected);
  });

  it.each([
    '10.0.0.1', '10.0.0:80', '10.0.0.256:80', '010.0.0.1:80', '10.0.0.1:65536', '10.0.0.1:123456', '[::1]', '[::1]80',
    '::1:80', '[1:2:3:4:5:6:7:8:9]:1', '[1:2:3:4:5:6:7]:1', '[12345::]:1', '[::1]:', '10.0.0.1:-1', '[::1.2.3.4.5]:1',
    '[:1]:1', '[1:]:1', '[fe80::1%eth0]:80', '10.0.0.1:80x', 'host.example:80', '',
  ])('rejects %j', (token) => {
    expect(parseEndpoint(token)).toBeNull();
  });

  it('scanEndpoint reads one endpoint inside a line and stops after the port', () => {
    const out = newEndpointScan();
    const line = 'TCP 01:00 NONE 192.0.2.9:5000 [2001:db8::1]:80 rest';
    const end = scanEndpoint(line, 15, out);
    expect(line.slice(out.a, out.b)).toBe('192.0.2.9');
    expect(out).toMatchObject({ port: 5000, v6: false, ipv4: 0xc0000209 });
    expect(end).toBe(29);
    const end6 = scanEndpoint(line, 30, out);
    expect(line.slice(out.a, out.b)).toBe('2001:db8::1');
    expect(out).toMatchObject({ port: 80, v6: true, ipv4: 0 });
    expect(line[end6]).toBe(' ');
    expect(scanEndpoint(line, 0, out)).toBe(-1);
  });
});

describe('splitEndpoint (lenient inverse of formatEndpoint)', () => {
  it.each<[string, { address: string; port: number | null }]>([
    ['192.0.2.11:80', { address: '192.0.2.11', port: 80 }],
    ['[2001:db8::11]:443', { address: '2001:db8::11', port: 443 }],
    ['[2001:db8::11]', { address: '2001:db8::11', port: null }],
    ['2001:db8::11', { address: '2001:db8::11', port: null }],
    ['192.0.2.11', { address: '192.0.2.11', port: null }],
  ])('%s', (input, expected) => {
    expect(splitEndpoint(input)).toEqual(expected);
  });
  it('hasPort', () => {
    expect(hasPort('192.0.2.11:80')).toBe(true);
    expect(hasPort('[2001:db8::11]:80')).toBe(true);
    expect(hasPort('192.0.2.11')).toBe(false);
    expect(hasPort('2001:db8::11')).toBe(false);
    expect(hasPort('[2001:db8::11]')).toBe(false);
  });
});

describe('parseHostTarget', () => {
  it.each([
    ['192.0.2.11', { address: '192.0.2.11', port: null }],
    [' 192.0.2.11:80 ', { address: '192.0.2.11', port: 80 }],
    ['192.0.2.11:0', { address: '192.0.2.11', port: 0 }],
    ['192.0.2.11:65535', { address: '192.0.2.11', port: 65535 }],
    ['2001:DB8::11', { address: '2001:db8::11', port: null }],
    ['[2001:db8:0::11]:443', { address: '2001:db8::11', port: 443 }],
    ['::ffff:192.0.2.1', { address: '::ffff:c000:201', port: null }],
  ])('%j', (input, want) => {
    expect(parseHostTarget(input)).toEqual(want);
  });
  it.each(['', 'web1', '192.0.2.11:65536', '192.0.2.256:80', '01.2.3.4', '[2001:db8::11]', '2001:db8::11:80x', '[fe80::1%eth0]:80', 'fe80::1%eth0', '[192.0.2.1]:80x'])(
    'rejects %j with a reason',
    (input) => {
      expect(() => parseHostTarget(input)).toThrow(AddressError);
    },
  );
});

describe('fwmark services', () => {
  it('formats the key', () => {
    expect(formatFwmark(1, 'inet')).toBe('FWM 1');
    expect(formatFwmark(4294967295, 'inet6')).toBe('FWM 4294967295 IPv6');
    expect(formatFwmark(null, 'inet')).toBe('FWM ?');
  });
  it.each([
    ['FWM 1', { fwmark: 1, family: 'inet' }],
    ['FWM 1 IPv6', { fwmark: 1, family: 'inet6' }],
    ['fwm:7', { fwmark: 7, family: 'inet' }],
    ['fwm 4294967295 ipv6', { fwmark: 4294967295, family: 'inet6' }],
    ['FWM 0', { fwmark: 0, family: 'inet' }],
  ])('parses %j', (input, want) => {
    expect(parseFwmark(input)).toEqual(want);
  });
  it.each(['FWM', 'FWM x', 'FWM -1', 'FWM 12345678901', 'TCP 192.0.2.1:80', 'FWM 1 IPv4'])('rejects %j', (input) => {
    expect(parseFwmark(input)).toBeNull();
  });
  it('round-trips', () => {
    expect(parseFwmark(formatFwmark(42, 'inet6'))).toEqual({ fwmark: 42, family: 'inet6' });
  });
});

describe('inSubnet', () => {
  it.each([
    ['192.0.2.3/24', '192.0.2.100', true],
    ['192.0.2.3/24', '192.0.3.1', false],
    ['198.51.100.3/32', '198.51.100.3', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['2001:db8::3/64', '2001:db8::ffff:1', true],
    ['2001:db8::3/64', '2001:db8:0:1::1', false],
    ['2001:db8::3/64', '192.0.2.3', false],
    ['192.0.2.3/33', '192.0.2.3', false],
    ['192.0.2.3', '192.0.2.3', false],
    ['nonsense/8', '192.0.2.3', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    expect(inSubnet(cidr, address)).toBe(expected);
  });
});
