import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ConsolesView } from '@/lib/models/consoles';
import { ConsolesPanel, StoreLostBanner } from './consoles';

// The consoles panel of the overview and the banner every page shows when this console lost its store (#16).

const T = 1_790_000_000_000;
const view = (p: Partial<ConsolesView> = {}): ConsolesView => ({
  store: 'postgres',
  storeReachable: true,
  storeError: null,
  leaseMs: 10_000,
  consoles: [
    { id: 'lb-a-101-aa', host: 'lb-a', pid: 101, startedAt: T, seenAgoMs: 1_200, live: true, self: true, leads: ['lab'] },
    { id: 'lb-b-202-bb', host: 'lb-b', pid: 202, startedAt: T, seenAgoMs: 25_000, live: false, self: false, leads: ['@store'] },
  ],
  leases: [
    { name: 'lab', holder: 'lb-a-101-aa', ageMs: 1_200, expiresInMs: 8_800 },
    { name: '@store', holder: 'lb-b-202-bb', ageMs: 25_000, expiresInMs: -15_000 },
  ],
  ...p,
});

function render(v: ConsolesView, node: ReactNode): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(['consoles', 'list'], v);
  return renderToStaticMarkup(<QueryClientProvider client={qc}>{node}</QueryClientProvider>);
}

describe('ConsolesPanel', () => {
  it('lists each console, marks this one and one that stopped beating, with what each leads', () => {
    const html = render(view(), <ConsolesPanel />);
    expect(html).toContain('data-testid="console-row-lb-a-101-aa"');
    expect(html).toMatch(/lb-a-101-aa<\/span><span[^>]*>\(this console\)/);
    expect(html).toMatch(/lb-b-202-bb<\/span><span[^>]*>not beating/);
    expect(html).toContain('store housekeeping');
    expect(html).toContain('replaced within 10 s');
  });

  it('is not shown for a lone console on SQLite', () => {
    expect(render(view({ store: 'sqlite', consoles: view().consoles.slice(0, 1) }), <ConsolesPanel />)).toBe('');
  });
});

describe('StoreLostBanner', () => {
  it('says the console lost its store, what stopped, and why', () => {
    const html = render(view({ storeReachable: false, storeError: 'the PostgreSQL store is unreachable (since 2026-12-07T18:00:00.000Z: connect ECONNREFUSED)' }), <StoreLostBanner />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('This console has lost its store.');
    expect(html).toContain('connect ECONNREFUSED');
  });

  it('is nothing while the store answers', () => {
    expect(render(view(), <StoreLostBanner />)).toBe('');
  });
});
