import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NmcliConnection, NmcliDevice, NmcliTable, NmProfile } from '@/lib/models/nmcli';
import { expectGolden } from '@/lib/testing/golden';
import { parseNmcliConnections, parseNmcliDevices, parseNmcliMultiline, parseNmcliProfiles, parseNmcliRunning, parseNmcliTerse, splitNmcliTerseLine } from './nmcli';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'nmcli');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

/** Fixture names say what was captured: *device.* / *connection.* / *profiles*, *.terse / *.multiline. */
function parseFixture(file: string) {
  if (file.includes('profiles')) return { table: parseNmcliMultiline(read(file)), typed: parseNmcliProfiles(read(file)) };
  const multiline = file.endsWith('.multiline');
  const table = multiline ? parseNmcliMultiline(read(file)) : null;
  const typed = file.includes('device') ? parseNmcliDevices(read(file), { multiline }) : parseNmcliConnections(read(file), { multiline });
  return { table, typed };
}

describe('nmcli fixtures', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const { table, typed } = parseFixture(file);
    if (table) expect(NmcliTable.safeParse(table).success).toBe(true);
    const schema = file.includes('profiles') ? NmProfile : file.includes('device') ? NmcliDevice : NmcliConnection;
    for (const r of typed) expect(schema.safeParse(r).success).toBe(true);
    golden(file, typed);
  });

  it('profiles (captured on the lab director run by NetworkManager): addresses split, IPv6 colons kept, empty -> [] / null', () => {
    const p = parseNmcliProfiles(read('lab-dir2-profiles.terse'));
    expect(p.map((x) => x.name)).toEqual(['lab-eth0', 'lab-eth1', 'lo']);
    expect(p[0]).toEqual({
      name: 'lab-eth0', uuid: '5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02', type: '802-3-ethernet', interfaceName: 'eth0', autoconnect: true,
      ipv4Method: 'manual', ipv4Addresses: ['192.0.2.3/24'], ipv4NeverDefault: true, ipv6Method: 'manual', ipv6Addresses: ['2001:db8::3/64'],
    });
    expect(p[1]).toMatchObject({ ipv6Method: 'ignore', ipv6Addresses: [] });
    expect(p[2]).toMatchObject({ ipv6Addresses: ['::1/128'], autoconnect: false });
    // `lab/ctl nm-vip on dir2`: nmcli joins several addresses with ", "
    expect(parseNmcliProfiles(read('lab-dir2-profiles-vip.terse'))[0]?.ipv4Addresses).toEqual(['192.0.2.3/24', '192.0.2.100/24']);
  });

  it('profiles: a record without id or uuid is refused; running', () => {
    expect(() => parseNmcliProfiles('connection.type:802-3-ethernet\nipv4.method:auto\n')).toThrow(/connection.id and connection.uuid/);
    expect(parseNmcliProfiles('')).toEqual([]);
    expect(parseNmcliRunning('running\n')).toBe(true);
    expect(parseNmcliRunning('starting\n')).toBe(false);
    expect(parseNmcliRunning('')).toBe(false);
  });

  it('devices: empty connection -> null', () => {
    expect(parseNmcliDevices(read('hand-device.terse'))).toEqual([
      { device: 'eth0', type: 'ethernet', state: 'connected', connection: 'lab-eth0' },
      { device: 'br0', type: 'bridge', state: 'connected (externally)', connection: 'br0' },
      { device: 'veth-dir1', type: 'ethernet', state: 'unmanaged', connection: null },
      { device: 'lo', type: 'loopback', state: 'unmanaged', connection: null },
      { device: 'wlan0', type: 'wifi', state: 'disconnected', connection: null },
    ]);
  });

  it('connections: escapes, empty and "" values', () => {
    const c = parseNmcliConnections(read('hand-connection-escaped.terse'));
    expect(c[1]).toEqual({ name: 'Wired: office\\lab', uuid: '11111111-2222-4333-8444-555555555555', type: '802-3-ethernet', device: null, active: false, state: null, autoconnect: false });
    expect(c[2]).toMatchObject({ name: 'br0', autoconnect: null });
  });

  it('multiline: padded and terse forms, `--` empty, records split at the repeated first field', () => {
    expect(parseNmcliDevices(read('hand-device.multiline'), { multiline: true })).toEqual([
      { device: 'eth0', type: 'ethernet', state: 'connected', connection: 'lab-eth0' },
      { device: 'lo', type: 'loopback', state: 'unmanaged', connection: null },
    ]);
    const t = parseNmcliMultiline(read('hand-connection-terse.multiline'));
    expect(t.fields).toEqual(['NAME', 'UUID', 'TYPE', 'DEVICE', 'ACTIVE', 'STATE', 'AUTOCONNECT']);
    expect(t.records[1]?.NAME).toBe('Wired: office\\lab'); // not unescaped, split at the first colon only
    expect(t.records[1]?.DEVICE).toBe('');
  });

  it('terse with a custom field list', () => {
    expect(parseNmcliTerse('a\\:b:c\\\\d:\n', ['X', 'Y', 'Z'])).toEqual({ fields: ['X', 'Y', 'Z'], records: [{ X: 'a:b', Y: 'c\\d', Z: '' }] });
    expect(parseNmcliTerse('', ['X'])).toEqual({ fields: ['X'], records: [] });
    expect(splitNmcliTerseLine('x\\')).toBeNull();
  });

  it.each([
    [() => parseNmcliTerse('a:b\nc\n', ['X', 'Y']), 2, /expected 2/],
    [() => parseNmcliTerse('a:b:c\n', ['X', 'Y']), 1, /got 3/],
    [() => parseNmcliTerse('a:b\\\n', ['X', 'Y']), 1, /dangling/],
    [() => parseNmcliTerse('a\n', []), 0, /no field/],
    [() => parseNmcliMultiline('DEVICE:eth0\nno colon here\n'), 2, /FIELD:value/],
    [() => parseNmcliMultiline(':value\n'), 1, /FIELD:value/],
  ])('bad input %# -> ParseError at line %s', (fn, line, reason) => {
    try {
      fn();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect(e instanceof ParseError ? e.line : -1).toBe(line);
      expect(String(e)).toMatch(reason);
    }
  });
});
