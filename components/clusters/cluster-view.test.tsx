import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { clusterKeys } from '@/lib/api/queries';
import type { ClusterSnapshot, MergedService } from '@/lib/models/cluster';
import { ClusterView } from './cluster-view';

// A large cluster's page is rendered on the server with its first screen (the first services alone)
// until the full snapshot arrives: the rows are in that HTML, the count says it is partial, and the
// filter waits for all services.

const service = (i: number): MergedService => ({
  key: `TCP 192.0.2.${i}:80`,
  protocol: 'TCP',
  family: 'inet',
  address: `192.0.2.${i}`,
  port: 80,
  fwmark: null,
  scheduler: 'wlc',
  flags: [],
  persistent: null,
  pe: null,
  ops: false,
  activeDirector: 'dir1',
  presentOn: ['dir1'],
  stats: null,
  rates: null,
  differs: [],
  realServers: [1, 2].map((j) => ({
    key: `198.51.100.${j}:80`,
    address: `198.51.100.${j}`,
    port: 80,
    forward: 'Route' as const,
    weight: 100,
    activeConns: 0,
    inactiveConns: 0,
    persistentConns: 0,
    stats: null,
    rates: null,
    configuredWeight: 100,
    checkerAlive: true,
    health: 'up' as const,
    perDirector: {},
    differs: [],
  })),
});
const snapshot = (n: number, servicesTotal?: number): ClusterSnapshot => ({
  name: 'big',
  takenAt: Date.now(),
  pollIntervalMs: 2000,
  directors: [],
  instances: [],
  findings: [],
  services: Array.from({ length: n }, (_, i) => service(i + 1)),
  ...(servicesTotal !== undefined ? { servicesTotal } : {}),
});

function render(seed: (qc: QueryClient) => void, firstScreen: ClusterSnapshot | null): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  seed(qc);
  return renderToStaticMarkup(
    <QueryClientProvider client={qc}>
      <ClusterView name="big" firstScreen={firstScreen} />
    </QueryClientProvider>,
  );
}

describe('ClusterView first screen', () => {
  it('shows the first screen while the full snapshot is pending, with the filter disabled', () => {
    const html = render(() => undefined, snapshot(2, 1000));
    expect(html).toContain('first 2 of 1,000 services · loading the rest…');
    // The rows themselves are in the server's HTML (the virtualizer's initial rect, before measuring).
    expect(html.match(/data-testid="real-server-row"/g)?.length).toBe(4);
    expect(html).toMatch(/<input[^>]*disabled=""[^>]*placeholder="Loading all 1,000 services…"|<input[^>]*placeholder="Loading all 1,000 services…"[^>]*disabled=""/);
    expect(html).toContain('data-loading-total="1000"');
  });

  it('shows the full snapshot once it is there (the first screen is ignored)', () => {
    const html = render((qc) => qc.setQueryData(clusterKeys.detail('big'), snapshot(3)), snapshot(2, 1000));
    expect(html).toContain('3 services · 6 real servers');
    expect(html).not.toContain('loading the rest');
    expect(html).not.toContain('data-loading-total');
    // The shared breadcrumb: Clusters / big, the cluster itself current.
    expect(html).toMatch(/<nav aria-label="Breadcrumb"[^>]*><ol[^>]*><li[^>]*><a class="hover:underline" href="\/">Clusters<\/a><\/li><li[^>]*>.*?<span aria-current="page">big<\/span><\/li><\/ol><\/nav>/);
  });

  it('without a first screen (a small cluster) it waits for the full snapshot', () => {
    const html = render(() => undefined, null);
    expect(html).toContain('Loading cluster big');
  });
});
