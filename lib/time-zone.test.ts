import { describe, expect, it } from 'vitest';
import { fromDateTimeInput, parseTimeZoneChoice, timeZoneOf, toDateTimeInput } from './time-zone';

describe('time zone choice', () => {
  it.each([
    [null, 'local'],
    ['utc', 'utc'],
    ['local', 'local'],
    ['UTC', 'local'],
    ['Europe/Paris', 'local'],
  ] as const)('stored %s is the choice %s', (stored, choice) => {
    expect(parseTimeZoneChoice(stored)).toBe(choice);
  });

  it('maps the choice to the zone Intl takes', () => {
    expect(timeZoneOf('utc')).toBe('UTC');
    expect(timeZoneOf('local')).toBeUndefined();
  });

  it('reads and writes date-and-time inputs in UTC', () => {
    const at = Date.UTC(2024, 4, 2, 12, 3, 0);
    expect(toDateTimeInput(at, 'utc')).toBe('2024-05-02T12:03');
    expect(fromDateTimeInput('2024-05-02T12:03', 'utc')).toBe(at);
  });

  it('reads and writes them in the local zone as a round trip', () => {
    const at = Date.UTC(2024, 4, 2, 12, 3, 0);
    const local = toDateTimeInput(at, 'local');
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromDateTimeInput(local, 'local')).toBe(at);
    expect(fromDateTimeInput(local, 'local')).toBe(new Date(local).getTime());
  });

  it('gives undefined for an empty or unreadable input instead of a time', () => {
    expect(fromDateTimeInput('', 'utc')).toBeUndefined();
    expect(fromDateTimeInput('yesterday', 'local')).toBeUndefined();
    expect(fromDateTimeInput('2024-13-45T99:99', 'utc')).toBeUndefined();
    expect(fromDateTimeInput('2024-05-02T12:03Z', 'utc')).toBeUndefined();
  });
});
