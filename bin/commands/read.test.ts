import { describe, expect, it } from 'vitest';
import type { ClusterList, ClusterSnapshot, ClusterSummary, Finding, HistoryResponse, HostMembership, MergedRealServer } from '@/lib/models/cluster';
import { UsageError } from './command';
import { parseReadArgs, READ_EXIT, runRead, table, type ReadDeps } from './read';

// lvsctl status / services / host / history against a fake fetch: arguments, the request made,
// exit codes, the human tables and the --json shapes (pinned: scripts depend on them).

const NOW = Date.UTC(2026, 10, 22, 7, 30, 0);

function finding(over: Partial<Finding>): Finding {
  return { id: 'f', kind: 'no-master', severity: 'critical', message: 'no director holds 192.0.2.100', director: null, service: null, realServer: null, since: NOW - 90_000, ...over };
}

function summary(over: Partial<ClusterSummary> = {}): ClusterSummary {
  return {
    name: 'prod',
    takenAt: NOW - 1000,
    health: 'ok',
    directors: [
      { name: 'lb1', live: true, takenAt: NOW - 1000, error: null },
      { name: 'lb2', live: true, takenAt: NOW - 1200, error: null },
    ],
    instances: [{ name: 'VI_1', master: 'lb1', vips: ['192.0.2.100'], masterSince: NOW - 3_600_000 }],
    serviceCount: 2,
    realServers: { up: 3, drained: 1, down: 0, unknown: 0 },
    findings: [],
    ...over,
  };
}

function rs(over: Partial<MergedRealServer> = {}): MergedRealServer {
  return {
    key: '192.0.2.11:80', address: '192.0.2.11', port: 80, forward: 'Route', weight: 100, activeConns: 7, inactiveConns: 2, persistentConns: 0,
    stats: null, rates: null, configuredWeight: 100, checkerAlive: true, health: 'up', trackFile: null, hold: null,
    perDirector: { lb1: { present: true, forward: 'Route', weight: 100, activeConns: 7, inactiveConns: 2, persistentConns: 0 }, lb2: { present: true, forward: 'Route', weight: 100, activeConns: 0, inactiveConns: 0, persistentConns: 0 } },
    differs: [],
    ...over,
  };
}

const drained = rs({
  key: '192.0.2.12:80', address: '192.0.2.12', weight: 0, activeConns: 1, inactiveConns: 0, health: 'drained',
  hold: { intentId: '4', kind: 'drain', weight: 0, mechanism: 'ipvsadm', actor: 'otto', reason: 'kernel update', createdAt: NOW - 600_000, expiresAt: null },
});

const snapshot: ClusterSnapshot = {
  name: 'prod', takenAt: NOW - 1000, pollIntervalMs: 2000, directors: [], instances: [], findings: [],
  services: [
    {
      key: 'TCP 192.0.2.100:80', protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null, scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false,
      activeDirector: 'lb1', presentOn: ['lb1', 'lb2'], stats: null, rates: { cps: 12, inPps: 40, outPps: 0, inBps: 2048, outBps: 0 }, realServers: [rs(), drained], differs: [],
    },
  ],
};

interface Fake {
  deps: ReadDeps;
  out: string[];
  err: string[];
  urls: string[];
  headers: Headers[];
}

function fake(routes: Record<string, { status?: number; body: unknown }>, env: Record<string, string> = { LVS_CONSOLE_URL: 'http://console.test:3000/', LVS_CONSOLE_TOKEN: 'lvs_test' }): Fake {
  const f: Fake = { out: [], err: [], urls: [], headers: [], deps: undefined as unknown as ReadDeps };
  f.deps = {
    fetch: ((input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : input.toString();
      f.urls.push(url);
      f.headers.push(new Headers(init?.headers));
      const path = new URL(url).pathname;
      const r = routes[path];
      if (!r) return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:3000') }));
      return Promise.resolve(new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: { 'content-type': 'application/json' } }));
    }),
    env,
    readFile: (p) => (p === '/etc/lvs/token' ? 'lvs_fromfile\n' : ''),
    now: () => NOW,
    timeZone: 'UTC',
    out: (s) => void f.out.push(s),
    err: (s) => void f.err.push(s),
  };
  return f;
}

const list = (clusters: ClusterSummary[]): ClusterList => ({ clusters, generatedAt: NOW });

describe('lvsctl read commands: arguments', () => {
  it('parses each command', () => {
    expect(parseReadArgs('status', [])).toEqual({ cmd: 'status', clusters: null, json: false });
    expect(parseReadArgs('status', ['--cluster', 'a,b', '--json', '--url', 'http://x'])).toEqual({ cmd: 'status', clusters: ['a', 'b'], json: true, url: 'http://x' });
    expect(parseReadArgs('services', ['--cluster', 'prod', '--token-file', '/t'])).toEqual({ cmd: 'services', cluster: 'prod', json: false, tokenFile: '/t' });
    expect(parseReadArgs('host', ['2001:db8::11'])).toEqual({ cmd: 'host', address: '2001:db8::11', json: false });
    expect(parseReadArgs('history', ['--cluster', 'prod', '--service', 'TCP 192.0.2.100:80', '--real-server', '192.0.2.11:80', '--minutes', '60'])).toEqual({
      cmd: 'history', cluster: 'prod', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', minutes: 60, json: false,
    });
    expect(parseReadArgs('history', ['--cluster', 'prod', '--service', 'FWM 1'])).toMatchObject({ minutes: 15, realServer: null });
  });

  it.each([
    ['services', [], '--cluster C is required'],
    ['host', [], 'give one real server address'],
    ['host', ['a', 'b'], 'give one real server address'],
    ['history', ['--cluster', 'prod'], '--service "TCP VIP:PORT" (or FWM N) is required'],
    ['history', ['--cluster', 'prod', '--service', 'x', '--minutes', '0'], '--minutes must be a whole number from 1 to 2880'],
    ['status', ['--bogus'], "Unknown option '--bogus'"],
    ['status', ['extra'], 'Unexpected argument'],
  ] as const)('%s %j -> %s', (cmd, argv, message) => {
    expect(() => parseReadArgs(cmd, [...argv])).toThrow(UsageError);
    expect(() => parseReadArgs(cmd, [...argv])).toThrow(message);
  });

  it('usage errors and a missing token exit 2 with the usage', async () => {
    const f = fake({}, {});
    expect(await runRead('status', [], f.deps)).toBe(READ_EXIT.usage);
    expect(f.err.join('\n')).toMatch(/no API token: set LVS_CONSOLE_TOKEN or pass --token-file[\s\S]*usage: lvsctl status/);
    expect(f.urls).toEqual([]);
  });
});

describe('lvsctl status', () => {
  it('healthy: exit 0, a table, the token sent as Bearer to $LVS_CONSOLE_URL', async () => {
    const f = fake({ '/api/clusters': { body: list([summary()]) } });
    expect(await runRead('status', [], f.deps)).toBe(READ_EXIT.ok);
    expect(f.urls).toEqual(['http://console.test:3000/api/clusters']);
    expect(f.headers[0]?.get('authorization')).toBe('Bearer lvs_test');
    expect(f.out.join('\n')).toBe(
      [
        'CLUSTER  HEALTH  MASTERS   DIRECTORS  SERVICES  RS UP/DRAINED/DOWN  FINDINGS',
        'prod     ok      VI_1=lb1  lb1 lb2           2  3/1/0                      0',
      ].join('\n'),
    );
  });

  it('a critical finding or an instance without master: exit 1, the reasons listed', async () => {
    const bad = summary({
      name: 'edge', health: 'critical',
      instances: [{ name: 'VI_1', master: null, vips: ['192.0.2.100'], masterSince: null }],
      directors: [{ name: 'lb1', live: false, takenAt: NOW - 60_000, error: 'command-timeout: timed out' }],
      findings: [finding({})],
    });
    const warn = summary({ name: 'ok-ish', health: 'warning', findings: [finding({ kind: 'old-drain', severity: 'warning', message: 'drain open for 30 h' })] });
    const f = fake({ '/api/clusters': { body: list([bad, warn]) } }, { LVS_CONSOLE_URL: 'http://c', LVS_CONSOLE_TOKEN: 't' });
    expect(await runRead('status', [], f.deps)).toBe(READ_EXIT.unhealthy);
    const text = f.out.join('\n');
    expect(text).toContain('edge     UNHEALTHY  VI_1=NONE  lb1(stale)');
    expect(text).toContain('ok-ish   warning    VI_1=lb1');
    expect(text).toContain('edge: CRITICAL no-master: no director holds 192.0.2.100 (since 07:28:30)');
    expect(text).toContain('edge: no master for VI_1');
    // Only the unhealthy cluster asked for: still 1; only the warning one: 0.
    expect(await runRead('status', ['--cluster', 'ok-ish'], f.deps)).toBe(READ_EXIT.ok);
    expect(await runRead('status', ['--cluster', 'nope'], f.deps)).toBe(READ_EXIT.usage);
    expect(f.err.at(-1)).toBe('lvsctl status: no cluster named nope (or not visible to this token)');
  });

  it('--json: the stable, documented shape', async () => {
    const bad = summary({ health: 'critical', findings: [finding({ director: 'lb2' })], instances: [] });
    const f = fake({ '/api/clusters': { body: list([bad]) } });
    expect(await runRead('status', ['--json'], f.deps)).toBe(READ_EXIT.unhealthy);
    expect(JSON.parse(f.out.join('\n'))).toEqual({
      version: 1,
      generatedAt: NOW,
      healthy: false,
      clusters: [
        {
          name: 'prod',
          healthy: false,
          health: 'critical',
          reasons: ['no-master: no director holds 192.0.2.100', 'no VRRP instance known (no director has reported keepalived data)'],
          masters: [],
          directors: [
            { name: 'lb1', live: true, error: null },
            { name: 'lb2', live: true, error: null },
          ],
          serviceCount: 2,
          realServers: { up: 3, drained: 1, down: 0, unknown: 0 },
          findings: [{ severity: 'critical', kind: 'no-master', message: 'no director holds 192.0.2.100', director: 'lb2', service: null, realServer: null, since: NOW - 90_000 }],
        },
      ],
    });
  });

  it('exit codes for refusals and an unreachable or failing console; --token-file and --url win', async () => {
    const denied = fake({ '/api/clusters': { status: 401, body: { error: { code: 'unauthorized', message: 'log in first' } } } });
    expect(await runRead('status', ['--token-file', '/etc/lvs/token', '--url', 'http://other:1'], denied.deps)).toBe(READ_EXIT.denied);
    expect(denied.urls).toEqual(['http://other:1/api/clusters']);
    expect(denied.headers[0]?.get('authorization')).toBe('Bearer lvs_fromfile');
    expect(denied.err).toEqual(['lvsctl status: log in first']);
    const down = fake({});
    expect(await runRead('status', [], down.deps)).toBe(READ_EXIT.failed);
    expect(down.err[0]).toBe('lvsctl status: cannot reach the console at http://console.test:3000: connect ECONNREFUSED 127.0.0.1:3000');
    const garbage = fake({ '/api/clusters': { body: { clusters: 'no' } } });
    expect(await runRead('status', [], garbage.deps)).toBe(READ_EXIT.failed);
    expect(garbage.err[0]).toMatch(/does not understand/);
  });
});

describe('lvsctl services / host / history', () => {
  it('services: one row per service, its real servers under it; --json pinned', async () => {
    const f = fake({ '/api/clusters/prod': { body: snapshot } });
    expect(await runRead('services', ['--cluster', 'prod'], f.deps)).toBe(READ_EXIT.ok);
    expect(f.out.join('\n')).toBe(
      [
        'prod (taken 07:29:59)',
        'SERVICE / REAL SERVER  SCHED/FWD  ACTIVE DIR  WEIGHT       HEALTH   ACT  INACT  CONN/S     IN         NOTE',
        'TCP 192.0.2.100:80     wlc        lb1                                           12 conn/s  2.05 kB/s',
        '  -> 192.0.2.11:80     Route                  100          up       7    2',
        '  -> 192.0.2.12:80     Route                  0 (cfg 100)  drained  1    0                            drain by otto',
      ].join('\n'),
    );
    const j = fake({ '/api/clusters/prod': { body: snapshot } });
    await runRead('services', ['--cluster', 'prod', '--json'], j.deps);
    const parsed = JSON.parse(j.out.join('\n')) as { version: number; services: { realServers: unknown[] }[] };
    expect(parsed).toMatchObject({ version: 1, cluster: 'prod', takenAt: NOW - 1000 });
    expect(parsed.services[0]).toEqual({
      key: 'TCP 192.0.2.100:80', scheduler: 'wlc', activeDirector: 'lb1', persistentTimeout: null, cps: 12, inBps: 2048, outBps: 0, differs: [],
      realServers: [
        { key: '192.0.2.11:80', forward: 'Route', weight: 100, configuredWeight: 100, health: 'up', activeConns: 7, inactiveConns: 2, heldBy: null, differs: [] },
        { key: '192.0.2.12:80', forward: 'Route', weight: 0, configuredWeight: 100, health: 'drained', activeConns: 1, inactiveConns: 0, heldBy: { kind: 'drain', weight: 0, actor: 'otto', reason: 'kernel update' }, differs: [] },
      ],
    });
    const missing = fake({ '/api/clusters/nope': { status: 404, body: { error: { code: 'not-found', message: 'no cluster named "nope" is configured' } } } });
    expect(await runRead('services', ['--cluster', 'nope'], missing.deps)).toBe(READ_EXIT.usage);
  });

  it('host: every membership with each director weight', async () => {
    const host: HostMembership = { address: '192.0.2.12', names: [], entries: [{ cluster: 'prod', service: 'TCP 192.0.2.100:80', realServer: drained, activeDirector: 'lb1' }] };
    const f = fake({ '/api/hosts/192.0.2.12': { body: host } });
    expect(await runRead('host', ['192.0.2.12'], f.deps)).toBe(READ_EXIT.ok);
    expect(f.out.join('\n')).toBe(
      [
        'CLUSTER  SERVICE             REAL SERVER    WEIGHT  HEALTH   ACT  INACT  PER DIRECTOR     NOTE',
        'prod     TCP 192.0.2.100:80  192.0.2.12:80       0  drained    1      0  lb1:100 lb2:100  held by console',
      ].join('\n'),
    );
    const none = fake({ '/api/hosts/2001%3Adb8%3A%3A99': { body: { address: '2001:db8::99', entries: [] } } });
    expect(await runRead('host', ['2001:db8::99'], none.deps)).toBe(READ_EXIT.ok);
    expect(none.urls[0]).toBe('http://console.test:3000/api/hosts/2001%3Adb8%3A%3A99');
    expect(none.out).toEqual(['2001:db8::99: not a real server in any cluster']);
  });

  it('history: asks for the last N minutes of one real server; table and --json', async () => {
    const h: HistoryResponse = {
      from: NOW - 600_000, to: NOW,
      series: [{ cluster: 'prod', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', points: [{ t: NOW - 60_000, activeConns: 6.6, inactiveConns: 2, cps: 3, inPps: 10, outPps: 0, inBps: 1500, outBps: 0 }] }],
    };
    const f = fake({ '/api/clusters/prod/history': { body: h } });
    expect(await runRead('history', ['--cluster', 'prod', '--service', 'TCP 192.0.2.100:80', '--real-server', '192.0.2.11:80', '--minutes', '10'], f.deps)).toBe(READ_EXIT.ok);
    const q = new URL(f.urls[0] ?? '').searchParams;
    expect(Object.fromEntries(q)).toEqual({ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', from: String(NOW - 600_000), to: String(NOW) });
    expect(f.out.join('\n')).toBe(
      ['prod TCP 192.0.2.100:80 -> 192.0.2.11:80, 07:20:00 to 07:30:00', 'TIME      ACTIVE  INACTIVE  CONN/S    IN        OUT', '07:29:00       7         2  3 conn/s  1.5 kB/s  0 B/s'].join('\n'),
    );
    const j = fake({ '/api/clusters/prod/history': { body: h } });
    await runRead('history', ['--cluster', 'prod', '--service', 'TCP 192.0.2.100:80', '--real-server', '192.0.2.11:80', '--minutes', '10', '--json'], j.deps);
    expect(JSON.parse(j.out.join('\n'))).toEqual({
      version: 1, cluster: 'prod', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', from: NOW - 600_000, to: NOW,
      points: [{ t: NOW - 60_000, activeConns: 6.6, inactiveConns: 2, cps: 3, inPps: 10, outPps: 0, inBps: 1500, outBps: 0 }],
    });
  });

  it('table pads columns and right-aligns numeric ones', () => {
    expect(table(['A', 'NUM'], [['x', 1], ['longer', 100]])).toBe('A       NUM\nx         1\nlonger  100');
  });
});
