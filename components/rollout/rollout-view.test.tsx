import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/client';
import { rolloutKeys, rolloutPollInterval } from '@/lib/api/rollout-queries';
import type { Role } from '@/lib/models/auth';
import { MeProvider } from '@/components/auth/me-context';
import { host, rollout, T0 } from './fixtures';
import { RolloutsPage } from './rollout-list';
import { RolloutView } from './rollout-view';

// The rollout page and the list as the server renders them from seeded queries: the board's rows
// and cells, the buttons an operator gets (and a viewer does not), the stopped banner, the log.

const r = rollout({
  hosts: [
    host({
      host: '192.0.2.11',
      batch: 1,
      step: 'maintenance',
      stepStartedAt: T0,
      note: 'waits for “Maintenance done”',
      servers: [{ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', restoreWeight: 100 }],
    }),
    host({ host: '192.0.2.12', batch: 2 }),
  ],
  log: [
    { at: T0, host: null, text: 'started by alice' },
    { at: T0 + 1000, host: '192.0.2.11', text: 'drained' },
  ],
});

function render(node: ReactNode, role: Role | null, seed: (qc: QueryClient) => void): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  seed(qc);
  return renderToStaticMarkup(
    <MeProvider me={role ? { name: 'alice', role, clusters: null, via: 'session' } : null}>
      <QueryClientProvider client={qc}>{node}</QueryClientProvider>
    </MeProvider>,
  );
}

const tags = (html: string, testId: string) => html.match(new RegExp(`<[a-z]+[^>]*data-testid="${testId}"[^>]*>`, 'g')) ?? [];
const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

describe('RolloutView', () => {
  const view = (role: Role | null, data = r) => render(<RolloutView cluster="lab" id="7" />, role, (qc) => qc.setQueryData(rolloutKeys.detail('lab', '7'), data));

  it('is a region named by its heading "Rollout #7", with the status sentence', () => {
    const html = view('operator');
    expect(html).toMatch(/<section aria-labelledby="rollout-7-heading"[^>]*>/);
    expect(html).toMatch(/<h1 id="rollout-7-heading"[^>]*>Rollout #7<\/h1>/);
    expect(html).toContain('Batch 1 of 2: 192.0.2.11 in maintenance, waiting for done');
  });

  it('has one row per host with its step; the current cell names the step and carries the note', () => {
    const html = view('operator');
    expect(tags(html, 'rollout-host').map((t) => [attr(t, 'data-host'), attr(t, 'data-step'), attr(t, 'data-batch')])).toEqual([
      ['192.0.2.11', 'maintenance', '1'],
      ['192.0.2.12', 'pending', '2'],
    ]);
    expect(html).toMatch(/<td[^>]*aria-current="step"[^>]*data-column="maintenance"[^>]*>.*?>maintenance<\/span>.*?waits for “Maintenance done”/);
    expect(html).toMatch(/<th scope="col"[^>]*>Maintenance<\/th>/);
  });

  it('gives an operator Maintenance done, Skip, Pause and Abort; no Restore all while running', () => {
    const html = view('operator');
    expect(html.match(/>Maintenance done<\/button>/g)).toHaveLength(1);
    expect(html.match(/>Skip<\/button>/g)).toHaveLength(2);
    expect(html).toContain('>Pause</button>');
    expect(html).toContain('>Abort</button>');
    expect(html).not.toContain('Restore all');
    expect(html).toContain('role="status" aria-live="polite"');
  });

  it('shows a viewer the board without a button', () => {
    const html = view('viewer');
    expect(tags(html, 'rollout-host')).toHaveLength(2);
    expect(html).not.toMatch(/<button/);
  });

  it('shows why the console stopped it in a red banner, and offers Resume and Abort (Restore all once aborted)', () => {
    const html = view('operator', { ...r, state: 'paused', stopped: 'the check of 192.0.2.11 failed: keepalived says down on dir2' });
    expect(html).toMatch(/role="alert"[^>]*data-testid="rollout-stopped"[^>]*>.*the check of 192.0.2.11 failed: keepalived says down on dir2/);
    expect(html).toContain('>Resume</button>');
    expect(html).toContain('>Abort</button>');
    expect(html).not.toContain('>Restore all</button>');
    expect(view('operator', { ...r, state: 'aborted' })).toContain('>Restore all</button>');
  });

  it('lists the ramp weights per server and the log newest first', () => {
    const html = view('operator');
    expect(tags(html, 'rollout-ramp-server').map((t) => attr(t, 'data-real-server'))).toEqual(['192.0.2.11:80']);
    expect(html).toMatch(/>w10<\/td>.*>w25<\/td>.*>w50<\/td>.*>w100<\/td>/);
    expect(html.indexOf('drained')).toBeLessThan(html.indexOf('started by alice'));
  });
});

describe('RolloutsPage', () => {
  it('lists active rollouts first then the recent ones, each linking to its page; a viewer gets no form', () => {
    const list = { cluster: 'lab', rollouts: [rollout({ id: '3', state: 'done', endedAt: T0 }), rollout({ id: '7' })] };
    const html = render(<RolloutsPage cluster="lab" />, 'viewer', (qc) => qc.setQueryData(rolloutKeys.list('lab', true), list));
    expect(tags(html, 'rollout-row').map((t) => [attr(t, 'data-id'), attr(t, 'data-state')])).toEqual([
      ['7', 'running'],
      ['3', 'done'],
    ]);
    expect(html).toContain('href="/clusters/lab/rollouts/7"');
    expect(html).not.toContain('new-rollout-form');
  });
});

describe('rolloutPollInterval', () => {
  it('reads an active rollout every 2 s, an ended or missing one never', () => {
    expect(rolloutPollInterval(undefined, null)).toBe(2000);
    expect(rolloutPollInterval({ state: 'paused' }, null)).toBe(2000);
    expect(rolloutPollInterval({ state: 'aborted' }, null)).toBe(false);
    expect(rolloutPollInterval(undefined, new ApiError(404, 'not-found', 'no rollout 9'))).toBe(false);
  });
});
