import { describe, expect, it } from 'vitest';
import { isHealthyDirector, laggingDirectors } from './healthy-director';

type D = Parameters<typeof isHealthyDirector>[0];
const healthy = { live: true, keepalivedRunning: true, error: null, health: { conntrackCount: 10, conntrackMax: 100 } } as unknown as D;

describe('isHealthyDirector', () => {
  it('is true for a live director with keepalived running and room in conntrack', () => {
    expect(isHealthyDirector(healthy)).toBe(true);
    expect(isHealthyDirector({ ...healthy, health: null })).toBe(true);
  });
  it.each<[string, Partial<Record<keyof D, unknown>>]>([
    ['stale', { live: false }],
    ['keepalived stopped', { keepalivedRunning: false }],
    ['keepalived unknown', { keepalivedRunning: null }],
    ['an error', { error: { code: 'ssh', message: 'x', since: 1 } }],
    ['conntrack over 80 %', { health: { conntrackCount: 81, conntrackMax: 100 } }],
  ])('is false when %s', (_name, change) => {
    expect(isHealthyDirector({ ...healthy, ...change } as unknown as D)).toBe(false);
  });
});

describe('laggingDirectors', () => {
  it('lists the live directors refreshed at over twice the poll interval, slowest first; unknown or stale ones are not listed', () => {
    const ds = [
      { name: 'dir1', live: true, refreshIntervalMs: 4500 },
      { name: 'dir2', live: true, refreshIntervalMs: 3900 },
      { name: 'dir3', live: true, refreshIntervalMs: 9000 },
      { name: 'dir4', live: true, refreshIntervalMs: null },
      { name: 'dir5', live: false, refreshIntervalMs: 60_000 },
      { name: 'dir6', live: true },
    ];
    expect(laggingDirectors(ds, 2000)).toEqual([
      { name: 'dir3', intervalMs: 9000 },
      { name: 'dir1', intervalMs: 4500 },
    ]);
    expect(laggingDirectors(ds, 10_000)).toEqual([]);
  });
});
