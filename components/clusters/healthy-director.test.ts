import { describe, expect, it } from 'vitest';
import { isHealthyDirector } from './healthy-director';

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
