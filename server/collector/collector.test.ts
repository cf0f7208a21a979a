import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterConfig } from '@/server/config/schema';
import { Collector, type RefreshFn } from './collector';
import type { ObservedDirectorData } from './observation';

// Scheduling only: the refresh function is a stand-in here; real refreshes are proven in the lab tests.
const cluster: ClusterConfig = {
  name: 'c1',
  haproxy: [],
  realServerHosts: [],
  directors: ['a', 'b', 'slow'].map((name, i) => ({
    name, cluster: 'c1', host: '127.0.0.1', port: 2200 + i, user: 'u', privateKeyPath: '/k', agent: false,
    hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU', sudo: false, keepalivedLog: { file: '/x' },
  })),
};

function data(now: number): ObservedDirectorData {
  return {
    takenAt: now, durationMs: 1, ipvsadmVersion: null, services: [], addresses: [], keepalivedPid: 1,
    vrrp: null, keepalivedDumpAt: null, checkers: null, health: null,
  };
}

let collector: Collector | undefined;
afterEach(() => collector?.stop());

describe('Collector', () => {
  it('a director listener that throws (the database closed under a late refresh) does not break refreshes; it merges only when asked', async () => {
    let merges = 0;
    const calls: string[] = [];
    collector = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 1000,
      refresh: () => Promise.resolve(data(Date.now())),
      describeError: () => ({ code: 'x', message: 'x' }),
      augment: (s) => (merges++, s),
      onDirector: (_c, o) => {
        calls.push(o.name);
        throw new TypeError('The database connection is not open');
      },
    });
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const before = merges;
    const s = await collector.refreshNow('c1');
    expect(calls).toEqual(['a']);
    expect(said).toHaveBeenCalledWith('[collector] onDirector failed', expect.any(TypeError));
    said.mockRestore();
    expect(s?.directors[0]?.live).toBe(true);
    // One merge, by the read in refreshNow: the report itself did not merge (the listener never asked).
    expect(merges - before).toBe(1);
  });

  it('a refresh still in flight when the collector stops reports to no listener', async () => {
    const calls: string[] = [];
    let finish: (d: ObservedDirectorData) => void = () => undefined;
    collector = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 60_000,
      refresh: () => new Promise<ObservedDirectorData>((r) => (finish = r)),
      describeError: () => ({ code: 'x', message: 'x' }),
      onDirector: (_c, o) => void calls.push(o.name),
    });
    collector.start();
    // The first refresh starts at once (the first director's timer is 0 ms).
    await new Promise((r) => setTimeout(r, 20));
    collector.stop();
    finish(data(Date.now()));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
    // A collector that was only stopped (never started again) still answers a direct refresh's listener.
    const c2 = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 60_000,
      refresh: () => Promise.resolve(data(Date.now())),
      describeError: () => ({ code: 'x', message: 'x' }),
      onDirector: (_c, o) => void calls.push(o.name),
    });
    await c2.refreshNow('c1');
    expect(calls).toEqual(['a']);
  });

  it('keeps refreshing fast directors on time while one hangs, and shows the hung one stale', async () => {
    const counts: Record<string, number> = { a: 0, b: 0, slow: 0 };
    const refresh: RefreshFn = async (_c, d) => {
      counts[d.name] = (counts[d.name] ?? 0) + 1;
      if (d.name === 'slow') await new Promise((r) => setTimeout(r, 1000));
      return data(Date.now());
    };
    collector = new Collector({ clusters: [cluster], pollIntervalMs: 40, refresh, describeError: () => ({ code: 'x', message: 'x' }) });
    collector.start();
    await new Promise((r) => setTimeout(r, 420));
    expect(counts.a).toBeGreaterThanOrEqual(3); // ~10 expected; loose for a loaded CI machine
    expect(counts.b).toBeGreaterThanOrEqual(3);
    expect(counts.slow).toBe(1); // still running its first refresh: not piled up
    const s = collector.snapshot('c1');
    expect(s?.directors.map((d) => [d.name, d.live])).toEqual([['a', true], ['b', true], ['slow', false]]);
  });

  it('records an error with its first-seen time, then clears it on recovery', async () => {
    let fail = true;
    const refresh: RefreshFn = () => (fail ? Promise.reject(new Error('boom')) : Promise.resolve(data(Date.now())));
    collector = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 30,
      refresh,
      describeError: (e) => ({ code: 'connect-refused', message: e instanceof Error ? e.message : 'x' }),
    });
    collector.start();
    await collector.nextUpdate(500);
    await collector.nextUpdate(500);
    const d1 = collector.snapshot('c1')?.directors[0];
    expect(d1?.error).toMatchObject({ code: 'connect-refused', message: 'boom' });
    const since = d1?.error?.since;
    await collector.nextUpdate(500);
    expect(collector.snapshot('c1')?.directors[0]?.error?.since).toBe(since);
    fail = false;
    await collector.nextUpdate(500);
    expect(collector.snapshot('c1')?.directors[0]).toMatchObject({ error: null, live: true });
    expect(collector.stats()[0]).toMatchObject({ director: 'a', error: null });
    expect(collector.stats()[0]?.errors).toBeGreaterThanOrEqual(2);
  });
});
