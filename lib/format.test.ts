import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatBytesPerSecond,
  formatClock,
  formatCount,
  formatCps,
  formatDuration,
  formatInterval,
  formatForward,
  formatPercent,
  formatPersistence,
  formatPps,
  formatRelative,
  formatSi,
} from './format';

describe('formatSi', () => {
  it.each<[number | null | undefined, string]>([
    [0, '0'],
    [7, '7'],
    [950, '950'],
    [999, '999'],
    [1000, '1 k'],
    [1234, '1.23 k'],
    [12_345, '12.3 k'],
    [123_456, '123 k'],
    [999_960, '1 M'],
    [1_500_000, '1.5 M'],
    [12_345_678_901, '12.3 G'],
    [2.5, '2.5'],
    [0.25, '0.25'],
    [0.005, '0.01'],
    [12.345, '12.3'],
    [-1234, '-1.23 k'],
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '∞'],
  ])('%s → %s', (input, expected) => {
    expect(formatSi(input)).toBe(expected);
  });
});

describe('rates with units', () => {
  it.each<[(v: number | null) => string, number | null, string]>([
    [formatCps, 0, '0 conn/s'],
    [formatCps, 12, '12 conn/s'],
    [formatCps, 1234, '1.23 k conn/s'],
    [formatPps, 950, '950 pkt/s'],
    [formatPps, 12_300, '12.3 k pkt/s'],
    [formatBytesPerSecond, 512, '512 B/s'],
    [formatBytesPerSecond, 1_500_000, '1.5 MB/s'],
    [formatBytesPerSecond, 125_000_000, '125 MB/s'],
    [formatBytesPerSecond, 1_250_000_000, '1.25 GB/s'],
    [formatBytesPerSecond, null, '—'],
    [formatBytes, 4_200_000_000, '4.2 GB'],
  ])('%o(%s) → %s', (fn, input, expected) => {
    expect(fn(input)).toBe(expected);
  });
});

describe('formatCount', () => {
  it.each<[number | null, string]>([
    [0, '0'],
    [999, '999'],
    [1234, '1,234'],
    [1_234_567, '1,234,567'],
    [null, '—'],
  ])('%s → %s', (input, expected) => {
    expect(formatCount(input)).toBe(expected);
  });
});

describe('formatPercent', () => {
  it.each<[number | null, number | null, string]>([
    [45, 1000, '4.5 %'],
    [50, 100, '50 %'],
    [262_000, 262_144, '100 %'],
    [0, 100, '0 %'],
    [5, 0, '—'],
    [null, 100, '—'],
  ])('%s of %s → %s', (part, whole, expected) => {
    expect(formatPercent(part, whole)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each<[number | null, string]>([
    [0, '0 s'],
    [450, '0 s'],
    [1000, '1 s'],
    [3000, '3 s'],
    [3999, '3 s'],
    [59_000, '59 s'],
    [60_000, '1 min'],
    [252_000, '4 min 12 s'],
    [3_600_000, '1 h'],
    [7_200_000, '2 h'],
    [7_200_000 + 5 * 60_000, '2 h 5 min'],
    [7_200_000 + 5_000, '2 h'],
    [86_400_000 * 3 + 3_600_000 * 4, '3 d 4 h'],
    [-3000, '-3 s'],
    [null, '—'],
  ])('%s ms → %s', (input, expected) => {
    expect(formatDuration(input)).toBe(expected);
  });

  it('shows milliseconds on request', () => {
    expect(formatDuration(450, { ms: true })).toBe('450 ms');
    expect(formatDuration(1450, { ms: true })).toBe('1 s');
  });
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  it.each<[number | null, string]>([
    [now, 'now'],
    [now - 400, 'now'],
    [now + 1500, 'now'],
    [now - 12_000, '12 s ago'],
    [now - 252_000, '4 min 12 s ago'],
    [now - 7_200_000, '2 h ago'],
    [now + 5000, 'in 5 s'],
    [null, 'never'],
  ])('%s → %s', (at, expected) => {
    expect(formatRelative(at, now)).toBe(expected);
  });
});

describe('formatClock', () => {
  const at = Date.UTC(2024, 4, 2, 12, 3, 4);
  it('prints 24 h wall-clock time in the given zone', () => {
    expect(formatClock(at, { timeZone: 'UTC' })).toBe('12:03:04');
    expect(formatClock(Date.UTC(2024, 4, 2, 0, 0, 9), { timeZone: 'UTC' })).toBe('00:00:09');
    expect(formatClock(at, { timeZone: 'Europe/Paris' })).toBe('14:03:04');
  });
  it('adds the date when it is another day than now', () => {
    expect(formatClock(at, { timeZone: 'UTC', now: at + 60_000 })).toBe('12:03:04');
    expect(formatClock(at, { timeZone: 'UTC', now: at + 86_400_000 })).toBe('2024-05-02 12:03:04');
  });
  it('prints a dash when unknown', () => {
    expect(formatClock(null)).toBe('—');
  });
  it('names the zone, with summer time, and prints the date on demand', () => {
    expect(formatClock(at, { timeZone: 'UTC', zone: true })).toBe('12:03:04 UTC');
    expect(formatClock(at, { timeZone: 'Europe/Paris', zone: true })).toBe('14:03:04 GMT+2');
    expect(formatClock(Date.UTC(2024, 0, 2, 12, 3, 4), { timeZone: 'Europe/Paris', zone: true })).toBe('13:03:04 GMT+1');
    expect(formatClock(Date.UTC(2024, 0, 2, 12, 3, 4), { timeZone: 'America/New_York', zone: true })).toBe('07:03:04 EST');
    expect(formatClock(at, { timeZone: 'UTC', zone: true, date: true, now: at })).toBe('2024-05-02 12:03:04 UTC');
    // Across midnight in one zone but not the other: the date follows the zone shown.
    const late = Date.UTC(2024, 4, 2, 23, 30, 0);
    expect(formatClock(late, { timeZone: 'UTC', now: late + 3_600_000 })).toBe('2024-05-02 23:30:00');
    expect(formatClock(late, { timeZone: 'Europe/Paris', now: late + 3_600_000 })).toBe('01:30:00');
  });
});

describe('formatPersistence and formatForward', () => {
  it('describes persistence', () => {
    expect(formatPersistence(null)).toBeNull();
    expect(formatPersistence({ timeout: 300, netmask: null })).toBe('persist 5 min');
    expect(formatPersistence({ timeout: 50, netmask: '255.255.255.0' })).toBe('persist 50 s /24');
    expect(formatPersistence({ timeout: 300, netmask: '255.255.255.255' })).toBe('persist 5 min');
    expect(formatPersistence({ timeout: 300, netmask: '255.0.255.0' })).toBe('persist 5 min 255.0.255.0');
    expect(formatPersistence({ timeout: 300, netmask: '64' })).toBe('persist 5 min /64');
  });
  it.each<[string | null, string]>([
    ['Masq', 'NAT'],
    ['Route', 'DR'],
    ['Tunnel', 'TUN'],
    ['Local', 'Local'],
    ['FullNat', 'FullNat'],
    [null, '—'],
  ])('%s → %s', (input, expected) => {
    expect(formatForward(input)).toBe(expected);
  });
});

describe('formatInterval', () => {
  it('keeps a tenth of a second under 10 s, whole seconds to a minute, then minutes', () => {
    expect([formatInterval(2000), formatInterval(4530), formatInterval(12_400), formatInterval(125_000)]).toEqual(['2 s', '4.5 s', '12 s', '2 min 5 s']);
  });
});
