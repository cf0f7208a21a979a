import { describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '@/lib/models/drain';
import { drainFindings, withHolds } from './findings';
import { DIRECTORS, NOW, director, intent, labSnapshot, rs, service } from './fixtures.test-helper';
import { KeyedMutex } from '../concurrency/keyed-mutex';
import { planAction } from './plan';
import { estimate, overallState, progressEntries } from './progress';
import { backoffMs, expired, findDrift, memoKey, type RepairMemo } from './reconcile';

const held = intent({ id: '1', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80' });

function snapWith(on: Record<string, number | null>, o: { dir2Live?: boolean } = {}) {
  return labSnapshot({
    directors: [director('dir1'), director('dir2', { live: o.dir2Live ?? true })],
    services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: on.dir1 ?? null, on }), rs({ key: '192.0.2.12:80', weight: 100 })])],
  });
}

describe('findDrift', () => {
  it('finds a director where keepalived re-added the drained server at its configured weight', () => {
    const scan = findDrift(snapWith({ dir1: 0, dir2: 100 }), [held], new Map(), NOW);
    expect(scan.due.map((d) => [d.director, d.found])).toEqual([['dir2', 100]]);
  });

  it('is quiet when held everywhere, absent (checker down), or the director is not live', () => {
    expect(findDrift(snapWith({ dir1: 0, dir2: 0 }), [held], new Map(), NOW).due).toEqual([]);
    expect(findDrift(snapWith({ dir1: 0, dir2: null }), [held], new Map(), NOW).due).toEqual([]);
    expect(findDrift(snapWith({ dir1: 0, dir2: 100 }, { dir2Live: false }), [held], new Map(), NOW).due).toEqual([]);
    expect(findDrift(snapWith({ dir1: 0, dir2: 100 }), [{ ...held, endedAt: NOW - 1 }], new Map(), NOW).due).toEqual([]);
  });

  it('does not repair again from data older than its last repair (no tight loop), nor before the backoff', () => {
    const s = snapWith({ dir1: 0, dir2: 100 }); // dir2 data taken NOW-500 after a 400 ms refresh: started NOW-900
    const justRepaired = new Map<`${string}|${string}`, RepairMemo>([[memoKey('1', 'dir2'), { lastFinishedAt: NOW - 700, failures: 0, lastError: null }]]);
    expect(findDrift(s, [held], justRepaired, NOW).waiting).toHaveLength(1);
    const olderRepair = new Map([[memoKey('1', 'dir2'), { lastFinishedAt: NOW - 5000, failures: 0, lastError: null }]]);
    expect(findDrift(s, [held], olderRepair, NOW).due).toHaveLength(1);
    const failing = new Map([[memoKey('1', 'dir2'), { lastFinishedAt: NOW - 5000, failures: 3, lastError: 'x' }]]);
    expect(findDrift(s, [held], failing, NOW).due).toHaveLength(0); // backoff 2 s * 8 = 16 s
    expect(findDrift(s, [held], failing, NOW + 20_000).due).toHaveLength(1);
  });

  it('backs off exponentially up to 5 minutes', () => {
    expect([0, 1, 2, 3, 20].map((f) => backoffMs(f, 2000))).toEqual([0, 4000, 8000, 16000, 300_000]);
  });

  it('expired leases', () => {
    const a = intent({ id: '2', service: 's', realServer: 'r', expiresAt: NOW - 1, onExpiry: 'restore' });
    const b = intent({ id: '3', service: 's', realServer: 'r', expiresAt: NOW + 1, onExpiry: 'restore' });
    expect(expired([a, b, held], NOW).map((i) => i.id)).toEqual(['2']);
  });
});

describe('drainFindings', () => {
  it('orphan-drain: weight 0 without an intent, but not when held, down, or configured 0', () => {
    const s = labSnapshot({
      services: [
        service('TCP 192.0.2.100:80', [
          rs({ key: '192.0.2.11:80', weight: 0, configured: 100 }),
          rs({ key: '192.0.2.12:80', weight: 0, configured: 100 }),
          rs({ key: '192.0.2.13:80', weight: 0, configured: 100, alive: false }),
          rs({ key: '192.0.2.14:80', weight: 0, configured: 0 }),
        ]),
      ],
    });
    const f = drainFindings(s, [intent({ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.12:80' })], { now: NOW, oldAfterMs: 86_400_000 });
    expect(f.map((x) => [x.kind, x.realServer])).toEqual([['orphan-drain', '192.0.2.11:80']]);
    expect(f[0]?.message).toBe('192.0.2.11:80 in TCP 192.0.2.100:80 has weight 0 but no drain is recorded: nobody owns this drain (restore it, or drain it here to record who and why)');
  });

  it('old-drain after the configured age, since the moment it became old', () => {
    const old = intent({ id: '9', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', createdAt: NOW - 30 * 3_600_000 });
    const f = drainFindings(snapWith({ dir1: 0, dir2: 0 }), [old], { now: NOW, oldAfterMs: 24 * 3_600_000 });
    expect(f).toEqual([expect.objectContaining({ kind: 'old-drain', id: 'old-drain:9', since: NOW - 6 * 3_600_000 })]);
    expect(f[0]?.message).toContain('drained for 30 h by alice ("kernel update")');
  });

  it('persistence-quiescent: info for a persistent service, warning while a server in it is drained', () => {
    const s = labSnapshot({ directors: [director('dir1', { health: { ipForward: true, expireQuiescentTemplate: false, expireNodestConn: false, conntrackCount: 0, conntrackMax: 1 } }), director('dir2')] });
    const f = drainFindings(s, [], { now: NOW, oldAfterMs: 1e9 });
    expect(f.map((x) => [x.kind, x.service, x.severity])).toEqual([['persistence-quiescent', 'TCP 192.0.2.100:8080', 'info']]);
  });

  it('drain-expired for an alert lease, drift-repair-failing after 3 failed repairs', () => {
    const i = intent({ id: '4', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', expiresAt: NOW - 60_000, onExpiry: 'alert' });
    const memo = new Map([[memoKey('4', 'dir2'), { lastFinishedAt: NOW, failures: 3, lastError: 'sudo refused' }]]);
    const f = drainFindings(snapWith({ dir1: 0, dir2: 100 }), [i], { now: NOW, oldAfterMs: 1e9, memo });
    expect(f.map((x) => x.kind)).toEqual(['drain-expired', 'drift-repair-failing']);
  });

  it('withHolds shows which mechanism holds each real server', () => {
    const s = withHolds(labSnapshot(), [intent({ id: '5', service: 'TCP 192.0.2.102:80', realServer: '198.51.100.13:80', mechanism: 'track-file' })], []);
    const nat = s.services.find((x) => x.key === 'TCP 192.0.2.102:80');
    expect(nat?.realServers[0]?.hold).toMatchObject({ intentId: '5', mechanism: 'track-file' });
    expect(nat?.realServers[1]?.hold).toBeNull();
  });
});

describe('progress', () => {
  it('draining while connections remain on the VIP holder, drained at zero, serving while weight > 0', () => {
    const mk = (w: number, active: number, inactive: number, persistent: number) =>
      labSnapshot({ services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: w, active, inactive, persistent }), rs({ key: '192.0.2.12:80', weight: 100 })])] });
    const e = (w: number, a: number, i: number, p: number) => progressEntries(mk(w, a, i, p), '192.0.2.11:80', undefined, () => []);
    expect(overallState(e(0, 2, 1, 0))).toBe('draining');
    expect(overallState(e(0, 0, 0, 1))).toBe('draining');
    expect(overallState(e(0, 0, 0, 0))).toBe('drained');
    expect(overallState(e(100, 0, 0, 0))).toBe('serving');
    expect(e(0, 2, 1, 0)[0]).toMatchObject({ director: 'dir1', active: 2, inactive: 1, persistent: 0, state: 'draining' });
  });

  it('estimates time to zero from -Lnc expiry timers; a lower bound while ESTABLISHED', () => {
    const d = (o: Partial<ConnectionDetail>): ConnectionDetail => ({ director: 'dir1', entries: 3, templates: 1, byState: { TIME_WAIT: 2, NONE: 1 }, maxExpiresInSeconds: 118, clients: ['192.0.2.50'], distinctClients: 1, takenAt: NOW, error: null, ...o });
    expect(estimate([d({})])).toEqual({ seconds: 118, note: null });
    expect(estimate([d({ byState: { ESTABLISHED: 1 }, maxExpiresInSeconds: 900 })]).note).toMatch(/lower bound/);
    expect(estimate([d({ error: 'down' })])).toEqual({ seconds: null, note: null });
  });
});

describe('KeyedMutex', () => {
  it('serializes per key; tryRun skips when busy', async () => {
    const m = new KeyedMutex();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = m.run('lab', async () => {
      order.push('a-start');
      await gate;
      order.push('a-end');
    });
    const b = m.run('lab', () => {
      order.push('b');
      return Promise.resolve();
    });
    expect(await m.tryRun('lab', () => Promise.resolve('x'))).toBeUndefined();
    release();
    await Promise.all([a, b]);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
    expect(await m.tryRun('lab', () => Promise.resolve('x'))).toBe('x');
  });
});

describe('repair plan', () => {
  it('re-applies on one director with force (the last-server rule does not block holding what was agreed)', () => {
    const s = labSnapshot({ services: [service('TCP 192.0.2.100:80', [rs({ key: '192.0.2.11:80', weight: 100 })])] });
    const p = planAction({ snapshot: s, directors: DIRECTORS.filter((d) => d.name === 'dir2'), intents: [held] }, { action: 'weight', target: '192.0.2.11:80', service: 'TCP 192.0.2.100:80', weight: 0, force: true });
    expect(p.steps.map((x) => [x.director, x.edits.map((e) => e.weight)])).toEqual([['dir2', [0]]]);
  });
});
