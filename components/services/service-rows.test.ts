import { describe, expect, it } from 'vitest';
import { buildRows, countShown, indexServices, parseFilter, realServerLabel, type Row } from './service-rows';
import { makeServices } from './fixtures';

const labels = (rows: Row[]) => rows.map((r) => (r.kind === 'service' ? r.service.key : `  ${realServerLabel(r.realServer, r.service)}`));

describe('buildRows', () => {
  const services = makeServices(4, 3);
  const indexed = indexServices(services);

  it('flattens every service and its real servers without a filter', () => {
    const rows = buildRows(indexed, [], new Set());
    expect(rows).toHaveLength(4 + 12);
    expect(labels(rows).slice(0, 4)).toEqual([
      'TCP 192.0.2.0:80',
      '  [2001:db8:0:0::10]:80 in TCP 192.0.2.0:80',
      '  [2001:db8:0:0::11]:80 in TCP 192.0.2.0:80',
      '  [2001:db8:0:0::12]:80 in TCP 192.0.2.0:80',
    ]);
    expect(rows[3]).toMatchObject({ kind: 'real-server', last: true });
  });

  it('keeps only the header of a collapsed service', () => {
    const rows = buildRows(indexed, [], new Set(['TCP 192.0.2.0:80']));
    expect(rows).toHaveLength(4 + 9);
    expect(rows[0]).toMatchObject({ kind: 'service', collapsed: true, shownRealServers: 3 });
  });

  it('shows all real servers of a service that matches on its own', () => {
    const rows = buildRows(indexed, parseFilter('TCP 192.0.2.1:443'), new Set());
    expect(labels(rows)).toEqual([
      'TCP 192.0.2.1:443',
      '  [2001:db8:0:1::10]:443 in TCP 192.0.2.1:443',
      '  [2001:db8:0:1::11]:443 in TCP 192.0.2.1:443',
      '  [2001:db8:0:1::12]:443 in TCP 192.0.2.1:443',
    ]);
  });

  it('shows only matching real servers under their service', () => {
    const rows = buildRows(indexed, parseFilter('2001:db8:0:2::11'), new Set());
    expect(labels(rows)).toEqual(['TCP 192.0.2.2:806', '  [2001:db8:0:2::11]:806 in TCP 192.0.2.2:806']);
    expect(rows[0]).toMatchObject({ shownRealServers: 1 });
  });

  it('combines service and real-server tokens (AND)', () => {
    const ten = indexServices(makeServices(10, 3));
    // Down servers: (s + r) % 10 === 8 → services 6, 7, 8; of those only 8 uses wlc.
    const down = buildRows(ten, parseFilter('health:down'), new Set());
    expect(labels(down)).toEqual([
      'TCP 192.0.2.6:80',
      '  [2001:db8:0:6::12]:80 in TCP 192.0.2.6:80',
      'TCP 192.0.2.7:443',
      '  [2001:db8:0:7::11]:443 in TCP 192.0.2.7:443',
      'TCP 192.0.2.8:806',
      '  [2001:db8:0:8::10]:806 in TCP 192.0.2.8:806',
    ]);
    const wlcDown = buildRows(ten, parseFilter('wlc health:down'), new Set());
    expect(labels(wlcDown)).toEqual(['TCP 192.0.2.8:806', '  [2001:db8:0:8::10]:806 in TCP 192.0.2.8:806']);
  });

  it('matches words by prefix and fields exactly', () => {
    expect(parseFilter('drain')).toEqual([{ text: ' drain', mode: 'word' }]);
    expect(parseFilter('Port:80')).toEqual([{ text: ' port:80 ', mode: 'field' }]);
    expect(parseFilter('::11')).toEqual([{ text: '::11', mode: 'substring' }]);
    const dr = buildRows(indexed, parseFilter('fwd:dr'), new Set());
    expect(dr.every((r) => r.kind === 'service' || r.realServer.forward === 'Route')).toBe(true);
    const port80 = buildRows(indexed, parseFilter('port:80'), new Set());
    expect(countShown(port80)).toEqual({ services: 2, realServers: 6 });
  });

  it('indexes, builds and filters 1,000 × 20 rows (timings printed; speed is judged by npm run bench, not here)', () => {
    const first = makeServices(1000, 20);
    indexServices(first); // warm-up: the first snapshot pays for the words once
    // The next poll: every real server is a new object with new figures, same words.
    const next = first.map((s) => ({ ...s, realServers: s.realServers.map((rs) => ({ ...rs, activeConns: (rs.activeConns ?? 0) + 1 })) }));
    let t = performance.now();
    const index = indexServices(next);
    const indexMs = performance.now() - t;
    t = performance.now();
    const all = buildRows(index, [], new Set());
    const flattenMs = performance.now() - t;
    t = performance.now();
    const filtered = buildRows(index, parseFilter('wlc 2001:db8:0:1'), new Set());
    const filterMs = performance.now() - t;
    // The poll after that, with the filter still on: the words come from the cache.
    const again = indexServices(next.map((s) => ({ ...s })));
    t = performance.now();
    buildRows(again, parseFilter('wlc 2001:db8:0:1'), new Set());
    const refilterMs = performance.now() - t;
    expect(all).toHaveLength(21_000);
    expect(filtered.length).toBeGreaterThan(0);
    console.info(
      `re-index ${indexMs.toFixed(1)} ms, flatten ${flattenMs.toFixed(1)} ms, first filter ${filterMs.toFixed(1)} ms, filter after a poll ${refilterMs.toFixed(1)} ms`,
    );
  });
});
