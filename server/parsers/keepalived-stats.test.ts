import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeepalivedStats } from '@/lib/models/keepalived';
import { expectGolden } from '@/lib/testing/golden';
import { parseKeepalivedStats } from './keepalived-stats';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'keepalived-stats');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

function parseError(text: string): ParseError {
  try {
    parseKeepalivedStats(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('parseKeepalivedStats', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const stats = parseKeepalivedStats(read(file));
    expect(KeepalivedStats.safeParse(stats).success).toBe(true);
    expect(stats.instances.length).toBeGreaterThan(0);
    golden(file, stats);
  });

  it('reads every counter, with and without the auth counters', () => {
    const { instances } = parseKeepalivedStats(read('hand-2x.stats'));
    expect(instances[0]).toEqual({
      name: 'VI_V4',
      advertReceived: 0,
      advertSent: 1234,
      becameMaster: 1,
      releasedMaster: 0,
      packetErrors: { length: 0, ttl: 0, invalidType: 0, advertInterval: 0, addressList: 0 },
      authErrors: { invalidType: 0, typeMismatch: 0, failure: 0 },
      priorityZeroReceived: 0,
      priorityZeroSent: 1,
    });
    expect(instances[1]).toMatchObject({ name: 'VI_V6', advertReceived: 17, releasedMaster: 1, packetErrors: { ttl: 3 }, authErrors: { typeMismatch: null, failure: null }, priorityZeroReceived: 1 });
  });

  const good = read('hand-2x.stats').split('\n').slice(0, 19).join('\n');
  it.each([
    ['empty', '', 0, /empty/],
    ['no instance header', '  Advertisements:\n', 1, /VRRP Instance/],
    ['negative counter', good.replace('Sent: 1234', 'Sent: -1'), 4, /non-negative/],
    ['word counter', good.replace('Received: 0', 'Received: lots'), 3, /non-negative/],
    ['missing counter', good.replace('    TTL: 0\n', ''), 1, /ttl/],
    ['no colon', good.replace('  Became master: 1', '  Became master 1'), 5, /Name: N/],
  ])('%s -> ParseError at line %s', (_n, text, line, reason) => {
    const e = parseError(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(reason);
  });

  it('ignores counters a newer keepalived may add', () => {
    const { instances } = parseKeepalivedStats(good.replace('  Became master: 1', '  Became master: 1\n  Something new: 5'));
    expect(instances[0]?.becameMaster).toBe(1);
  });
});
