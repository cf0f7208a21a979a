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

/** Waits for a condition (the limit is only there so a broken collector fails instead of hanging). */
const until = (check: () => void): Promise<void> => vi.waitFor(check, { timeout: 20_000, interval: 10 });

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
    const pending: { finish: ((d: ObservedDirectorData) => void) | null } = { finish: null };
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((r) => (started = r));
    collector = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 60_000,
      refresh: () => {
        started();
        return new Promise<ObservedDirectorData>((r) => (pending.finish = r));
      },
      describeError: () => ({ code: 'x', message: 'x' }),
      onDirector: (_c, o) => void calls.push(o.name),
    });
    collector.start();
    await inFlight;
    collector.stop();
    expect(pending.finish).not.toBeNull();
    pending.finish?.(data(Date.now()));
    // The refresh completed (counted) after the stop, and told no listener.
    await until(() => expect(collector?.stats()[0]?.successes).toBe(1));
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

  it('keeps refreshing the other directors while one hangs, and shows the hung one stale', async () => {
    const counts: Record<string, number> = { a: 0, b: 0, slow: 0 };
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => (release = r));
    // One clock for the data and the merge: liveness here is about who answered, not about speed.
    const T = 1_000_000;
    const refresh: RefreshFn = async (_c, d) => {
      counts[d.name] = (counts[d.name] ?? 0) + 1;
      if (d.name === 'slow') await hung;
      return data(T);
    };
    collector = new Collector({ clusters: [cluster], pollIntervalMs: 40, refresh, describeError: () => ({ code: 'x', message: 'x' }), now: () => T });
    collector.start();
    // a and b keep their own loops going while slow's first refresh never returns...
    await until(() => {
      expect(counts.a).toBeGreaterThanOrEqual(5);
      expect(counts.b).toBeGreaterThanOrEqual(5);
    });
    expect(counts.slow).toBe(1); // ...and slow's refreshes do not pile up behind it
    const s = collector.snapshot('c1');
    expect(s?.directors.map((d) => [d.name, d.live])).toEqual([['a', true], ['b', true], ['slow', false]]);
    // Once it answers, slow is live and its loop goes on.
    release();
    await until(() => expect(counts.slow).toBeGreaterThanOrEqual(2));
    expect(collector.snapshot('c1')?.directors.map((d) => [d.name, d.live])).toEqual([['a', true], ['b', true], ['slow', true]]);
  });

  it('measures the interval each director gets: a refresh longer than the poll interval stretches it, and the snapshot says so', async () => {
    // The console's clock: each refresh takes 100 ms of it, against a 40 ms poll interval.
    let clock = 1_000_000;
    const c = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 40,
      refresh: () => {
        clock += 100;
        return Promise.resolve(data(clock));
      },
      describeError: () => ({ code: 'x', message: 'x' }),
      now: () => clock,
    });
    collector = c;
    expect(c.stats()[0]?.intervalMs).toBeNull();
    c.start();
    await until(() => expect(c.stats()[0]?.successes).toBeGreaterThanOrEqual(3));
    expect(c.stats()[0]?.intervalMs).toBe(100);
    expect(c.snapshot('c1')?.directors[0]?.refreshIntervalMs).toBe(100);
    // A refresh asked for outside the loop (after an action) does not count as the loop's interval.
    await c.refreshNow('c1');
    expect(c.stats()[0]?.intervalMs).toBe(100);
  });

  it('records an error with its first-seen time, then clears it on recovery', async () => {
    let fail = true;
    let clock = 1_000_000;
    const refresh: RefreshFn = () => (fail ? Promise.reject(new Error('boom')) : Promise.resolve(data(clock)));
    const c = new Collector({
      clusters: [{ ...cluster, directors: cluster.directors.slice(0, 1) }],
      pollIntervalMs: 30,
      refresh,
      describeError: (e) => ({ code: 'connect-refused', message: e instanceof Error ? e.message : 'x' }),
      now: () => clock,
    });
    collector = c;
    c.start();
    await until(() => expect(c.stats()[0]?.errors).toBeGreaterThanOrEqual(1));
    expect(c.snapshot('c1')?.directors[0]?.error).toEqual({ code: 'connect-refused', message: 'boom', since: 1_000_000 });
    // Later failures of the same kind keep the first-seen time.
    clock += 5000;
    const errors = c.stats()[0]?.errors ?? 0;
    await until(() => expect(c.stats()[0]?.errors).toBeGreaterThanOrEqual(errors + 2));
    expect(c.snapshot('c1')?.directors[0]?.error?.since).toBe(1_000_000);
    fail = false;
    await until(() => expect(c.snapshot('c1')?.directors[0]).toMatchObject({ error: null, live: true }));
    expect(c.stats()[0]).toMatchObject({ director: 'a', error: null });
    expect(c.stats()[0]?.errors).toBeGreaterThanOrEqual(3);
  });
});
