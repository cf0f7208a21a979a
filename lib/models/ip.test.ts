import { describe, expect, it } from 'vitest';
import { canonicalIP, canonicalIPv6, isIP } from './ip';

describe('ip helpers', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:0db8:0000:0000:0001:0000:0000:0000', '2001:db8:0:0:1::'],
  ])('canonicalIPv6(%s) = %s', (input, want) => {
    expect(canonicalIPv6(input)).toBe(want);
  });
  it.each(['', ':', '1:2:3:4:5:6:7:8:9', '2001:db8::1::2', 'g::1', '192.0.2.1', '[::1]', 'fe80::1%eth0', '12345::'])(
    'rejects %s as IPv6',
    (input) => {
      expect(canonicalIPv6(input)).toBeNull();
    },
  );
  it('classifies', () => {
    expect(isIP('192.0.2.1')).toBe(4);
    expect(isIP('256.0.0.1')).toBe(0);
    expect(isIP('01.2.3.4')).toBe(0);
    expect(isIP('2001:db8::1')).toBe(6);
    expect(isIP('x')).toBe(0);
    expect(canonicalIP('192.0.2.1')).toBe('192.0.2.1');
  });
});
