import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeepalivedJsonDump } from '@/lib/models/keepalived';
import { expectGolden } from '@/lib/testing/golden';
import { parseKeepalivedJson } from './keepalived-json';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'keepalived-json');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

function parseError(text: string): ParseError {
  try {
    parseKeepalivedJson(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('parseKeepalivedJson', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const dump = parseKeepalivedJson(read(file));
    expect(KeepalivedJsonDump.safeParse(dump).success).toBe(true);
    golden(file, dump);
  });

  it('reads the 2.2.7 shape', () => {
    const { instances } = parseKeepalivedJson(read('hand-2x-master.json'));
    expect(instances[0]).toMatchObject({
      name: 'VI_V4',
      state: 'MASTER',
      stateCode: 2,
      wantState: 'MASTER',
      interface: 'eth0',
      virtualRouterId: 51,
      priority: 150,
      effectivePriority: 150,
      lastTransition: 1795316933.012345,
      preempt: true,
      vipSet: true,
      trackedScriptCommands: ["'/usr/bin/test' '!' '-e' '/tmp/lvslab-fault'"],
      notifyScripts: { Generic: '/etc/keepalived/notify.sh' },
    });
    expect(instances[0]?.stats).toMatchObject({ advertSent: 1234, becomeMaster: 1, authtypeMismatch: 0 });
    expect(instances[0]?.vips.map((v) => [v.address, v.prefixlen, v.label, v.set])).toEqual([
      ['192.0.2.100', 24, 'eth0:vip', true],
      ['192.0.2.101', 24, null, true],
    ]);
    expect(instances[1]?.vips[0]).toMatchObject({ address: '2001:db8::1', family: 'inet6', prefixlen: 64 });
    expect(instances[1]?.stats).toMatchObject({ authtypeMismatch: null, authFailure: null, advertRcvd: 2 });
  });

  it('maps state numbers, tolerates unknown fields and missing stats', () => {
    const { instances } = parseKeepalivedJson(read('hand-states.json'));
    expect(instances.map((i) => [i.name, i.state, i.stateCode, i.wantState, i.preempt])).toEqual([
      ['VI_STOP', 'STOP', 98, 'STOP', false],
      ['VI_DEL', 'DELETED', 97, 'DELETED', true],
      ['VI_FAULT', 'FAULT', 3, 'BACKUP', true],
      ['VI_INIT', 'INIT', 0, 'INIT', true],
      ['VI_ODD', 'unknown', 42, 'BACKUP', true],
    ]);
    expect(instances[0]?.stats).toBeNull();
    expect(instances[2]?.trackedInterfaces).toEqual(['eth1']);
  });

  it.each([
    ['', /empty/],
    ['[{"data":', /invalid JSON/],
    ['{"data":{}}', /unexpected shape/],
    ['[{"data":{"iname":"x"}}]', /unexpected shape at \[0\.data\./],
    ['[{"data":{"iname":"x","master_priority":0,"last_transition":1,"vrid":300,"base_priority":1,"effective_priority":1,"vipset":true,"adver_int":1,"master_adver_int":1,"nopreempt":false,"preempt_delay":0,"state":2,"wantstate":2,"version":2}}]', /vrid/],
    ['[{"data":{"iname":"x","master_priority":0,"last_transition":1,"vrid":3,"base_priority":1,"effective_priority":1,"vipset":true,"adver_int":1,"master_adver_int":1,"nopreempt":false,"preempt_delay":0,"state":2,"wantstate":2,"version":2,"vips":["nonsense"]}}]', /vips\[0\]/],
  ])('%s -> ParseError line 0', (text, reason) => {
    const e = parseError(text);
    expect(e.line).toBe(0);
    expect(e.kind).toBe('keepalived-json');
    expect(e.message).toMatch(reason);
  });
});
