import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { clusterKeys } from '@/lib/api/queries';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { makeServices } from '@/components/services/fixtures';
import { NewRolloutForm } from './new-rollout-form';

// The "New rollout" form as the server renders it from a seeded snapshot: one labelled checkbox
// per real server address (its services as the description), the fields by their labels, and the
// buttons waiting (with why) until there is a host and a reason.

vi.mock('next/navigation', () => ({ useRouter: () => ({ push: () => undefined }) }));

function render(services: ClusterSnapshot['services']): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(clusterKeys.detail('lab'), { name: 'lab', takenAt: 0, pollIntervalMs: 2000, directors: [], instances: [], findings: [], services } satisfies ClusterSnapshot);
  return renderToStaticMarkup(
    <QueryClientProvider client={qc}>
      <NewRolloutForm cluster="lab" />
    </QueryClientProvider>,
  );
}

describe('NewRolloutForm', () => {
  const html = render(makeServices(2, 3));

  it('offers every real server address once, labelled by its address and described by its services', () => {
    const hosts = [...html.matchAll(/data-testid="rollout-host-choice" data-host="([^"]+)"/g)].map((m) => m[1]);
    expect(hosts).toHaveLength(6);
    const first = hosts[0] ?? '';
    expect(html).toMatch(new RegExp(`<input type="checkbox" id="([^"]+)"[^>]*aria-describedby="([^"]+)"[^>]*/>.*?<label for="\\1"[^>]*>${first.replace(/[.:]/g, '\\$&')}</label><span id="\\2"[^>]*>TCP `));
  });

  it('labels each field (e2e finds them by label) with the schema defaults', () => {
    for (const label of ['Hosts per batch', 'Ramp (% of the weight)', 'Seconds between ramp steps', 'Check time limit (seconds)', 'Drain deadline (seconds)', 'At the deadline']) {
      expect(html).toMatch(new RegExp(`<label for="[^"]+" class="font-medium">${label.replace(/[()%]/g, '\\$&')}</label>`));
    }
    expect(html).toContain('value="10,25,50,100"');
    expect(html).toContain('Manual (an operator says when it is done)');
  });

  it('keeps Check and Start rollout disabled, described by what is missing', () => {
    expect(html).toMatch(/<button type="button" disabled="" aria-describedby="[^"]+"[^>]*>Check<\/button>/);
    expect(html).toMatch(/<button type="submit" disabled="" aria-describedby="[^"]+"[^>]*>Start rollout<\/button>/);
    expect(html).toContain('Not yet: Hosts: name at least one host');
    expect(html).toContain('Not yet: Reason: reason is required');
  });

  it('lists at most 120 hosts of a large cluster, with a filter and the count of the rest', () => {
    const big = render(makeServices(10, 20));
    expect(big.match(/data-testid="rollout-host-choice"/g)).toHaveLength(120);
    expect(big).toContain('data-testid="rollout-host-filter"');
    expect(big).toContain('80 more not listed');
  });
});
