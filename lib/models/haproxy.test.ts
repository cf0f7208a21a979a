import { describe, expect, it } from 'vitest';
import { HaproxyActionRequest, haproxyAddressHost, haproxyImpact, haproxyRows, haproxyRowsOfHost, haproxyServing, hostHaproxyPlan, type HaproxyInstanceView, type HaproxyServer } from './haproxy';

// The HAProxy dialog's impact and the server's last-server rule (one function for both), and the
// table's one row per server across instances.

function srv(name: string, status: string, weight: number | null = 1, sessions: number | null = 0): HaproxyServer {
  return { name, address: `192.0.2.${name.slice(2)}:3306`, status, weight, currentSessions: sessions, totalSessions: 0, checkStatus: 'L7OK', checkCode: 0, checkDetail: '', checkDescription: 'Layer7 check passed', checkDurationMs: 0, lastChangeS: 1 };
}
function inst(name: string, servers: HaproxyServer[], error: string | null = null): HaproxyInstanceView {
  return { name, director: name.replace('haproxy-', ''), readAt: error ? null : 1, error, frontends: [], backends: error ? [] : [{ name: 'galera', status: 'UP', currentSessions: 0, totalSessions: 0, servers }] };
}

describe('haproxyServing', () => {
  it('UP (also going down) with a weight above 0 serves; DRAIN, MAINT, DOWN, NOLB and weight 0 do not', () => {
    expect(['UP', 'UP 1/2', 'up'].map((s) => haproxyServing({ status: s, weight: 1 }))).toEqual([true, true, true]);
    expect(['DRAIN', 'MAINT', 'DOWN', 'NOLB', 'DOWN 1/2', 'MAINT (via x)'].map((s) => haproxyServing({ status: s, weight: 1 }))).toEqual([false, false, false, false, false, false]);
    expect(haproxyServing({ status: 'UP', weight: 0 })).toBe(false);
    expect(haproxyServing({ status: 'UP', weight: null })).toBe(true);
  });
});

describe('haproxyImpact', () => {
  it('sessions now and the other UP servers per instance; no refusal while another serves', () => {
    const i = haproxyImpact([inst('haproxy-dir1', [srv('rs1', 'UP', 1, 4), srv('rs2', 'UP'), srv('rs3', 'DRAIN')]), inst('haproxy-dir2', [srv('rs1', 'UP', 1, 2), srv('rs2', 'UP 1/2'), srv('rs3', 'UP')])], 'galera', 'rs1', 'drain');
    expect(i.instances.map((x) => [x.instance, x.sessionsNow, x.otherServing, x.lastServing])).toEqual([
      ['haproxy-dir1', 4, ['rs2'], false],
      ['haproxy-dir2', 2, ['rs2', 'rs3'], false],
    ]);
    expect(i.refusals).toEqual([]);
  });

  it('the last UP server on any instance is refused for drain, maint and weight 0, naming backend, server and instance', () => {
    const views = [inst('haproxy-dir1', [srv('rs1', 'DRAIN'), srv('rs2', 'UP')]), inst('haproxy-dir2', [srv('rs1', 'UP'), srv('rs2', 'UP')])];
    for (const [action, weight] of [['drain', undefined], ['maint', undefined], ['weight', 0]] as const) {
      const i = haproxyImpact(views, 'galera', 'rs2', action, weight);
      expect(i.refusals, action).toEqual([expect.stringMatching(/^galera\/rs2 is the last UP server of backend galera on haproxy-dir1 \(on dir1\): .*force/)]);
      expect(i.instances.map((x) => x.lastServing)).toEqual([true, false]);
    }
    // Ready, a weight above 0, and a server that is already out take nothing out.
    expect(haproxyImpact(views, 'galera', 'rs2', 'weight', 3).refusals).toEqual([]);
    expect(haproxyImpact(views, 'galera', 'rs2', 'ready').refusals).toEqual([]);
    expect(haproxyImpact([inst('haproxy-dir1', [srv('rs1', 'DRAIN'), srv('rs2', 'MAINT')])], 'galera', 'rs2', 'drain').refusals).toEqual([]);
  });

  it('an instance that did not answer or lacks the server has no server and no refusal', () => {
    const i = haproxyImpact([inst('haproxy-dir1', [], 'timeout'), inst('haproxy-dir2', [srv('rs2', 'UP')])], 'galera', 'rs1', 'drain');
    expect(i.instances.map((x) => [x.server, x.lastServing])).toEqual([
      [null, false],
      [null, false],
    ]);
  });
});

describe('haproxyRows', () => {
  it('one row per server with a cell per instance, backends and servers in first-seen order', () => {
    const rows = haproxyRows([inst('haproxy-dir1', [srv('rs1', 'UP'), srv('rs2', 'DRAIN')]), inst('haproxy-dir2', [srv('rs1', 'UP'), srv('rs3', 'UP')])]);
    expect(rows.map((b) => [b.backend, b.rows.map((r) => [r.server, Object.keys(r.cells)])])).toEqual([
      ['galera', [
        ['rs1', ['haproxy-dir1', 'haproxy-dir2']],
        ['rs2', ['haproxy-dir1']],
        ['rs3', ['haproxy-dir2']],
      ]],
    ]);
    expect(rows[0]?.rows[1]?.cells['haproxy-dir1']?.status).toBe('DRAIN');
  });
});

describe('haproxyRowsOfHost', () => {
  it('keeps the servers at the host address, in every backend, on every instance', () => {
    const views = [inst('haproxy-dir1', [srv('rs11', 'UP'), srv('rs12', 'DRAIN')]), inst('haproxy-dir2', [srv('rs11', 'MAINT'), srv('rs13', 'UP')])];
    const mine = haproxyRowsOfHost(views, '192.0.2.11');
    expect(mine.map((b) => [b.backend, b.rows.map((r) => [r.server, Object.keys(r.cells)])])).toEqual([['galera', [['rs11', ['haproxy-dir1', 'haproxy-dir2']]]]]);
    expect(haproxyRowsOfHost(views, '192.0.2.99')).toEqual([]);
    expect(haproxyRowsOfHost(views, '192.0.2.1')).toEqual([]); // a prefix of 192.0.2.11 is another host
  });

  it('reads HAProxy addresses (IPv6 in brackets, as its management guide says); IPv6 compared canonically', () => {
    expect(haproxyAddressHost('192.0.2.11:8080')).toBe('192.0.2.11');
    expect(haproxyAddressHost('[2001:DB8:0::11]:8080')).toBe('2001:db8::11');
    expect(haproxyAddressHost('2001:db8::11')).toBe('2001:db8::11');
    expect(haproxyAddressHost('unix')).toBeNull();
    expect(haproxyAddressHost('db1.example:3306')).toBeNull();
    expect(haproxyAddressHost('')).toBeNull();
    expect(haproxyAddressHost(null)).toBeNull();
  });
});

describe('hostHaproxyPlan (drain everywhere: the HAProxy part of a host-wide drain or restore)', () => {
  const views = [
    inst('haproxy-dir1', [srv('rs11', 'UP', 1, 3), srv('rs12', 'UP'), srv('rs13', 'DOWN')]),
    inst('haproxy-dir2', [srv('rs11', 'UP', 1, 2), srv('rs12', 'MAINT'), srv('rs13', 'UP')]),
  ];

  it("drains the host's servers in every backend, with their sessions; no refusal while another server is UP everywhere", () => {
    expect(hostHaproxyPlan(views, [], '192.0.2.11', 'drain')).toEqual({ action: 'drain', targets: [{ backend: 'galera', server: 'rs11', sessionsNow: 5 }], refusals: [] });
    expect(hostHaproxyPlan(views, [], '192.0.2.99', 'drain')).toEqual({ action: 'drain', targets: [], refusals: [] });
  });

  it("refuses where the host's server is the last UP one of its backend on some instance", () => {
    const lonely = [inst('haproxy-dir1', [srv('rs11', 'UP'), srv('rs12', 'DRAIN')]), inst('haproxy-dir2', [srv('rs11', 'UP'), srv('rs12', 'UP')])];
    const plan = hostHaproxyPlan(lonely, [], '192.0.2.11', 'drain');
    expect(plan.targets.map((t) => t.server)).toEqual(['rs11']);
    expect(plan.refusals).toEqual([expect.stringContaining('galera/rs11 is the last UP server of backend galera on haproxy-dir1')]);
  });

  it('restore readies only the servers the console holds in drain or maint, never one taken out by hand or only weight-held', () => {
    const holds = [
      { backend: 'galera', server: 'rs11', aspect: 'state' as const },
      { backend: 'galera', server: 'rs12', aspect: 'weight' as const },
    ];
    expect(hostHaproxyPlan(views, holds, '192.0.2.11', 'restore')).toEqual({ action: 'ready', targets: [{ backend: 'galera', server: 'rs11', sessionsNow: 5 }], refusals: [] });
    expect(hostHaproxyPlan(views, holds, '192.0.2.12', 'restore').targets).toEqual([]);
  });
});

describe('HaproxyActionRequest', () => {
  it('requires a typed reason for drain, maint and weight, not for ready and release; force is a boolean', () => {
    expect(HaproxyActionRequest.safeParse({ action: 'drain', backend: 'galera', server: 'rs1', reason: '  ' }).error?.issues[0]?.path).toEqual(['reason']);
    expect(HaproxyActionRequest.safeParse({ action: 'maint', backend: 'galera', server: 'rs1' }).success).toBe(false);
    expect(HaproxyActionRequest.parse({ action: 'drain', backend: 'galera', server: 'rs1', reason: ' why ', force: true })).toMatchObject({ reason: 'why', force: true });
    expect(HaproxyActionRequest.parse({ action: 'ready', backend: 'galera', server: 'rs1' }).reason).toBe('');
    expect(HaproxyActionRequest.safeParse({ action: 'drain', backend: 'galera', server: 'rs1', reason: 'x', force: 'yes' }).success).toBe(false);
  });
});
