import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IpvsTable, type IpvsListMode } from '@/lib/models/ipvsadm';
import { expectGolden } from '@/lib/testing/golden';
import { parseIpvsadm } from './ipvsadm';
import { ParseError } from './parse-error';

const DIR = fileURLToPath(new URL('./fixtures/ipvsadm/', import.meta.url));
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();
const read = (name: string): string => readFileSync(DIR + name, 'utf8');

/** The mode a fixture's command asks for, from its name (`lab-dir1-Ln--stats--exact.txt`). */
function modeFromFixtureName(name: string): IpvsListMode {
  if (name.includes('-Lnc')) return 'connections';
  if (name.includes('--timeout')) return 'timeout';
  if (name.includes('--daemon')) return 'daemon';
  if (name.includes('-Sn')) return 'save';
  if (name.includes('--stats')) return 'stats';
  if (name.includes('--rate')) return 'rate';
  if (name.includes('--thresholds')) return 'thresholds';
  if (name.includes('--persistent-conn')) return 'persistent-conn';
  if (name.includes('--tun-info')) return 'tun-info';
  return 'list';
}

function parseFixture(name: string): IpvsTable {
  return parseIpvsadm(read(name), { mode: modeFromFixtureName(name) });
}

function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError, got a result');
}

describe('parseIpvsadm: every captured/hand-made fixture matches its reviewed expected model', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)('%s', (name) => {
    const table = parseFixture(name);
    expect(IpvsTable.safeParse(table).success).toBe(true);
    expectGolden(DIR + name.replace(/\.txt$/, '.expected.json'), table);
  });
});

// Facts checked by hand against the fixture text, independently of the expected JSON files.
describe('parseIpvsadm: format facts', () => {
  it('expands K/M/G/T by decimal units and marks the holder approximate', () => {
    const t = parseFixture('hand-1.31-Ln--stats-abbreviated.txt');
    const [svc, fwm] = t.services;
    // 99999999 100000K 123G 99999G18446744T (the last two glued: %8lluT fills its field)
    expect(svc?.stats).toEqual({ conns: 99999999, inPkts: 1e8, outPkts: 123e9, inBytes: 99999e9, outBytes: 18446744e12 });
    expect(svc?.approximate).toBe(true);
    expect(svc?.realServers[0]?.stats).toEqual({ conns: 5, inPkts: 999999e3, outPkts: 1000e6, inBytes: 100e9, outBytes: 100e12 });
    expect(svc?.realServers[0]?.approximate).toBe(true);
    expect(svc?.realServers[1]?.approximate).toBe(false);
    expect(fwm).toMatchObject({ protocol: 'FWM', fwmark: 7, address: null, port: null, approximate: false });
  });

  it('reads --exact numbers of any width; beyond 2^53 they are approximate', () => {
    const [svc] = parseFixture('hand-1.31-Ln--stats--exact-huge.txt').services;
    expect(svc?.stats?.conns).toBe(123456789);
    expect(svc?.approximate).toBe(true); // 9007199254740993 is not a safe integer
    expect(svc?.realServers[0]?.stats?.inPkts).toBe(987654321098);
    expect(svc?.realServers[0]?.approximate).toBe(false);
    expect(svc?.realServers[1]?.address).toBe('2001:db8:0:1234:5678:9abc:def0:1');
  });

  it('--rate: real-server CPS/PPS are plain, BPS may be abbreviated', () => {
    const [svc] = parseFixture('hand-1.31-Ln--rate.txt').services;
    expect(svc?.rates).toEqual({ cps: 120, inPps: 3400, outPps: 3100, inBps: 150e6, outBps: 2500e6 });
    expect(svc?.realServers[0]?.rates?.outBps).toBe(1250e6);
    expect(svc?.realServers[1]).toMatchObject({ rates: { cps: 123456789, inBps: 12 }, approximate: false });
  });

  it('--tun-info: ipip, gue:PORT:FLAGS, gre:FLAGS, n/a', () => {
    const rs = parseFixture('hand-1.31-Ln--tun-info-gue-gre.txt').services[0]?.realServers ?? [];
    expect(rs.map((r) => r.tunnel)).toEqual([
      { type: 'ipip', port: null, flags: [] },
      { type: 'gue', port: 6080, flags: ['-c'] },
      { type: 'gre', port: null, flags: ['+c'] },
      { type: 'gue', port: 65535, flags: ['r+c'] },
      null,
      null,
    ]);
    expect(rs.map((r) => r.forward)).toEqual(['Tunnel', 'Tunnel', 'Tunnel', 'Tunnel', 'Masq', 'Route']);
  });

  it('keeps forward names and schedulers verbatim, flags split, negative fwmark made unsigned', () => {
    const fwd = parseFixture('hand-fork-Ln-fullnat-null.txt').services[0]?.realServers.map((r) => r.forward);
    expect(fwd).toEqual(['FullNat', '(null)', 'SNAT', 'Local']);
    const s = parseFixture('hand-1.31-Ln-schedulers-flags.txt').services;
    expect(s.map((x) => x.scheduler)).toEqual([
      'rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos', 'mybalancer', 'mh', 'rr',
    ]);
    expect(s[7]?.flags).toEqual(['sh-fallback', 'sh-port']);
    expect(s[12]?.flags).toEqual(['mh-fallback', 'mh-port']);
    expect(s[14]?.flags).toEqual(['flag-1', 'flag-3']);
    expect(s[15]).toMatchObject({ protocol: 'FWM', fwmark: 2147483648, family: 'inet', flags: ['mh-port'] });
    expect(s[16]).toMatchObject({ protocol: 'FWM', fwmark: 4294967295, family: 'inet6' });
  });

  it('IPv6 without brackets, IPv6 persistence mask, pe, ops, SCTP, IPv6 fwmark', () => {
    const s = parseFixture('hand-1.31-Ln-ipv6-fwm-pe-ops-sctp.txt').services;
    expect(s[0]).toMatchObject({ family: 'inet6', address: '2001:db8::100', port: 443, persistent: { timeout: 600, netmask: '64' } });
    expect(s[1]).toMatchObject({ protocol: 'UDP', persistent: { timeout: 300, netmask: null }, pe: 'sip', ops: true });
    expect(s[2]).toMatchObject({ protocol: 'SCTP', port: 3868 });
    expect(s[3]).toMatchObject({ protocol: 'FWM', family: 'inet6', fwmark: 1, persistent: { timeout: 120, netmask: '48' } });
    expect(s[3]?.realServers[1]?.address).toBe('::ffff:10.0.0.41');
    expect(s[4]).toMatchObject({ scheduler: 'sh', flags: ['sh-port'], ops: true, persistent: null });
  });

  it('ipvsadm 1.26: SCTP shows as UDP, two spaces after the protocol, ops inside persistence', () => {
    const t = parseFixture('hand-1.26-Ln-sctp.txt');
    expect(t.services.map((x) => x.protocol)).toEqual(['TCP', 'UDP', 'FWM']);
    expect(t.services[0]).toMatchObject({ persistent: { timeout: 300 }, ops: true });
    expect(t.services[2]?.persistent).toEqual({ timeout: 60, netmask: '255.255.255.0' });
  });

  it('single-service listing has no version line; empty tables are valid', () => {
    const one = parseFixture('hand-1.31-Ln-t-single-service.txt');
    expect(one).toMatchObject({ mode: 'list', version: null, connTableSize: null });
    expect(one.services).toHaveLength(1);
    expect(parseFixture('hand-1.31-Ln-empty.txt')).toMatchObject({ mode: 'list', version: '1.2.1', connTableSize: 4096, services: [] });
    expect(parseFixture('hand-1.31-Ln--stats-empty.txt')).toMatchObject({ mode: 'stats', services: [] });
  });

  it('CRLF line ends read the same as LF', () => {
    const crlf = read('hand-1.31-Ln-crlf.txt');
    expect(crlf).toContain('\r\n');
    expect(parseIpvsadm(crlf)).toEqual(parseIpvsadm(crlf.replace(/\r\n/g, '\n')));
  });

  it('save format: forwarding switches mapped to list names, tunnel options, 1.26 pe/ops spelling', () => {
    const s = parseFixture('hand-1.31-Sn-all-options.txt').services;
    expect(s[0]?.realServers.map((r) => r.forward)).toEqual(['Route', 'Masq', 'Tunnel', 'Tunnel', 'Tunnel', '(null)']);
    expect(s[0]?.realServers[2]?.tunnel).toEqual({ type: 'gue', port: 6080, flags: ['-c'] });
    expect(s[0]?.realServers[3]?.tunnel).toEqual({ type: 'gre', port: null, flags: ['+c'] });
    expect(s[0]?.realServers[0]?.tunnel).toBeUndefined();
    expect(s[1]).toMatchObject({ pe: 'sip', ops: true, persistent: { timeout: 300, netmask: null } });
    expect(s[2]).toMatchObject({ protocol: 'SCTP', flags: ['sh-fallback', 'sh-port'] });
    expect(s[3]).toMatchObject({ protocol: 'FWM', family: 'inet6', fwmark: 1, persistent: { netmask: '48' } });
    expect(parseFixture('hand-1.26-Sn.txt').services[0]).toMatchObject({ pe: 'sip', ops: true });
  });

  it('timeout and daemon modes', () => {
    expect(parseFixture('hand-1.31-Ln--timeout.txt').timeout).toEqual({ tcp: 900, tcpfin: 120, udp: 300 });
    expect(parseFixture('hand-1.31-Ln--daemon-master-backup.txt').daemons).toEqual([
      { role: 'master', mcastInterface: 'eth0', syncId: 1, options: { maxlen: '1472', group: '224.0.0.81', port: '8848', ttl: '1' } },
      { role: 'backup', mcastInterface: 'eth1', syncId: 2, options: { group: 'ff02::1234' } },
    ]);
    expect(parseFixture('hand-1.26-Ln--daemon-master.txt').daemons).toHaveLength(1);
  });

  it('empty output needs the mode (empty -S table, --daemon without daemons)', () => {
    expect(parseIpvsadm('', { mode: 'daemon' })).toMatchObject({ mode: 'daemon', daemons: [] });
    expect(parseIpvsadm('\n', { mode: 'save' })).toMatchObject({ mode: 'save', services: [] });
    expect(parseErrorOf(() => parseIpvsadm('')).line).toBe(0);
    expect(parseErrorOf(() => parseIpvsadm('', { mode: 'list' })).reason).toMatch(/empty output/);
  });

  it('a text in another mode than asked is an error', () => {
    const e = parseErrorOf(() => parseIpvsadm(read('hand-1.31-Ln--rate.txt'), { mode: 'stats' }));
    expect(e.reason).toMatch(/expected ipvsadm stats output, found rate/);
  });

  it.each(['dir1', 'dir2'])('lab %s: -Ln and -Sn describe the same table (save switches map to list names)', (dir) => {
    const shape = (t: IpvsTable): unknown =>
      t.services.map((s) => ({
        key: [s.protocol, s.family, s.address, s.port, s.fwmark, s.scheduler, s.flags, s.persistent, s.pe, s.ops],
        rs: s.realServers.map((r) => [r.address, r.port, r.forward, r.weight]),
      }));
    const list = parseFixture(`lab-${dir}-Ln.txt`);
    expect(list.services.length).toBeGreaterThan(0);
    expect(shape(parseFixture(`lab-${dir}-Sn.txt`))).toEqual(shape(list));
  });

  it('connections mode uses the connection-row parser', () => {
    const t = parseFixture('hand-1.31-Lnc--persistent-conn.txt');
    expect(t.connections[1]).toEqual({
      protocol: 'UDP',
      state: 'NONE',
      expiresInSeconds: 133 * 60 + 35,
      client: { address: '198.51.100.7', port: 0 },
      virtual: { address: '192.0.2.100', port: 5060 },
      destination: { address: '10.0.0.21', port: 5060 },
      pe: { name: 'sip', data: 'a84b4c76e66710' },
    });
    expect(t.connections[2]?.pe).toBeNull();
    expect(parseFixture('hand-1.31-Lnc-states.txt').connections[0]).not.toHaveProperty('pe');
  });
});

const V = 'IP Virtual Server version 1.2.1 (size=4096)';
const LT = 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn';
const ST = 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port';
const RT = 'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port';
const CT = 'IPVS connection entries\npro expire state       source             virtual            destination';
const SVC = 'TCP  192.0.2.100:80 wlc';
const RS = '  -> 10.0.0.11:80                 Route   1      0          0';

// [what, text, line of the error, reason pattern]
const invalid: [string, string, number, RegExp][] = [
  ['unknown title', 'Hello world', 1, /expected an ipvsadm title/],
  ['version line alone', V, 1, /column titles/],
  ['unknown service title', `${V}\nProt LocalAddress:Port Foo Bar\n  -> RemoteAddress:Port`, 2, /known service title/],
  ['missing real-server title', `${V}\nProt LocalAddress:Port Scheduler Flags\n${SVC}`, 3, /real-server title/],
  ['real-server title of another format', `${V}\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port`, 3, /Forward Weight/],
  ['real server before any service', `${V}\n${LT}\n${RS}`, 4, /service line before/],
  ['weight not a number', `${V}\n${LT}\n${SVC}\n  -> 10.0.0.11:80 Route x 0 0`, 5, /weight/],
  ['negative weight', `${V}\n${LT}\n${SVC}\n  -> 10.0.0.11:80 Route -1 0 0`, 5, /weight/],
  ['too few real-server columns', `${V}\n${LT}\n${SVC}\n  -> 10.0.0.11:80 Route 1 0`, 5, /Forward Weight ActiveConn InActConn/],
  ['names instead of numbers (no -n)', `${V}\n${LT}\nTCP  www.example.com:http wlc`, 4, /numeric/],
  ['IPv4 octet out of range', `${V}\n${LT}\nTCP  300.0.2.100:80 wlc`, 4, /virtual address/],
  ['port out of range', `${V}\n${LT}\nTCP  192.0.2.100:70000 wlc`, 4, /virtual address/],
  ['unbracketed IPv6', `${V}\n${LT}\nTCP  2001:db8::1:80 wlc`, 4, /virtual address/],
  ['unknown protocol', `${V}\n${LT}\n?    192.0.2.100:80 wlc`, 4, /TCP, UDP, SCTP or FWM/],
  ['missing scheduler', `${V}\n${LT}\nTCP  192.0.2.100:80`, 4, /scheduler/],
  ['unknown service option', `${V}\n${LT}\n${SVC} sticky`, 4, /persistent T, mask M/],
  ['mask without persistent', `${V}\n${LT}\n${SVC} mask 255.255.255.0`, 4, /persistent T, mask M/],
  ['bad IPv4 mask', `${V}\n${LT}\n${SVC} persistent 300 mask 64`, 4, /dotted quad/],
  ['bad IPv6 mask', `${V}\n${LT}\nTCP  [2001:db8::1]:80 wlc persistent 300 mask 129`, 4, /prefix length/],
  ['persistent without timeout', `${V}\n${LT}\n${SVC} persistent`, 4, /persistence timeout/],
  ['fwmark not a number', `${V}\n${LT}\nFWM  x rr`, 4, /firewall mark/],
  ['stats service with four counters', `${V}\n${ST}\nTCP  192.0.2.100:80 1 2 3 4`, 4, /five counters/],
  ['stats counter with unknown unit', `${V}\n${ST}\nTCP  192.0.2.100:80 1 2 3 4 5P`, 4, /counter/],
  ['rate real-server CPS abbreviated', `${V}\n${RT}\nTCP  192.0.2.100:80 1 2 3 4 5\n  -> 10.0.0.11:80 100K 2 3 4 5`, 5, /CPS/],
  ['trailing junk after the timeout line', 'Timeout (tcp tcpfin udp): 900 120 300\nmore', 2, /nothing after/],
  ['malformed timeout', 'Timeout (tcp tcpfin udp): 900 120', 1, /Timeout \(tcp tcpfin udp\)/],
  ['daemon without syncid', 'master sync daemon (mcast=eth0)', 1, /syncid/],
  ['two master daemons', 'master sync daemon (mcast=eth0, syncid=1)\nmaster sync daemon (mcast=eth1, syncid=2)', 2, /at most one master/],
  ['junk after daemons', 'master sync daemon (mcast=eth0, syncid=1)\nhello', 2, /sync daemon/],
  ['connections without header', 'IPVS connection entries', 1, /column header/],
  ['connection with bad expire', `${CT}\nTCP 1:5 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80`, 3, /MM:SS/],
  ['connection with 60 seconds', `${CT}\nTCP 01:60 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80`, 3, /MM:SS/],
  ['connection with 7 columns', `${CT}\nTCP 01:00 ESTABLISHED 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80 x`, 3, /connection row/],
  ['pe columns without --persistent-conn header', `${CT}\nUDP 01:00 UDP 1.2.3.4:5 192.0.2.100:80 10.0.0.11:80 sip abc`, 3, /6 columns/],
  ['save: real server before its service', '-a -t 192.0.2.100:80 -r 10.0.0.11:80 -g -w 1', 1, /before it/],
  ['save: real server of another service', '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:81 -r 10.0.0.11:80 -g -w 1', 2, /before it/],
  ['save: missing scheduler', '-A -t 192.0.2.100:80', 1, /-s SCHEDULER/],
  ['save: unknown option', '-A -t 192.0.2.100:80 -s rr --frobnicate', 1, /found "--frobnicate"/],
  ['save: -M before -p', '-A -t 192.0.2.100:80 -s rr -M 255.255.255.0', 1, /-M only after -p/],
  ['save: missing forwarding', '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.11:80 -w 1', 2, /forwarding method/],
  ['save: tunnel options without -i', '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.11:80 -m -w 1 --tun-type ipip', 2, /only with -i/],
  ['save: --tun-port without --tun-type', '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 10.0.0.11:80 -i -w 1 --tun-port 6080', 2, /--tun-type/],
  ['save: junk line', '-A -t 192.0.2.100:80 -s rr\nhello', 2, /-t, -u, --sctp-service|-A or -a/],
  ['save: duplicate service', '-A -t 192.0.2.100:80 -s rr\n-A -t 192.0.2.100:80 -s wlc', 2, /added once/],
];

describe('parseIpvsadm: invalid input throws ParseError with the line', () => {
  it.each(invalid)('%s', (_what, text, line, reason) => {
    const e = parseErrorOf(() => parseIpvsadm(text));
    expect(e.kind).toBe('ipvsadm');
    expect(e.line).toBe(line);
    expect(e.reason).toMatch(reason);
    if (line > 0) expect(e.text).toBe(text.split('\n')[line - 1]);
  });
});
