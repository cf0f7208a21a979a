import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  catalogue,
  CommandArgumentError,
  conntrackFigures,
  ipAddrJson,
  ipvsadmConnections,
  ipvsadmEditRealServer,
  ipvsadmList,
  ipvsadmListService,
  ipvsadmSave,
  ipvsadmTimeout,
  ipvsadmDaemon,
  journalctlEntries,
  keepalivedConfigTest,
  keepalivedSignal,
  nmcliConnections,
  nmcliDevices,
  nmcliProfiles,
  nmcliRunning,
  pidofConntrackd,
  pidofKeepalived,
  readFile,
  sysctlRead,
  writeTrackFile,
  type CatalogueCommand,
  haproxySetState,
  haproxySetWeight,
  haproxyShowStat,
  ipRouteJson,
  ipv4ConfSysctls,
} from './catalogue';
import { defineCommand } from './command';
import { shQuote, toRemoteCommand } from './quote';

// Builders take typed arguments; route handlers may hand them anything. These tests feed
// untyped values through this helper.
function loose<T>(v: unknown): T {
  return v as T;
}

describe('catalogue builders: exact argv for valid input', () => {
  const svc4 = { protocol: 'tcp', address: '192.0.2.100', port: 80 } as const;
  const svc6 = { protocol: 'tcp', address: '2001:db8::1', port: 80 } as const;
  const cases: Array<[string, CatalogueCommand, readonly string[], boolean]> = [
    ['list', ipvsadmList({ exact: false, mode: 'list' }), ['ipvsadm', '-Ln'], true],
    ['list exact stats', ipvsadmList({ exact: true, mode: 'stats' }), ['ipvsadm', '-Ln', '--exact', '--stats'], true],
    ['list rate', ipvsadmList({ exact: true, mode: 'rate' }), ['ipvsadm', '-Ln', '--exact', '--rate'], true],
    ['list thresholds', ipvsadmList({ exact: false, mode: 'thresholds' }), ['ipvsadm', '-Ln', '--thresholds'], true],
    ['list persistent', ipvsadmList({ exact: false, mode: 'persistent-conn' }), ['ipvsadm', '-Ln', '--persistent-conn'], true],
    ['list tun-info', ipvsadmList({ exact: false, mode: 'tun-info' }), ['ipvsadm', '-Ln', '--tun-info'], true],
    ['list service v4', ipvsadmListService(svc4), ['ipvsadm', '-Ln', '--exact', '-t', '192.0.2.100:80'], true],
    [
      'list service v6 stats',
      ipvsadmListService(svc6, { exact: false, mode: 'stats' }),
      ['ipvsadm', '-Ln', '--stats', '-t', '[2001:db8::1]:80'],
      true,
    ],
    [
      'list service udp',
      ipvsadmListService({ protocol: 'udp', address: '192.0.2.101', port: 5353 }),
      ['ipvsadm', '-Ln', '--exact', '-u', '192.0.2.101:5353'],
      true,
    ],
    [
      'list service sctp',
      ipvsadmListService({ protocol: 'sctp', address: '192.0.2.102', port: 9 }),
      ['ipvsadm', '-Ln', '--exact', '--sctp-service', '192.0.2.102:9'],
      true,
    ],
    ['list service fwm', ipvsadmListService({ fwmark: 7, family: 'inet' }), ['ipvsadm', '-Ln', '--exact', '-f', '7'], true],
    ['list service fwm v6', ipvsadmListService({ protocol: 'fwm', fwmark: 2, family: 'inet6' }), ['ipvsadm', '-Ln', '--exact', '-f', '2', '-6'], true],
    ['connections', ipvsadmConnections(), ['ipvsadm', '-Ln', '-c'], true],
    ['save', ipvsadmSave(), ['ipvsadm', '-Sn'], true],
    ['timeout', ipvsadmTimeout(), ['ipvsadm', '-Ln', '--timeout'], true],
    ['daemon', ipvsadmDaemon(), ['ipvsadm', '-Ln', '--daemon'], true],
    [
      'edit v4 drain',
      ipvsadmEditRealServer({ service: svc4, realServer: { address: '192.0.2.11', port: 80 }, forward: 'route', weight: 0 }),
      ['ipvsadm', '-e', '-t', '192.0.2.100:80', '-r', '192.0.2.11:80', '-g', '-w', '0'],
      true,
    ],
    [
      'edit v6 masq thresholds',
      ipvsadmEditRealServer({
        service: svc6,
        realServer: { address: '2001:db8::11', port: 8080 },
        forward: 'masq',
        weight: 100,
        upperThreshold: 500,
        lowerThreshold: 10,
      }),
      ['ipvsadm', '-e', '-t', '[2001:db8::1]:80', '-r', '[2001:db8::11]:8080', '-m', '-w', '100', '-x', '500', '-y', '10'],
      true,
    ],
    [
      'edit fwmark v6 port 0 tunnel',
      ipvsadmEditRealServer({ service: { fwmark: 2, family: 'inet6' }, realServer: { address: '2001:db8::12', port: 0 }, forward: 'tunnel', weight: 65535 }),
      ['ipvsadm', '-e', '-f', '2', '-6', '-r', '[2001:db8::12]:0', '-i', '-w', '65535'],
      true,
    ],
    ['ip addr', ipAddrJson(), ['ip', '-j', 'addr', 'show'], false],
    ['signal data', keepalivedSignal('data'), ['pkill', '--signal', 'USR1', '-F', '/run/keepalived.pid'], true],
    ['signal stats', keepalivedSignal('stats'), ['pkill', '--signal', 'USR2', '-F', '/run/keepalived.pid'], true],
    ['signal json', keepalivedSignal('json'), ['pkill', '--signal', '36', '-F', '/run/keepalived.pid'], true],
    ['config test', keepalivedConfigTest(), ['keepalived', '-t'], true],
    ['pidof', pidofKeepalived(), ['pidof', 'keepalived'], false],
    ['read data', readFile('/tmp/keepalived.data'), ['cat', '/tmp/keepalived.data'], false],
    ['read json', readFile('/tmp/keepalived.json'), ['cat', '/tmp/keepalived.json'], false],
    ['read checker dump', readFile('/tmp/keepalived_check.data'), ['cat', '/tmp/keepalived_check.data'], false],
    ['read pid file', readFile('/run/keepalived.pid'), ['cat', '/run/keepalived.pid'], false],
    ['tail log', readFile('/var/log/keepalived.log', { tailLines: 200 }), ['tail', '-n', '200', '/var/log/keepalived.log'], false],
    [
      'journal unit since',
      journalctlEntries({ source: { unit: 'keepalived' }, since: Date.UTC(2026, 10, 22, 2, 0, 0) }),
      ['journalctl', '--no-pager', '-o', 'json', '-u', 'keepalived', `--since=@${Date.UTC(2026, 10, 22, 2, 0, 0) / 1000}`],
      false,
    ],
    [
      'journal identifiers cursor',
      journalctlEntries({
        source: { identifiers: ['Keepalived', 'Keepalived_vrrp', 'Keepalived_healthcheckers'] },
        afterCursor: 's=0123abcd;i=1f;b=89ab;m=10;t=5f0;x=deadbeef',
        lines: 500,
      }),
      [
        'journalctl',
        '--no-pager',
        '-o',
        'json',
        '-t',
        'Keepalived',
        '-t',
        'Keepalived_vrrp',
        '-t',
        'Keepalived_healthcheckers',
        '--after-cursor=s=0123abcd;i=1f;b=89ab;m=10;t=5f0;x=deadbeef',
        '-n',
        '500',
      ],
      false,
    ],
    [
      'sysctl',
      sysctlRead(['net.ipv4.ip_forward', 'net.ipv4.vs.expire_quiescent_template']),
      ['/sbin/sysctl', '-e', 'net.ipv4.ip_forward', 'net.ipv4.vs.expire_quiescent_template'],
      false,
    ],
    [
      'conntrack',
      conntrackFigures(),
      ['/sbin/sysctl', '-e', 'net.netfilter.nf_conntrack_count', 'net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_buckets'],
      false,
    ],
    ['nmcli devices', nmcliDevices(), ['nmcli', '-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status'], false],
    ['pidof conntrackd', pidofConntrackd(), ['pidof', 'conntrackd'], false],
    ['nmcli running', nmcliRunning(), ['nmcli', '-t', '-f', 'RUNNING', 'general'], false],
    [
      'nmcli profiles',
      nmcliProfiles(['5D7A3C2E-0b1f-4c47-9a51-2f0e6c1d0b02']),
      ['nmcli', '-t', '-f', 'connection.id,connection.uuid,connection.type,connection.interface-name,connection.autoconnect,ipv4.method,ipv4.addresses,ipv4.never-default,ipv6.method,ipv6.addresses', 'connection', 'show', '5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02'],
      false,
    ],
    ['nmcli connections', nmcliConnections(), ['nmcli', '-t', '-f', 'NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT', 'connection', 'show'], false],
    ['track file', writeTrackFile('rs1-80', 1), ['tee', '/var/lib/lvs-console/track/rs1-80'], false],
    ['ip route', ipRouteJson(), ['ip', '-j', 'route', 'show'], false],
    ['ipv4 conf sysctls', ipv4ConfSysctls(), ['/sbin/sysctl', '-a', '-r', '^net\\.ipv4\\.conf\\.[^.]+\\.(arp_ignore|arp_announce|rp_filter)$'], false],
    ['haproxy show stat', haproxyShowStat('/run/haproxy/admin.sock'), ['/usr/local/sbin/lvs-haproxy-cmd', '/run/haproxy/admin.sock'], false],
    ['haproxy drain', haproxySetState('/run/haproxy/admin.sock', 'galera', 'rs1', 'drain'), ['/usr/local/sbin/lvs-haproxy-cmd', '/run/haproxy/admin.sock'], false],
    ['haproxy weight', haproxySetWeight('/var/lib/haproxy/stats', 'be_db', 'db-2.example', 10), ['/usr/local/sbin/lvs-haproxy-cmd', '/var/lib/haproxy/stats'], false],
  ];
  it.each(cases)('%s', (_name, cmd, argv, sudo) => {
    expect(cmd.argv).toEqual(argv);
    expect(cmd.sudo).toBe(sudo);
    expect(cmd.description.length).toBeGreaterThan(0);
    expect(Object.isFrozen(cmd)).toBe(true);
    expect(Object.isFrozen(cmd.argv)).toBe(true);
  });

  it('writeTrackFile puts the value on stdin, not in argv', () => {
    expect(writeTrackFile('rs2.8080', 0).stdin).toBe('0\n');
  });
  it('HAProxy commands put the one socket line on stdin, never in argv', () => {
    expect(haproxyShowStat('/run/haproxy/admin.sock').stdin).toBe('show stat\n');
    expect(haproxySetState('/run/haproxy/admin.sock', 'galera', 'rs1', 'maint').stdin).toBe('set server galera/rs1 state maint\n');
    expect(haproxySetWeight('/run/haproxy/admin.sock', 'galera', 'rs1', 0).stdin).toBe('set server galera/rs1 weight 0\n');
  });
  it('HAProxy commands run the wrapper as lvs-haproxy, never socat on the socket directly', () => {
    for (const c of [haproxyShowStat('/run/haproxy/admin.sock'), haproxySetState('/run/haproxy/admin.sock', 'galera', 'rs1', 'drain'), haproxySetWeight('/run/haproxy/admin.sock', 'galera', 'rs1', 3)]) {
      expect([c.runAs, c.sudo, c.argv[0]]).toEqual(['lvs-haproxy', false, '/usr/local/sbin/lvs-haproxy-cmd']);
    }
  });
  it('pidof accepts exit 1 (not running)', () => {
    expect(pidofKeepalived().okExitCodes).toEqual([0, 1]);
    expect(ipvsadmSave().okExitCodes).toEqual([0]);
  });
  it('every builder is covered by this table', () => {
    const covered = new Set(cases.map(([, c]) => c.name));
    expect([...covered].sort()).toEqual(Object.keys(catalogue).sort());
  });
});

// ------------------------------------------------------------------ hostile input

const HOSTILE: readonly unknown[] = [
  "'",
  '"',
  ';',
  '$(id)',
  '`id`',
  '|',
  '&&',
  '\n',
  '\r',
  '\0',
  'a\0b',
  ' -D',
  '-D',
  '--help',
  '../',
  '../../etc/shadow',
  '/etc/shadow',
  '',
  ' ',
  '1.2.3.4; reboot',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '[::1]:80',
  '[::1]',
  '0x7f.1',
  '127.1',
  '010.0.0.1',
  'fe80::1%eth0',
  'localhost',
  'tcp ',
  'TCP',
  'ｔｃｐ', // fullwidth
  '1.2.3.４', // fullwidth digit
  'keepаlived', // Cyrillic а
  'rr\u200b', // zero-width space
  'wlc\u00a0',
  '\u202err',
  'x'.repeat(100_000),
  '-'.repeat(3),
  '-1',
  '1e3',
  '80',
  '0',
  '*',
  '?',
  '~',
  '$HOME',
  '%s',
  'a b',
  'json;id',
  'data\nstats',
  '/tmp/keepalived.data\0',
  '/tmp/keepalived.data/../../etc/passwd',
  '/var/log/../log/keepalived.log',
  '/var/lib/lvs-console/track/../../../etc/passwd',
  's=1;i=2 --output=cat',
];

/** Non-string hostile values for numeric/boolean/enum fields. */
const HOSTILE_VALUES: readonly unknown[] = [NaN, Infinity, -1, 1.5, 2 ** 53, -0.5, null, undefined, {}, [], true, '80', 1e100];

type Builder = (input: Record<string, unknown>) => CatalogueCommand;
interface BuilderSpec {
  name: string;
  base: Record<string, unknown>;
  call: Builder;
  /** Field paths (as named in errors), the keys to set in `base`, and list values that are legitimate there. */
  fields: Array<[errorField: string, path: Array<string | number>, legit?: readonly unknown[]]>;
}

const svc = { protocol: 'tcp', address: '192.0.2.100', port: 80 };
/** Harmless names that happen to be in the hostile list: fine as a file name, unit or identifier. */
const NAME_LEGIT = ['0x7f.1', '127.1', '010.0.0.1', 'localhost', '80', '0', '1e3', 'TCP'];
const SPECS: BuilderSpec[] = [
  {
    name: 'ipvsadmList',
    base: { exact: true, mode: 'stats' },
    call: (i) => ipvsadmList(loose(i)),
    fields: [
      ['exact', ['exact'], [true]],
      ['mode', ['mode']],
    ],
  },
  {
    name: 'ipvsadmListService',
    base: { service: { ...svc }, args: { exact: true, mode: 'list' } },
    call: (i) => ipvsadmListService(loose(i.service), loose(i.args)),
    fields: [
      ['service.protocol', ['service', 'protocol']],
      ['service.address', ['service', 'address']],
      ['service.port', ['service', 'port']],
      ['args.exact', ['args', 'exact'], [true]],
      ['args.mode', ['args', 'mode']],
    ],
  },
  {
    name: 'ipvsadmListService (fwmark)',
    base: { service: { fwmark: 5, family: 'inet' } },
    call: (i) => ipvsadmListService(loose(i.service)),
    fields: [
      ['service.fwmark', ['service', 'fwmark']],
      ['service.family', ['service', 'family']],
      ['service.protocol', ['service', 'protocol']],
    ],
  },
  {
    name: 'ipvsadmEditRealServer',
    base: { service: { ...svc }, realServer: { address: '192.0.2.11', port: 80 }, forward: 'route', weight: 0, upperThreshold: 5, lowerThreshold: 1 },
    call: (i) => ipvsadmEditRealServer(loose(i)),
    fields: [
      ['service.protocol', ['service', 'protocol']],
      ['service.address', ['service', 'address']],
      ['service.port', ['service', 'port']],
      ['realServer.address', ['realServer', 'address']],
      ['realServer.port', ['realServer', 'port']],
      ['forward', ['forward']],
      ['weight', ['weight']],
      ['upperThreshold', ['upperThreshold']],
      ['lowerThreshold', ['lowerThreshold']],
    ],
  },
  {
    name: 'ipvsadmEditRealServer (fwmark)',
    base: { service: { fwmark: 9, family: 'inet6' }, realServer: { address: '2001:db8::11', port: 0 }, forward: 'route', weight: 1 },
    call: (i) => ipvsadmEditRealServer(loose(i)),
    fields: [
      ['service.fwmark', ['service', 'fwmark']],
      ['service.family', ['service', 'family']],
      ['realServer.address', ['realServer', 'address']],
      ['realServer.port', ['realServer', 'port']],
    ],
  },
  { name: 'keepalivedSignal', base: { kind: 'json' }, call: (i) => keepalivedSignal(loose(i.kind)), fields: [['kind', ['kind']]] },
  {
    name: 'readFile',
    base: { path: '/var/log/keepalived.log', opts: { tailLines: 10 } },
    call: (i) => readFile(loose(i.path), loose(i.opts)),
    fields: [
      ['path', ['path']],
      ['opts.tailLines', ['opts', 'tailLines']],
    ],
  },
  {
    name: 'journalctlEntries (unit)',
    base: { source: { unit: 'keepalived' }, since: Date.UTC(2026, 0, 1), lines: 10 },
    call: (i) => journalctlEntries(loose(i)),
    fields: [
      ['source.unit', ['source', 'unit'], NAME_LEGIT],
      ['since', ['since']],
      ['lines', ['lines']],
    ],
  },
  {
    name: 'journalctlEntries (identifiers)',
    base: { source: { identifiers: ['Keepalived_vrrp'] }, afterCursor: 's=ab;i=1' },
    call: (i) => journalctlEntries(loose(i)),
    fields: [
      ['source.identifiers[0]', ['source', 'identifiers', 0], NAME_LEGIT],
      ['afterCursor', ['afterCursor']],
    ],
  },
  {
    name: 'sysctlRead',
    base: { keys: ['net.ipv4.ip_forward'] },
    call: (i) => sysctlRead(loose(i.keys)),
    fields: [['keys[0]', ['keys', 0]]],
  },
  {
    name: 'nmcliProfiles',
    base: { uuids: ['5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02'] },
    call: (i) => nmcliProfiles(loose(i.uuids)),
    fields: [['uuids[0]', ['uuids', 0]]],
  },
  {
    name: 'writeTrackFile',
    base: { name: 'rs1', value: 0 },
    call: (i) => writeTrackFile(loose(i.name), loose(i.value)),
    fields: [
      ['name', ['name'], NAME_LEGIT.filter((n) => n !== 'TCP')],
      ['value', ['value']],
    ],
  },
];

SPECS.push(
  { name: 'haproxyShowStat', base: { socket: '/run/haproxy/admin.sock' }, call: (i) => haproxyShowStat(loose(i.socket)), fields: [['socket', ['socket']]] },
  {
    name: 'haproxySetState',
    base: { socket: '/run/haproxy/admin.sock', backend: 'galera', server: 'rs1', state: 'drain' },
    call: (i) => haproxySetState(loose(i.socket), loose(i.backend), loose(i.server), loose(i.state)),
    fields: [
      ['socket', ['socket']],
      ['backend', ['backend'], NAME_LEGIT],
      ['server', ['server'], NAME_LEGIT],
      ['state', ['state']],
    ],
  },
  {
    name: 'haproxySetWeight',
    base: { socket: '/run/haproxy/admin.sock', backend: 'galera', server: 'rs1', weight: 50 },
    call: (i) => haproxySetWeight(loose(i.socket), loose(i.backend), loose(i.server), loose(i.weight)),
    fields: [
      ['socket', ['socket']],
      ['backend', ['backend'], NAME_LEGIT],
      ['server', ['server'], NAME_LEGIT],
      ['weight', ['weight'], [-0]],
    ],
  },
);

function withValue(base: Record<string, unknown>, path: Array<string | number>, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let o: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1] as string | number] = value;
  return copy;
}

describe('catalogue builders: hostile input never reaches an argv', () => {
  for (const spec of SPECS) {
    it(`${spec.name}: base input is valid`, () => {
      expect(() => spec.call(spec.base)).not.toThrow();
    });
    for (const [field, path, legit = []] of spec.fields) {
      it(`${spec.name}: ${field} rejects every hostile value, naming the field`, () => {
        for (const h of [...HOSTILE, ...HOSTILE_VALUES].filter((v) => !legit.includes(v))) {
          let thrown: unknown = null;
          let cmd: CatalogueCommand | null = null;
          try {
            cmd = spec.call(withValue(spec.base, path, h));
          } catch (e) {
            thrown = e;
          }
          // `undefined` for an optional field means "absent", which is allowed.
          if (h === undefined && cmd !== null) continue;
          expect(cmd, `${field} accepted ${JSON.stringify(h)?.slice(0, 40)} -> ${JSON.stringify(cmd?.argv)}`).toBeNull();
          expect(thrown).toBeInstanceOf(CommandArgumentError);
          const err = thrown as CommandArgumentError;
          expect(err.field).toBe(field);
          expect(err.command).toBe(spec.name.split(' ')[0]);
          expect(err.message.length).toBeLessThan(400); // never echoes a huge input
        }
      });
    }
  }

  it('rejects wrong shapes for object arguments', () => {
    expect(() => ipvsadmList(loose(null))).toThrow(CommandArgumentError);
    expect(() => ipvsadmListService(loose('192.0.2.1:80'))).toThrow(CommandArgumentError);
    expect(() => ipvsadmEditRealServer(loose({ ...SPECS[3]?.base, realServer: '192.0.2.11:80' }))).toThrow(/realServer/);
    expect(() => journalctlEntries(loose({ source: {} }))).toThrow(/source/);
    expect(() => sysctlRead(loose([]))).toThrow(/keys/);
    expect(() => sysctlRead(loose('net.ipv4.ip_forward'))).toThrow(/keys/);
  });

  it('rejects port 0 outside fwmark services and mixed families outside tunnel', () => {
    expect(() =>
      ipvsadmEditRealServer({ service: { protocol: 'tcp', address: '192.0.2.100', port: 80 }, realServer: { address: '192.0.2.11', port: 0 }, forward: 'route', weight: 1 }),
    ).toThrow(/realServer\.port/);
    expect(() =>
      ipvsadmEditRealServer({ service: { protocol: 'tcp', address: '192.0.2.100', port: 80 }, realServer: { address: '2001:db8::11', port: 80 }, forward: 'route', weight: 1 }),
    ).toThrow(/realServer\.address/);
    expect(
      ipvsadmEditRealServer({ service: { protocol: 'tcp', address: '192.0.2.100', port: 80 }, realServer: { address: '2001:db8::11', port: 80 }, forward: 'tunnel', weight: 1 }).argv,
    ).toContain('[2001:db8::11]:80');
  });

  it('defineCommand refuses NUL as a last line of defence', () => {
    expect(() => defineCommand({ name: 't', argv: ['echo', 'a\0b'], sudo: false, description: 't' })).toThrow(CommandArgumentError);
  });
});

// ------------------------------------------------------------------ quoting

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  ..."'\"\\$`!*?[]{}();&|<>~#%^=,:+-./ \t\n\r",
  ...'abcXYZ019',
  '\x01',
  '\x1b',
  '\x7f',
  'é',
  'ß',
  '中',
  '😀',
  '\u00a0',
  '\u2028',
  '\u202e',
  "'\\''",
  '$(id)',
  '`id`',
  '${HOME}',
  '-n',
  '--',
];

function randomStrings(n: number, seed: number): string[] {
  const r = prng(seed);
  const out: string[] = ['', "'", "''", '\\', '-n', '-e', '%s', '\n', 'a b', "it's"];
  while (out.length < n) {
    const len = Math.floor(r() * 24);
    let s = '';
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)] ?? '';
    out.push(s);
  }
  return out;
}

describe('shQuote', () => {
  it('quotes every argument, escaping single quotes', () => {
    expect(shQuote('ipvsadm')).toBe("'ipvsadm'");
    expect(shQuote('')).toBe("''");
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(toRemoteCommand(['echo', '$(id)', '`id`'])).toBe("'echo' '$(id)' '`id`'");
  });
  it('refuses NUL', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
    expect(() => toRemoteCommand(['echo', '\0'])).toThrow(/NUL/);
  });

  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`round-trips 400 random strings through a real ${shell} unchanged (one process)`, () => {
      const strings = randomStrings(400, shell.length * 7919);
      // printf '%s\0' keeps newlines and trailing whitespace intact; NUL separates the results.
      const script = strings.map((s) => `printf '%s\\0' ${shQuote(s)}`).join('\n');
      const out = execFileSync(shell, ['-c', script], { maxBuffer: 16 * 1024 * 1024 });
      const got = out.toString('utf8').split('\0');
      expect(got.pop()).toBe('');
      expect(got).toHaveLength(strings.length);
      got.forEach((g, i) => expect(g, `string #${i} ${JSON.stringify(strings[i])}`).toBe(strings[i]));
    });
  }

  it('argv with hostile arguments reaches the program as separate, literal arguments', () => {
    const argv = ['printf', '[%s]\\n', 'a b', "'", ';id', '$(id)', '', '-n', '\n'];
    const out = execFileSync('/bin/sh', ['-c', toRemoteCommand(argv)]).toString('utf8');
    expect(out).toBe("[a b]\n[']\n[;id]\n[$(id)]\n[]\n[-n]\n[\n]\n");
  });
});
