import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { drainKeys } from '@/lib/api/drain';
import type { ConnectionDetail, DrainProgress } from '@/lib/models/drain';
import { connectedClients } from './connected-clients';
import { host, rollout, T0 } from './fixtures';
import { RolloutBoard } from './rollout-board';
import { StillConnectedBody } from './still-connected';

// "Still connected" on the rollout board: offered (folded, nothing read) for a host draining or
// past its drain deadline; unfolded, the drain progress with connections summed up: entries,
// distinct clients, the first addresses, the estimate and its note.

function conn(p: Partial<ConnectionDetail> & Pick<ConnectionDetail, 'director'>): ConnectionDetail {
  return { entries: 0, templates: 0, byState: {}, maxExpiresInSeconds: null, clients: [], distinctClients: 0, takenAt: T0, error: null, ...p };
}

function progress(p: Partial<DrainProgress> = {}): DrainProgress {
  return {
    cluster: 'lab',
    target: '192.0.2.12',
    service: null,
    state: 'draining',
    entries: [],
    estimatedSecondsToZero: 90,
    estimateNote: 'established connections with traffic refresh their timers: at least this long',
    connections: [
      conn({ director: 'dir1', entries: 5, clients: ['198.51.100.7', '198.51.100.8'], distinctClients: 2 }),
      conn({ director: 'dir2', entries: 2, clients: ['198.51.100.8', '198.51.100.9'], distinctClients: 2, error: null }),
    ],
    takenAt: T0,
    ...p,
  };
}

function render(node: ReactNode, seed?: (qc: QueryClient) => void): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  seed?.(qc);
  return renderToStaticMarkup(<QueryClientProvider client={qc}>{node}</QueryClientProvider>);
}

describe('connectedClients', () => {
  it('sums entries and distinct clients over the directors and lists each address once', () => {
    expect(connectedClients(progress())).toEqual({
      entries: 7,
      distinctClients: 4,
      clients: ['198.51.100.7', '198.51.100.8', '198.51.100.9'],
      more: 1,
      estimatedSecondsToZero: 90,
      estimateNote: 'established connections with traffic refresh their timers: at least this long',
      errors: [],
    });
  });

  it('lists at most 12 addresses and names the directors not read', () => {
    const many = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    const c = connectedClients(progress({ connections: [conn({ director: 'dir1', entries: 20, clients: many, distinctClients: 20 }), conn({ director: 'dir2', error: 'ssh timed out' })] }));
    expect(c.clients).toEqual(many.slice(0, 12));
    expect(c.more).toBe(8);
    expect(c.errors).toEqual(['dir2: ssh timed out']);
  });
});

describe('Still connected on the board', () => {
  const r = rollout({
    hosts: [
      host({ host: '192.0.2.11', batch: 1, step: 'maintenance', stepStartedAt: T0 }),
      host({ host: '192.0.2.12', batch: 1, step: 'deadline', stepStartedAt: T0, connectionsLeft: 7 }),
      host({ host: '192.0.2.13', batch: 1, step: 'draining', stepStartedAt: T0 }),
    ],
  });

  it('is offered, folded, for a host draining or at its deadline only, described by the host', () => {
    const html = render(<RolloutBoard rollout={r} />);
    expect([...html.matchAll(/data-testid="rollout-still-connected" data-host="([^"]+)"/g)].map((m) => m[1])).toEqual(['192.0.2.12', '192.0.2.13']);
    expect(html).toContain('<summary class="cursor-pointer font-medium text-accent" aria-describedby="rollout-host-7-192.0.2.12">Still connected</summary></details>');
    expect(html).not.toContain('rollout-still-connected-body');
  });

  it('unfolded: the entries, the distinct clients, the first addresses, the estimate and its note', () => {
    const html = render(<StillConnectedBody cluster="lab" host="192.0.2.12" />, (qc) => qc.setQueryData(drainKeys.progress('lab', { target: '192.0.2.12' }), progress()));
    expect(html).toContain('data-entries="7" data-clients="4"');
    expect(html).toMatch(/>7<\/span> connection entries from <span[^>]*>4<\/span> clients/);
    expect(html).toContain('198.51.100.7, 198.51.100.8, 198.51.100.9<span class="font-sans text-muted"> and 1 more</span>');
    expect(html).toMatch(/zero in ≈ [^<]+ \(at least\)/);
    expect(html).toContain('established connections with traffic refresh their timers: at least this long');
  });

  it('says so while reading', () => {
    expect(render(<StillConnectedBody cluster="lab" host="192.0.2.12" />)).toContain('Reading connections…');
  });
});
