import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectorHealth } from '@/lib/models/director-health';
import { expectGolden } from '@/lib/testing/golden';
import { conntrackFillRatio, effectiveInterfaceSysctl, parseDirectorHealth, parseDirectorHealthValues } from './director-health';
import { ParseError } from './parse-error';
import { parseSysctl, parseSysctlValues } from './sysctl';

const DIR = path.join(__dirname, 'fixtures', 'sysctl');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.sysctl'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('director health from sysctl', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const h = parseDirectorHealth(read(file));
    expect(DirectorHealth.safeParse(h).success).toBe(true);
    golden(file, h);
  });

  it('reads the settings that matter', () => {
    const h = parseDirectorHealth(read('hand-director.sysctl'));
    expect(h).toMatchObject({
      ipForward: true,
      ipv6Forward: false,
      ipNonlocalBind: false,
      ipvs: { expireQuiescentTemplate: false, expireNodestConn: true, conntrack: false, sloppyTcp: false, snatReroute: true },
      conntrack: { count: 48213, max: 65536 },
      errors: ['sysctl: cannot stat /proc/sys/net/ipv4/vs/run_estimation: No such file or directory'],
    });
    expect(h.interfaces.eth0).toEqual({ rpFilter: 1, arpIgnore: null, arpAnnounce: 0, forwarding: null });
    expect(h.interfaces['eth0/100']).toEqual({ rpFilter: null, arpIgnore: null, arpAnnounce: null, forwarding: true });
    expect(h.sysctls['net.ipv4.vs.sync_ports']).toBe('1');
    expect(h.sysctls['net.ipv4.ip_local_port_range']).toBeUndefined();
    expect(conntrackFillRatio(h)).toBeCloseTo(48213 / 65536);
    expect(effectiveInterfaceSysctl(h, 'eth0', 'rpFilter')).toBe(1); // max(all=0, eth0=1)
    expect(effectiveInterfaceSysctl(h, 'eth0', 'arpAnnounce')).toBe(2); // max(all=2, eth0=0)
    expect(effectiveInterfaceSysctl(h, 'lo', 'arpIgnore')).toBe(1);
    expect(effectiveInterfaceSysctl(h, 'nope', 'arpIgnore')).toBe(0);
  });

  it('lab directors: forwarding on, conntrack counted', () => {
    for (const f of fixtures.filter((x) => x.startsWith('lab-'))) {
      const h = parseDirectorHealth(read(f));
      expect(h.ipForward).toBe(true);
      expect(h.conntrack.max).toBeGreaterThan(0);
      expect(conntrackFillRatio(h)).not.toBeNull();
    }
  });

  it('unknown keys and no conntrack module -> nulls', () => {
    const h = parseDirectorHealth('kernel.hostname = dir1\n');
    expect(h.ipForward).toBeNull();
    expect(h.conntrack).toEqual({ count: null, max: null });
    expect(conntrackFillRatio(h)).toBeNull();
    expect(conntrackFillRatio({ conntrack: { count: 5, max: 0 } })).toBeNull();
    expect(parseDirectorHealth('net.nf_conntrack_max = 100\n').conntrack.max).toBe(100);
  });

  it('sysctl -n values with their keys', () => {
    const h = parseDirectorHealthValues(read('hand-values.sysctl-n'), ['net.ipv4.ip_forward', 'net.ipv4.vs.expire_quiescent_template']);
    expect(h.ipForward).toBe(true);
    expect(h.ipvs.expireQuiescentTemplate).toBe(false);
    expect(parseSysctlValues('1\n', ['a'])).toEqual({ values: { a: '1' }, lines: { a: 1 }, errors: [] });
  });

  it.each([
    ['not a sysctl line', () => parseSysctl('net.ipv4.ip_forward = 1\nhello world\n'), 'sysctl', 2],
    ['non-integer value', () => parseDirectorHealth('net.ipv4.ip_forward = 1\nnet.ipv4.vs.conntrack = yes\n'), 'director-health', 2],
    ['negative count', () => parseDirectorHealth('net.netfilter.nf_conntrack_count = -1\n'), 'director-health', 1],
    ['too few -n values', () => parseSysctlValues('1\n', ['a', 'b']), 'sysctl', 2],
    ['no -n values', () => parseSysctlValues('', ['a']), 'sysctl', 0],
  ])('%s -> ParseError', (_n, fn, kind, line) => {
    const e = parseError(fn);
    expect(e.kind).toBe(kind);
    expect(e.line).toBe(line);
  });
});
