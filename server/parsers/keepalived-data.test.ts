import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeepalivedData } from '@/lib/models/keepalived';
import { expectGolden } from '@/lib/testing/golden';
import { parseKeepalivedData } from './keepalived-data';
import { ParseError } from './parse-error';

const DIR = path.join(__dirname, 'fixtures', 'keepalived-data');
const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');

/** The fixture's reviewed golden file `<fixture>.expected.json` (lib/testing/golden.ts). */
const golden = (file: string, value: unknown): void => expectGolden(path.join(DIR, `${file}.expected.json`), value);

function parseError(text: string): ParseError {
  try {
    parseKeepalivedData(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('parseKeepalivedData fixtures', () => {
  it.each(fixtures)('%s parses, validates and matches its golden file', (file) => {
    const data = parseKeepalivedData(read(file));
    expect(KeepalivedData.safeParse(data).success).toBe(true);
    golden(file, data);
  });

  it('reads a 2.2.7 BACKUP dump (hand-made from the 2.2.7 sources)', () => {
    const d = parseKeepalivedData(read('hand-2x-backup.data'));
    expect(d.global?.routerId).toBe('dir2');
    expect(d.global?.networkNamespace).toBeNull();
    expect(d.sections).toEqual(['Global definitions', 'VRRP Topology', 'VRRP Sockpool', 'VRRP Sync groups', 'VRRP Scripts', 'Interfaces']);
    const [v4, v6] = d.instances;
    expect(v4).toMatchObject({
      name: 'VI_V4',
      version: 2,
      syncGroup: 'VG_LAB',
      state: 'BACKUP',
      wantState: 'BACKUP',
      masterRouter: '192.0.2.2',
      masterPriority: 150,
      lastTransition: 1795316929.503201,
      interface: 'eth0',
      sourceIp: '192.0.2.3',
      virtualRouterId: 51,
      priority: 100,
      effectivePriority: 100,
      advertIntervalMs: 1000,
      preempt: true,
      scriptIfFaults: 0,
      notifyScripts: { Generic: '/etc/keepalived/notify.sh' },
    });
    expect(v4?.vips).toEqual([
      { address: '192.0.2.100', prefixlen: 24, family: 'inet', device: 'eth0', scope: 'global', label: 'eth0:vip', set: false, raw: '192.0.2.100/24 dev eth0 scope global label eth0:vip' },
      { address: '192.0.2.101', prefixlen: 24, family: 'inet', device: 'eth0', scope: 'global', label: null, set: false, raw: '192.0.2.101/24 dev eth0 scope global' },
    ]);
    expect(v4?.trackedScripts).toEqual([{ name: 'chk_fault_flag', weight: 0, reverse: false, status: 'GOOD', good: true }]);
    expect(v6).toMatchObject({ name: 'VI_V6', version: 3, nativeIpv6: true, advertIntervalMs: 1000, virtualRouterId: 61 });
    expect(v6?.vips[0]).toMatchObject({ address: '2001:db8::1', prefixlen: 64, family: 'inet6' });
    expect(d.syncGroups).toEqual([
      expect.objectContaining({ name: 'VG_LAB', state: 'BACKUP', members: ['VI_V4', 'VI_V6'] }),
    ]);
    expect(d.scripts[0]).toMatchObject({
      name: 'chk_fault_flag',
      intervalSeconds: 1,
      rise: 1,
      fall: 1,
      result: 1,
      status: 'GOOD',
      runState: 'idle',
      instances: [{ name: 'VI_V4', weight: 0, reverse: false }],
    });
    expect(d.virtualServers).toEqual([]);
  });

  it('reads the checker dump: real servers with alive state and weight, health checkers', () => {
    const d = parseKeepalivedData(read('hand-2x-check.data'));
    expect(d.instances).toEqual([]);
    expect(d.lvsVersion).toBe('1.2.1');
    const [web, v6, fwm] = d.virtualServers;
    expect(web).toMatchObject({ address: '192.0.2.100', port: 80, scheduler: 'wlc', protocol: 'TCP', forwarding: 'DR', quorum: 1, alive: true, quorumUp: true });
    expect(web?.realServers.map((r) => [r.address, r.port, r.weight, r.alive, r.set])).toEqual([
      ['192.0.2.11', 80, 100, true, true],
      ['192.0.2.12', 80, 0, false, false],
    ]);
    expect(web?.realServers[1]).toMatchObject({ effectiveWeight: 100, failedCheckers: 1, trackedFiles: [{ name: 'drain_rs2', weight: 1, reverse: false }] });
    expect(v6).toMatchObject({ address: '2001:db8::1', family: 'inet6', persistenceTimeout: 300, forwarding: 'IPIP' });
    expect(fwm).toMatchObject({ fwmark: 5, address: null, port: null, alive: false, realServers: [] });
    expect(d.checkers.map((c) => [c.realServer.text, c.method, c.up])).toEqual([
      ['[192.0.2.11]:tcp:80', 'HTTP_GET', true],
      ['[192.0.2.12]:tcp:80', 'HTTP_GET', false],
      ['[2001:db8::11]:tcp:80', 'TCP_CHECK', true],
    ]);
  });

  it('reads both files concatenated', () => {
    const d = parseKeepalivedData(read('hand-2x-backup.data') + read('hand-2x-check.data'));
    expect(d.instances).toHaveLength(2);
    expect(d.virtualServers).toHaveLength(3);
    expect(d.global?.routerId).toBe('dir2'); // first occurrence wins
  });

  it('reads a 1.x dump (Listening device, "Virtual IP = n", monitor, Status BAD)', () => {
    const d = parseKeepalivedData(read('hand-1x.data'));
    const [i] = d.instances;
    expect(i).toMatchObject({
      name: 'VI_1',
      state: 'MASTER',
      lastTransition: 1512345678,
      interface: 'eth0',
      priority: 150,
      effectivePriority: 140,
      trackedInterfaces: [{ name: 'eth1', weight: 0, reverse: false }],
      trackedScripts: [{ name: 'chk_haproxy', weight: -10, reverse: false, status: 'BAD', good: false }],
      notifyScripts: { Generic: '/usr/local/bin/notify.sh' },
    });
    expect(i?.vips.map((v) => [v.address, v.prefixlen, v.label, v.set])).toEqual([
      ['10.0.0.100', 24, null, null],
      ['10.0.0.101', 32, 'eth0:1', null],
    ]);
    expect(d.syncGroups[0]).toMatchObject({ name: 'VG_1', state: 'MASTER', members: ['VI_1'] });
    expect(d.global).toBeNull();
  });
});

describe('parseKeepalivedData errors and tolerance', () => {
  const minimal = (extra = '') =>
    `------< VRRP Topology >------\n VRRP Instance = VI_1\n   State = MASTER\n   Virtual Router ID = 51\n   Priority = 100\n${extra}`;

  it('accepts a minimal instance and ignores unknown keys and sections', () => {
    const d = parseKeepalivedData(`${minimal('   Some future key = 42\n   Future list :\n     item\n')}------< Future section >------\n whatever\n`);
    expect(d.instances[0]).toMatchObject({ name: 'VI_1', state: 'MASTER', virtualRouterId: 51, priority: 100, effectivePriority: null });
    expect(d.sections).toEqual(['VRRP Topology', 'Future section']);
  });

  it.each([
    ['empty input', '', 0, /empty input/],
    ['whitespace only', ' \n\n', 0, /empty input/],
    ['no section header', ' VRRP Instance = VI_1\n', 1, /Section/],
    ['line before the first instance', '------< VRRP Topology >------\n   State = MASTER\n', 2, /VRRP Instance/],
    ['bad state', minimal('   State = SLEEPING\n'), 6, /VRRP state/],
    ['bad priority', minimal().replace('Priority = 100', 'Priority = high'), 5, /integer priority/],
    ['VRID out of range', minimal().replace('ID = 51', 'ID = 300'), 4, /VRID/],
    ['missing VRID', minimal().replace('   Virtual Router ID = 51\n', ''), 2, /Virtual Router ID/],
    ['missing priority', minimal().replace('   Priority = 100\n', ''), 2, /Priority/],
    ['missing state', minimal().replace('   State = MASTER\n', ''), 2, /State/],
    ['VS without its address line', '------< LVS Topology >------\n ------< Virtual server >------\n   lvs_sched = rr\n', 2, /VS VIP/],
    ['VIP count mismatch', minimal('   Virtual IP (2):\n     192.0.2.1 dev eth0 scope global\n'), 6, /announces 2 entries but 1/],
    ['bad VIP', minimal('   Virtual IP (1):\n     banana dev eth0\n'), 7, /ADDRESS/],
    ['bad last transition', minimal('   Last transition = yesterday\n'), 6, /SECONDS/],
    ['bad tracked script', minimal('   Tracked scripts :\n     chk weight heavy\n'), 7, /weight/],
    ['real server outside a virtual server', '------< LVS Topology >------\n   ------< Real server >------\n', 2, /outside/],
    ['bad VS line', '------< LVS Topology >------\n ------< Virtual server >------\n VS WHAT = 1\n', 3, /VS VIP/],
    ['RS port out of range', '------< LVS Topology >------\n ------< Virtual server >------\n VS VIP = 10.0.0.1, VPORT = 80\n   ------< Real server >------\n   RIP = 10.0.0.2, RPORT = 70000, WEIGHT = 1\n', 5, /port/],
    ['RS without RIP', '------< LVS Topology >------\n ------< Virtual server >------\n VS VIP = 10.0.0.1, VPORT = 80\n   ------< Real server >------\n   alive = 1\n', 0, /RIP/],
    ['bad checker header', '------< Health checkers >------\n 10.0.0.1:80 -> 10.0.0.2:80\n', 2, /\[VS\]/],
    ['bad script status', '------< VRRP Scripts >------\n VRRP Script = x\n   Status = good?\n', 3, /GOOD/],
  ])('%s -> ParseError at line %s', (_name, text, line, reason) => {
    const e = parseError(text);
    expect(e.kind).toBe('keepalived-data');
    expect(e.line).toBe(line);
    expect(e.message).toMatch(reason);
  });

  it('handles CRLF line endings', () => {
    const d = parseKeepalivedData(minimal().replace(/\n/g, '\r\n'));
    expect(d.instances[0]?.priority).toBe(100);
  });
});
