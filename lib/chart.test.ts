import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/lib/models/audit';
import type { HistoryPoint } from '@/lib/models/cluster';
import type { ClusterEvent } from '@/lib/models/events';
import { chartMarkers, chartMetricFromUrl, chartRangeFromUrl, chartStateToUrl, formatMetricValue, stack, toChartData } from './chart';

const pt = (t: number, activeConns: number, spanMs = 2000): HistoryPoint => ({ t, activeConns, inactiveConns: 0, cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0, spanMs });
const T = 1_800_000_000_000;

describe('toChartData', () => {
  it('aligns series on the union of their times, null where one has no point', () => {
    const d = toChartData([{ label: 'a', points: [pt(T, 1), pt(T + 2000, 2)] }, { label: 'b', points: [pt(T + 2000, 5), pt(T + 4000, 6)] }], 'activeConns');
    expect(d.xs).toEqual([T / 1000, T / 1000 + 2, T / 1000 + 4]);
    expect(d.series.map((s) => s.values)).toEqual([[1, 2, null], [null, 5, 6]]);
  });

  it('breaks the lines where recording stopped (a gap, not a line across it), and not at a steady step', () => {
    const steady = [0, 2, 4, 6].map((s) => pt(T + s * 1000, 3));
    expect(toChartData([{ label: 'a', points: steady }], 'activeConns').series[0]!.values).not.toContain(null);
    // Nothing from +6 s to +60 s (every director unreachable): one empty row after +6 s.
    const d = toChartData([{ label: 'a', points: [...steady, pt(T + 60_000, 4), pt(T + 62_000, 4)] }], 'activeConns');
    expect(d.xs).toEqual([0, 2, 4, 6, 8, 60, 62].map((s) => T / 1000 + s));
    expect(d.series[0]!.values).toEqual([3, 3, 3, 3, null, 4, 4]);
    // Hour rows an hour apart are no gap.
    const hours = toChartData([{ label: 'a', points: [0, 1, 2].map((h) => pt(T + h * 3_600_000, 1, 3_600_000)) }], 'activeConns');
    expect(hours.series[0]!.values).toEqual([1, 1, 1]);
  });

  it('stacks: each series is the running sum, a missing value adds nothing and stays a gap', () => {
    expect(stack([{ label: 'a', values: [1, null, 3] }, { label: 'b', values: [10, 20, null] }]).map((s) => s.values)).toEqual([[1, null, 3], [11, 20, null]]);
  });
});

describe('chart URL state', () => {
  it('reads presets and a custom window, and falls back to the last hour on anything else', () => {
    const p = (q: string) => new URLSearchParams(q);
    expect(chartRangeFromUrl(p('chart=6h'))).toEqual({ preset: '6h' });
    expect(chartRangeFromUrl(p('chart=custom&chartFrom=1000&chartTo=2000'))).toEqual({ preset: 'custom', from: 1000, to: 2000 });
    expect(chartRangeFromUrl(p('chart=custom&chartFrom=2000&chartTo=1000'))).toEqual({ preset: '1h' });
    expect(chartRangeFromUrl(p('chart=2y'))).toEqual({ preset: '1h' });
    expect(chartRangeFromUrl(null)).toEqual({ preset: '1h' });
    expect(chartMetricFromUrl(p('metric=cps'))).toBe('cps');
    expect(chartMetricFromUrl(p('metric=__proto__'))).toBe('activeConns');
  });

  it('writes only what differs from the defaults, keeping the rest of the query', () => {
    expect(chartStateToUrl('view=x&chart=7d', { preset: '1h' }, 'activeConns')).toBe('view=x');
    expect(chartStateToUrl('', { preset: 'custom', from: 1000.7, to: 2000 }, 'inBps')).toBe('chart=custom&chartFrom=1000&chartTo=2000&metric=inBps');
  });
});

describe('formatMetricValue', () => {
  it('says the unit', () => {
    expect(formatMetricValue(1234, 'conns')).toBe('1.2k');
    expect(formatMetricValue(12, 'per-s')).toBe('12/s');
    expect(formatMetricValue(3_400_000, 'bytes-per-s')).toBe('3.4 MB/s');
    expect(formatMetricValue(250, 'packets-per-s')).toBe('250 pkt/s');
    expect(formatMetricValue(null, 'conns')).toBe('–');
  });
});

describe('chartMarkers', () => {
  const base: Omit<ClusterEvent, 'id' | 'kind' | 'at'> = {
    cluster: 'lab', director: null, instance: 'VI_1', fromState: null, toState: null, fromMaster: null, toMaster: null,
    endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed',
  };
  const events: ClusterEvent[] = [
    { ...base, id: '1', kind: 'no-master', at: T - 1500, endedAt: T, durationMs: 1500 },
    { ...base, id: '2', kind: 'failover', at: T, fromMaster: 'dir1', toMaster: 'dir2', director: 'dir2' },
    { ...base, id: '3', kind: 'keepalived-down', director: 'dir1', instance: null, at: T - 2000, endedAt: T + 30_000, durationMs: 32_000 },
    { ...base, id: '4', kind: 'real-server-down', instance: null, at: T + 5000, service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80' },
    { ...base, id: '5', kind: 'real-server-down', instance: null, at: T + 6000, service: 'TCP 192.0.2.101:80', realServer: '192.0.2.12:80' },
    { ...base, id: '6', kind: 'split-brain', instance: 'VI_1', at: T + 7000 },
  ];
  const audit = (id: string, action: string, outcome: AuditEntry['outcome'], detail: unknown, target = '192.0.2.11:80'): AuditEntry => ({
    id, at: T + 10_000 + Number(id), actor: 'alice', role: 'operator', source: '127.0.0.1', action, cluster: 'lab', target, outcome,
    attemptId: null, outcomeId: null, detail, hash: 'x',
  });
  const entries = [{ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80' }];
  const rows = [
    audit('1', 'drain', 'ok', { reason: 'kernel update', service: 'TCP 192.0.2.100:80', entries }),
    audit('2', 'drain', 'refused', { reason: 'no' }),
    audit('3', 'restore', 'partial', { reason: null, entries }),
    audit('4', 'drain', 'ok', { reason: 'other', entries: [{ service: 'TCP 192.0.2.101:80', realServer: '192.0.2.12:80' }] }, '192.0.2.12:80'),
  ];

  it("marks a failover with its gap as a band before it, outages as bands while they last, and operator actions with who and why", () => {
    const m = chartMarkers(events, rows, { cluster: 'lab' }, T - 60_000, T + 60_000, T + 20_000);
    const failover = m.find((x) => x.kind === 'failover')!;
    expect([failover.at, failover.endAt]).toEqual([T - 1500, T]);
    expect(failover.label).toContain('(gap 1.5 s)');
    expect(failover.href).toMatch(/^\/clusters\/lab\/events\?range=custom&from=\d+&to=\d+#event-2$/);
    // The gap is told by the failover it ended, not twice.
    expect(m.some((x) => x.kind === 'no-master')).toBe(false);
    expect(m.find((x) => x.kind === 'keepalived')).toMatchObject({ at: T - 2000, endAt: T + 30_000 });
    // An ongoing split brain lasts until now.
    expect(m.find((x) => x.kind === 'split-brain')).toMatchObject({ at: T + 7000, endAt: T + 20_000 });
    // The cluster's chart does not mark single real servers; refused actions change nothing and are not marked.
    expect(m.some((x) => x.kind === 'real-server')).toBe(false);
    expect(m.filter((x) => x.kind === 'operator').map((x) => x.label)).toEqual([
      'drain 192.0.2.11:80 by alice (kernel update)',
      'restore 192.0.2.11:80 by alice: partial',
      'drain 192.0.2.12:80 by alice (other)',
    ]);
    expect(m.map((x) => x.at)).toEqual([...m.map((x) => x.at)].sort((a, b) => a - b));
  });

  it("marks on a service's chart its own real servers' events and the actions that changed it; on a host's, that host's", () => {
    const svc = chartMarkers(events, rows, { cluster: 'lab', service: 'TCP 192.0.2.100:80' }, T - 60_000, T + 60_000, T + 20_000);
    expect(svc.filter((x) => x.kind === 'real-server').map((x) => x.key)).toEqual(['e4']);
    expect(svc.filter((x) => x.kind === 'operator').map((x) => x.key)).toEqual(['a1', 'a3']);
    const host = chartMarkers(events, rows, { cluster: 'lab', host: '192.0.2.12' }, T - 60_000, T + 60_000, T + 20_000);
    expect(host.filter((x) => x.kind === 'real-server').map((x) => x.key)).toEqual(['e5']);
    expect(host.filter((x) => x.kind === 'operator').map((x) => x.key)).toEqual(['a4']);
    // A later range: only the split brain, which still lasts.
    expect(chartMarkers(events, rows, { cluster: 'lab' }, T + 100_000, T + 200_000, T + 200_000).map((x) => x.key)).toEqual(['e6']);
  });
});
