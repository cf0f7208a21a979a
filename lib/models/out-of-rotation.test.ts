import { describe, expect, it } from 'vitest';
import type { DirectorView, MergedRealServer, MergedService } from './cluster';
import { describeSource, outOfRotation } from './out-of-rotation';

// "Why is this server out?" from the snapshot: every source, and nothing for servers in rotation.

function rs(key: string, over: Partial<MergedRealServer> = {}): MergedRealServer {
  const [address = '', port = '80'] = key.split(':');
  return {
    key,
    address,
    port: Number(port),
    forward: 'Route',
    weight: 1,
    activeConns: 0,
    inactiveConns: 0,
    persistentConns: null,
    stats: null,
    rates: null,
    configuredWeight: 1,
    checkerAlive: true,
    health: 'up',
    trackFile: null,
    hold: null,
    perDirector: {},
    differs: [],
    ...over,
  };
}
function svc(key: string, realServers: MergedRealServer[]): MergedService {
  return { key, protocol: 'TCP', family: 'inet', address: null, port: null, fwmark: null, scheduler: 'rr', flags: [], persistent: null, pe: null, ops: false, activeDirector: 'dir1', presentOn: ['dir1', 'dir2'], stats: null, rates: null, realServers, differs: [] };
}
const dir = (name: string, live = true) => ({ name, live }) as DirectorView;
const directors = [dir('dir1'), dir('dir2')];
const on = (w1: number | null, w2: number | null, present2 = true) => ({
  dir1: { present: w1 !== null, forward: 'Route', weight: w1, activeConns: 0, inactiveConns: 0, persistentConns: null },
  dir2: { present: present2 && w2 !== null, forward: 'Route', weight: w2, activeConns: 0, inactiveConns: 0, persistentConns: null },
});
const hold = { intentId: 'i1', kind: 'drain' as const, weight: 0, mechanism: 'ipvsadm' as const, actor: 'alice', reason: 'kernel update', createdAt: 1000, expiresAt: 5000 };

describe('outOfRotation', () => {
  it('lists each source: console hold, configured 0 (the lab 198.51.100.13:8080), track file, checker down, hand edit; not the servers in rotation', () => {
    const snapshot = {
      directors,
      services: [
        svc('TCP 192.0.2.100:80', [
          rs('192.0.2.11:80'),
          rs('192.0.2.12:80', { weight: 0, health: 'drained', hold }),
          rs('192.0.2.13:80', { weight: 0, health: 'down', checkerAlive: false, configuredWeight: 1 }),
        ]),
        svc('TCP 192.0.2.102:80', [
          rs('198.51.100.13:80', { weight: 1, configuredWeight: 0, trackFile: { path: '/var/lib/lvs-console/track/rs3_80', multiplier: 1, base: 0 } }),
          rs('198.51.100.13:8080', { weight: 0, configuredWeight: 0, health: 'drained' }),
          rs('198.51.100.13:8081', { weight: 0, configuredWeight: 0, health: 'drained', trackFile: { path: '/t/rs3', multiplier: 1, base: 0 } }),
          rs('198.51.100.14:80', { weight: 0, configuredWeight: 3, health: 'drained', perDirector: on(0, 3), differs: ['weight'] }),
        ]),
      ],
    };
    const out = outOfRotation(snapshot, [
      { kind: 'real-server-down', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.13:80', at: 4000, endedAt: null },
      { kind: 'real-server-down', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.13:80', at: 1000, endedAt: 2000 },
    ]);
    expect(out.map((e) => [e.realServer, e.sources.map((s) => s.kind)])).toEqual([
      ['192.0.2.12:80', ['hold']],
      ['192.0.2.13:80', ['checker-down']],
      ['198.51.100.13:8080', ['configured-zero']],
      ['198.51.100.13:8081', ['track-file']],
      ['198.51.100.14:80', ['hand-edit']],
    ]);
    expect(out[0]?.sources[0]).toEqual({ kind: 'hold', hold });
    expect(out[1]?.sources[0]).toEqual({ kind: 'checker-down', since: 4000 });
    expect(out[4]?.sources[0]).toEqual({ kind: 'hand-edit', directors: ['dir1'], configuredWeight: 3 });
    expect(describeSource(out[2]?.sources[0] ?? { kind: 'configured-zero' })).toMatch(/keepalived\.conf/);
    expect(describeSource(out[4]?.sources[0] ?? { kind: 'configured-zero' })).toBe('weight 0 on dir1, keepalived.conf says 3: changed by hand (ipvsadm), not held by the console');
  });

  it('a held drain whose checker is also down has both sources; a weight hold above 0 is not out', () => {
    const out = outOfRotation({
      directors,
      services: [
        svc('TCP 192.0.2.100:80', [
          rs('192.0.2.11:80', { weight: 0, health: 'down', checkerAlive: false, hold }),
          rs('192.0.2.12:80', { weight: 5, hold: { ...hold, kind: 'weight', weight: 5 } }),
        ]),
      ],
    });
    expect(out.map((e) => [e.realServer, e.sources.map((s) => s.kind)])).toEqual([['192.0.2.11:80', ['hold', 'checker-down']]]);
    expect(out[0]?.sources[1]).toEqual({ kind: 'checker-down', since: null });
  });

  it('absent from a live director (not a stale one) without a checker verdict; weight 0 with no configuration known', () => {
    const out = outOfRotation({
      directors: [dir('dir1'), dir('dir2', false)],
      services: [
        svc('TCP 192.0.2.100:80', [
          rs('192.0.2.11:80', { perDirector: { ...on(1, null, false), dir3: on(null, null).dir1 }, checkerAlive: null, configuredWeight: null, differs: ['present'] }),
          rs('192.0.2.12:80', { perDirector: on(1, null, false), differs: ['present'] }),
          rs('192.0.2.13:80', { weight: 0, configuredWeight: null, checkerAlive: null, health: 'drained' }),
        ]),
      ],
    });
    expect(out.map((e) => [e.realServer, e.sources])).toEqual([['192.0.2.13:80', [{ kind: 'weight-zero', directors: ['dir1'] }]]]);
    const withDir3 = outOfRotation({
      directors: [dir('dir1'), dir('dir3')],
      services: [svc('TCP 192.0.2.100:80', [rs('192.0.2.11:80', { perDirector: { ...on(1, null, false), dir3: on(null, null).dir1 }, differs: ['present'] })])],
    });
    expect(withDir3[0]?.sources).toEqual([{ kind: 'absent', directors: ['dir3'] }]);
  });
});
