import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { clusterKeys } from '@/lib/api/queries';
import type { ClusterSummary } from '@/lib/models/cluster';
import { ClusterOverview } from './cluster-overview';

// The overview as cards for a few clusters and as a table past six (or as the URL asks): one row a
// cluster, worst first, its masters grouped, what is out of rotation and its worst finding.

const T = 1_790_000_000_000;
const cluster = (name: string, p: Partial<ClusterSummary> = {}): ClusterSummary => ({
  name,
  takenAt: T,
  health: 'ok',
  directors: [
    { name: 'dir1', live: true, takenAt: T, error: null },
    { name: 'dir2', live: true, takenAt: T, error: null },
  ],
  instances: [
    { name: 'VI_V4', master: 'dir1', vips: ['192.0.2.100'], masterSince: T - 60_000 },
    { name: 'VI_V6', master: 'dir1', vips: ['2001:db8::1'], masterSince: T - 60_000 },
  ],
  serviceCount: 3,
  realServers: { up: 5, drained: 0, down: 0, unknown: 0 },
  findings: [],
  ...p,
});

function render(clusters: ClusterSummary[], view: 'cards' | 'table' | null): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(clusterKeys.list(), { clusters, generatedAt: T });
  return renderToStaticMarkup(
    <QueryClientProvider client={qc}>
      <ClusterOverview view={view} />
    </QueryClientProvider>,
  );
}

const rows = (html: string) => [...html.matchAll(/data-testid="cluster-row-([^"]+)"/g)].map((m) => m[1]);

describe('ClusterOverview', () => {
  const many = [
    ...Array.from({ length: 6 }, (_, i) => cluster(`web${i + 1}`)),
    cluster('db', {
      health: 'critical',
      instances: [
        { name: 'VI_DB', master: null, vips: ['192.0.2.200'], masterSince: null },
        { name: 'VI_DB6', master: 'dir2', vips: ['2001:db8::200'], masterSince: T },
      ],
      directors: [
        { name: 'dir1', live: false, takenAt: T - 60_000, error: 'connection refused' },
        { name: 'dir2', live: true, takenAt: T, error: null },
      ],
      realServers: { up: 1, drained: 2, down: 1, unknown: 0 },
      findings: [
        { id: 'a', kind: 'director-unreachable', severity: 'warning', message: 'dir1 unreachable', director: 'dir1', service: null, realServer: null, since: T },
        { id: 'b', kind: 'no-master', severity: 'critical', message: 'VI_DB has no master', director: null, service: null, realServer: null, since: T },
      ],
    }),
  ];

  it('shows a few clusters as cards, more than six as a table, worst first', () => {
    expect(render(many.slice(0, 2), null)).toContain('data-testid="cluster-card-web1"');
    const html = render(many, null);
    expect(html).not.toContain('data-testid="cluster-card-');
    expect(rows(html)).toEqual(['db', 'web1', 'web2', 'web3', 'web4', 'web5', 'web6']);
    expect(html).toMatch(/data-testid="overview-view-table"[^>]*aria-pressed="true"|aria-pressed="true"[^>]*data-testid="overview-view-table"/);
  });

  it('a row says the masters by director (no master first), what is out, the directors not answering and the worst finding', () => {
    const html = render(many, 'table');
    const db = html.slice(html.indexOf('data-testid="cluster-row-db"'), html.indexOf('data-testid="cluster-row-web1"'));
    expect(db.replace(/<[^>]+>/g, '')).toContain('no master (VI_DB)dir2 (VI_DB6)');
    expect(db.replace(/<[^>]+>/g, '')).toContain('1 up · 2 out · 1 down');
    expect(db).toContain('1/2 live · dir1 stale');
    expect(db.replace(/<[^>]+>/g, '')).toContain('VI_DB has no master (+1)');
    const web = html.slice(html.indexOf('data-testid="cluster-row-web1"'), html.indexOf('data-testid="cluster-row-web2"'));
    expect(web.replace(/<[^>]+>/g, '')).toContain('dir1 (VI_V4, VI_V6)');
  });

  it('the URL can ask for cards or the table whatever the count', () => {
    expect(render(many, 'cards')).toContain('data-testid="cluster-card-db"');
    expect(rows(render(many.slice(0, 1), 'table'))).toEqual(['web1']);
  });
});
