import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { auditKeys } from '@/lib/api/audit-queries';
import { eventKeys } from '@/lib/api/events-queries';
import type { ClusterEvent, EventKind, EventList } from '@/lib/models/events';
import { RecentEvents } from './recent-events';
import { TimelineView } from './timeline-view';

// The timeline and the cluster page's "last hour" as the server renders them from seeded queries:
// one line per event, a failover's rows in one burst, no "Cause: —", colours by kind, anchors.

const T = 1_790_000_000_000;
const ev = (p: Partial<ClusterEvent>): ClusterEvent => ({
  id: '1', cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1', toMaster: 'dir2',
  at: T, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'log', ...p,
});

const events: ClusterEvent[] = [
  ev({ id: '9', kind: 'real-server-up', director: null, instance: null, realServer: '192.0.2.11:80', service: 'TCP 192.0.2.100:80', at: T + 60_000 }),
  ev({ id: '8', kind: 'real-server-down', director: null, instance: null, realServer: '192.0.2.11:80', service: 'TCP 192.0.2.100:80', at: T + 30_000, endedAt: T + 60_000, durationMs: 30_000, cause: 'keepalived health check failed' }),
  ev({ id: '7', kind: 'real-server-down', director: null, instance: null, realServer: '192.0.2.12:80', service: 'TCP 192.0.2.100:80', at: T + 50_000, cause: 'keepalived health check failed' }),
  ev({ id: '6', at: T + 3000, durationMs: 2500, cause: 'master sent priority 0 (keepalived was stopping on dir1)', logLines: ['(VI_V4) Entering MASTER STATE'] }),
  ev({ id: '5', instance: 'VI_V6', at: T + 3000, durationMs: 3000 }),
  ev({ id: '4', kind: 'vrrp-transition', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: null, toMaster: null, at: T + 3000 }),
  ev({ id: '3', kind: 'vrrp-transition', director: 'dir1', instance: 'VI_V4', fromState: 'MASTER', toState: 'BACKUP', fromMaster: null, toMaster: null, at: T }),
  ev({ id: '2', kind: 'keepalived-down', director: 'dir1', instance: null, fromMaster: null, toMaster: null, at: T - 100, fromState: 'running', toState: 'stopped' }),
  ev({ id: '1', kind: 'initial-election', director: 'dir1', instance: 'VI_V4', fromMaster: null, toMaster: 'dir1', fromState: null, at: T - 3_600_000, cause: 'keepalived started on dir1, no master before' }),
];
const list = (kinds: readonly EventKind[] | null, from: number): EventList => ({
  cluster: 'lab', from, to: T + 100_000, kinds: kinds ? [...kinds] : null, truncated: false,
  events: events.filter((e) => (kinds === null || kinds.includes(e.kind)) && e.at >= from),
});

function render(node: ReactNode, seed: (qc: QueryClient) => void): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  seed(qc);
  return renderToStaticMarkup(<QueryClientProvider client={qc}>{node}</QueryClientProvider>);
}

/** The opening tag of each element with this data-testid. */
const tags = (html: string, testId: string) => html.match(new RegExp(`<[a-z]+[^>]*data-testid="${testId}"[^>]*>`, 'g')) ?? [];
const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

describe('TimelineView', () => {
  const html = render(<TimelineView cluster="lab" limit={300} />, (qc) => {
    qc.setQueryData(eventKeys.list({ cluster: 'lab', range: { preset: '24h' }, kinds: null, limit: 300 }), list(null, T - 24 * 3_600_000));
    qc.setQueryData(auditKeys.list('lab'), { entries: [] });
  });

  it("folds the failover's rows (both instances, both directors) into one burst told by the failover with a cause", () => {
    const bursts = tags(html, 'timeline-burst');
    expect(bursts.map((t) => [attr(t, 'data-head-id'), attr(t, 'data-instances')])).toEqual([['6', 'VI_V4 VI_V6']]);
    expect(html).toMatch(/data-testid="burst-summary"[^>]*>.*dir1<\/span> → <span class="font-semibold">dir2<\/span>.* gap 3 s.*master sent priority 0 \(keepalived was stopping on dir1\).*4 rows/);
    // Every event is still a row of its own (inside the burst), each with its anchor.
    expect(tags(html, 'timeline-event').map((t) => attr(t, 'id'))).toEqual(['event-9', 'event-7', 'event-8', 'event-3', 'event-4', 'event-5', 'event-6', 'event-2', 'event-1']);
  });

  it('says a cause only when there is one: no "Cause: —" line; a failover without one says its logs did not tell (yet)', () => {
    expect(html).not.toMatch(/Cause:|—<\/span>/);
    // Only the VI_V6 failover's own row: its burst is told by VI_V4's, which has a cause.
    expect(html.match(/cause not in the logs \(yet\)/g)).toHaveLength(1);
    expect(html).toContain('keepalived started on dir1, no master before');
  });

  it('colours by kind: a real server down is red while it lasts, amber once over, and up is green; the start-up is an initial election', () => {
    const tone = Object.fromEntries(tags(html, 'timeline-event').map((t) => [attr(t, 'data-event-id') ?? '', attr(t, 'data-tone') ?? '']));
    expect(tone).toMatchObject({ '7': 'critical', '8': 'warning', '9': 'ok', '6': 'warning', '1': 'info', '2': 'critical' });
    expect(html).toMatch(/data-kind="initial-election"[^>]*>.*?initial election<\/span>/);
    expect(tags(html, 'timeline-event').filter((t) => attr(t, 'data-kind') === 'failover')).toHaveLength(2);
  });
});

describe('RecentEvents (the cluster page\u2019s last hour)', () => {
  const kinds: EventKind[] = ['failover', 'initial-election', 'no-master', 'split-brain', 'keepalived-down', 'real-server-down', 'director-unreachable'];
  const html = render(<RecentEvents cluster="lab" />, (qc) => {
    qc.setQueryData(eventKeys.list({ cluster: 'lab', range: { preset: '1h' }, kinds, limit: 200 }), list(kinds, T - 1000));
  });

  it('lists each failover once (its instances together) and the downs, newest first, each with its cause and a link to its row', () => {
    const items = tags(html, 'recent-event');
    expect(items.map((t) => [attr(t, 'data-kind'), attr(t, 'data-event-id')])).toEqual([
      ['real-server-down', '7'],
      ['real-server-down', '8'],
      ['failover', '6'],
      ['keepalived-down', '2'],
    ]);
    expect(html).toContain('href="#event-6"');
    expect(html).toMatch(/href="#event-6"[^>]*><span class="font-mono text-xs">VI_V4, VI_V6<\/span> dir1 → dir2<span class="text-muted">, gap 3 s<\/span><\/a>.*cause: <\/span>master sent priority 0/);
    expect(html.match(/data-testid="recent-cause"/g)).toHaveLength(3);
  });
});

describe('RecentEvents when a keepalived stop empties the master\u2019s table as it goes', () => {
  const kinds: EventKind[] = ['failover', 'initial-election', 'no-master', 'split-brain', 'keepalived-down', 'real-server-down', 'director-unreachable'];
  // Seen in CI: nine real servers "down for 2 s" right after the failover pushed it off an eight-row list.
  const downs = Array.from({ length: 9 }, (_, i) =>
    ev({ id: `${20 + i}`, kind: 'real-server-down', director: null, instance: null, realServer: `192.0.2.${11 + (i % 4)}:80`, service: `TCP 192.0.2.${100 + Math.floor(i / 4)}:80`, at: T + 5000, endedAt: T + 7000, durationMs: 2000, cause: 'removed from the IPVS table' }),
  );
  const html = render(<RecentEvents cluster="lab" />, (qc) => {
    const base = list(kinds, T - 1000);
    qc.setQueryData(eventKeys.list({ cluster: 'lab', range: { preset: '1h' }, kinds, limit: 200 }), { ...base, events: [...downs, ...base.events] });
  });

  it('folds them into one row that names them and says the cause once; the failover stays on the first screen', () => {
    const items = tags(html, 'recent-event');
    expect(items.map((t) => [attr(t, 'data-kind'), attr(t, 'data-count') ?? null])).toEqual([
      ['real-server-down', null],
      ['real-server-down', null],
      ['real-server-down', '9'],
      ['failover', null],
      ['keepalived-down', null],
    ]);
    expect(html).toContain('4 real servers on 3 services down for up to 2 s: 192.0.2.11:80, 192.0.2.12:80, 192.0.2.13:80 and 1 more');
    expect(html.match(/removed from the IPVS table/g)).toHaveLength(1);
  });
});
