import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DirectorView } from '@/lib/models/cluster';
import { DirectorsPanel } from './directors-panel';

// The directors panel says when the console refreshes a director less often than it should: one
// slow director (its own interval stretched), or all of them (the console is short of CPU).

function director(name: string, refreshIntervalMs: number | null): DirectorView {
  return {
    name, endpoint: `${name}:22`, live: true, takenAt: Date.now(), refreshMs: 800, refreshIntervalMs, error: null, keepalivedRunning: true, keepalivedPid: 1,
    instances: [], heldVips: [], health: null, ipvsadmVersion: null,
  };
}

function render(directors: DirectorView[], pollIntervalMs?: number): string {
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <DirectorsPanel cluster="lab" directors={directors} pollIntervalMs={pollIntervalMs} />
    </QueryClientProvider>,
  );
}

describe('DirectorsPanel: refresh intervals', () => {
  it('names one slow director with its interval', () => {
    const html = render([director('dir1', 4500), director('dir2', 2000)], 2000);
    expect(html).toContain('data-testid="directors-behind"');
    expect(html).toContain('Refreshed less often than every 2 s: dir1 every 4.5 s.');
    expect(html).toContain('A slow director');
  });

  it('says the console is behind when every director is', () => {
    const html = render([director('dir1', 9000), director('dir2', 6100)], 2000);
    expect(html).toContain('dir1 every 9 s, dir2 every 6.1 s');
    expect(html).toContain('Every director is behind');
  });

  it('says nothing while the directors keep up, or before intervals are known', () => {
    expect(render([director('dir1', 2000), director('dir2', null)], 2000)).not.toContain('directors-behind');
    expect(render([director('dir1', 9000)])).not.toContain('directors-behind');
  });
});
