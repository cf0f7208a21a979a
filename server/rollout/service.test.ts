import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { DirectorResult } from '@/lib/models/drain';
import type { ClusterEvent, NewClusterEvent } from '@/lib/models/events';
import type { IpvsService } from '@/lib/models/ipvsadm';
import { RolloutRequest, type RolloutRequestInput } from '@/lib/models/rollout';
import { AuditLog } from '@/server/audit/log';
import type { DirectorObservation } from '@/server/collector/observation';
import { ConsoleConfig } from '@/server/config/schema';
import type { Db } from '@/server/db';
import { testDb } from '@/server/testing/test-db';
import { createDrain, type Drain } from '@/server/drain/compose';
import type { ClusterView } from '@/server/drain/drain-service';
import { NOW, labSnapshot, rs, service } from '@/server/drain/fixtures.test-helper';
import { IntentStore } from '@/server/drain/intent-store';
import type { DirectorSteps } from '@/server/drain/plan';
import { DomainError } from '@/server/errors';
import { EventStore } from '@/server/events/store';
import type { SshPool } from '@/server/ssh/pool';
import { RolloutService } from './service';
import { RolloutStore } from './store';

// The rollout engine on the real DrainService (createDrain) over a fake director table (no SSH):
// batches, the floor, maintenance, the ramp in verified steps, the check, a restart, stops,
// deadline, skip, abort and restore all. Ticks are driven by hand; the clock is fake.

function config(minServingShare = 0) {
  return ConsoleConfig.parse({
    drain: { minServingShare },
    clusters: [
      {
        name: 'lab',
        directors: ['dir1', 'dir2'].map((name) => ({ name, host: '127.0.0.1', user: 'lvsconsole', sudo: true, privateKeyPath: '/k', hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' })),
      },
    ],
  });
}

const ALICE = { name: 'alice', role: 'operator', source: '127.0.0.1' };
const WEB = 'TCP 192.0.2.100:80';
const HOSTS = ['192.0.2.11', '192.0.2.12', '192.0.2.13'];

let clock: number;
/** director -> rs key -> weight (service TCP 192.0.2.100:80). */
let table: Record<string, Record<string, number>>;
/** rs key -> active connections on the VIP holder. */
let conns: Record<string, number>;
/** rs key -> total connections counter (ipvsadm --stats Conns) on the VIP holder, dir1. */
let counters: Record<string, number>;
/** The same on dir2 (the backup: its counters move only after a failover). */
let counters2: Record<string, number>;
/** rs key -> keepalived checker alive, per director. */
let alive: Record<string, Record<string, boolean>>;
let db: Db;
let audit: AuditLog;
let events: EventStore;
let notified: ClusterEvent[];
let drain: Drain;
let svc: RolloutService;

function snapshot(): ClusterSnapshot {
  const one = (k: string) => {
    const r = rs({ key: k, weight: table.dir1?.[k] ?? null, on: { dir1: table.dir1?.[k] ?? null, dir2: table.dir2?.[k] ?? null }, active: conns[k] ?? 0, configured: 100 });
    return { ...r, stats: { conns: counters[k] ?? 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 } };
  };
  const s = labSnapshot({ services: [service(WEB, HOSTS.map((h) => one(`${h}:80`)))] });
  return { ...s, takenAt: clock, directors: s.directors.map((d) => ({ ...d, takenAt: clock, refreshMs: 0 })) };
}

/** Director `name`'s own listing of the web service: weights and its counters. */
function ipvsWeb(name: string): IpvsService {
  const mine = name === 'dir1' ? counters : counters2;
  return {
    protocol: 'TCP', family: 'inet', address: '192.0.2.100', port: 80, fwmark: null, scheduler: 'wlc', flags: [], persistent: null, pe: null, ops: false, stats: null, rates: null, approximate: false,
    realServers: HOSTS.map((h) => ({
      address: h, port: 80, forward: 'route' as const, weight: table[name]?.[`${h}:80`] ?? 100, activeConns: 0, inactiveConns: 0, persistentConns: 0, upperThreshold: null, lowerThreshold: null,
      stats: { conns: mine[`${h}:80`] ?? 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 }, rates: null, approximate: false,
    })),
  };
}

function observations(): DirectorObservation[] {
  return ['dir1', 'dir2'].map((name) => ({
    name,
    endpoint: '127.0.0.1:22',
    error: null,
    data: {
      takenAt: clock,
      durationMs: 1,
      ipvsadmVersion: null,
      services: [ipvsWeb(name)],
      addresses: [],
      keepalivedPid: 1,
      vrrp: null,
      keepalivedDumpAt: clock,
      checkers: HOSTS.map((h) => ({ service: WEB, realServer: `${h}:80`, alive: alive[`${h}:80`]?.[name] ?? true, configuredWeight: 100 })),
      health: null,
    },
  }));
}

const view: ClusterView = {
  snapshot: (c) => (c === 'lab' ? snapshot() : undefined),
  refreshNow: (c) => Promise.resolve(c === 'lab' ? snapshot() : undefined),
  nextUpdate: () => Promise.resolve(),
  invalidate: () => undefined,
};

function fakeApply(_c: unknown, steps: DirectorSteps[]): Promise<DirectorResult[]> {
  return Promise.resolve(
    steps.map((s): DirectorResult => {
      for (const e of s.edits) (table[s.director] ??= {})[e.realServer] = e.weight;
      return { director: s.director, status: 'ok', error: null, verified: s.edits.map((e) => ({ service: e.service, realServer: e.realServer, expected: e.weight, actual: e.weight, ok: true })), durationMs: 1 };
    }),
  );
}

function build(minServingShare = 0): RolloutService {
  const cfg = config(minServingShare);
  drain = createDrain({ config: cfg, store: new IntentStore(db), audit, events, pool: undefined as unknown as SshPool, clusters: () => view, now: () => clock, apply: fakeApply });
  return new RolloutService({
    config: cfg,
    store: new RolloutStore(db),
    drain: drain.service,
    progress: (cluster, target) => drain.progress.progress(cluster, target, undefined, false),
    clusters: () => ({ snapshot: (c) => view.snapshot(c), refreshNow: (c) => view.refreshNow(c), observations }),
    audit,
    recordEvent: (e: NewClusterEvent) => ({ ...e, id: events.add(e).id }),
    notify: (e) => notified.push(e),
    now: () => clock,
  });
}

function req(o: Partial<RolloutRequestInput> = {}) {
  return RolloutRequest.parse({ hosts: ['192.0.2.11', '192.0.2.12'], reason: 'kernel 6.1.0-40', ramp: [10, 25, 50, 100], stepSeconds: 30, checkSeconds: 60, ...o });
}

/** Ticks, moving the clock by `ms` before each, until `until` holds (at most n ticks). */
async function tickUntil(until: () => boolean, ms = 1000, n = 50): Promise<void> {
  for (let i = 0; i < n && !until(); i++) {
    clock += ms;
    await svc.tick();
  }
  expect(until()).toBe(true);
}

const weights = (rsKey: string) => [table.dir1?.[rsKey], table.dir2?.[rsKey]];

beforeEach(() => {
  clock = NOW;
  table = { dir1: {}, dir2: {} };
  for (const h of HOSTS) for (const d of ['dir1', 'dir2']) (table[d] ??= {})[`${h}:80`] = 100;
  conns = { '192.0.2.11:80': 3, '192.0.2.12:80': 2 };
  counters = { '192.0.2.11:80': 1000, '192.0.2.12:80': 1000, '192.0.2.13:80': 1000 };
  counters2 = { '192.0.2.11:80': 3, '192.0.2.12:80': 3, '192.0.2.13:80': 3 };
  alive = {};
  notified = [];
  db = testDb();
  audit = new AuditLog(db);
  events = new EventStore(db);
  svc = build();
});

describe('RolloutService', () => {
  it('drains a batch, waits for the connections and for "done", ramps back in verified steps, checks, then does the next batch; a restarted console resumes', async () => {
    const started = await svc.start('lab', req(), ALICE);
    const id = started.rollout?.id ?? '';
    expect(started.batches).toEqual([['192.0.2.11'], ['192.0.2.12']]);
    const get = () => svc.get('lab', id);
    const host = (h: string) => get().hosts.find((x) => x.host === h);

    await svc.tick();
    expect(host('192.0.2.11')?.step).toBe('draining');
    expect(host('192.0.2.12')?.step).toBe('pending');
    expect(weights('192.0.2.11:80')).toEqual([0, 0]);
    expect(weights('192.0.2.12:80')).toEqual([100, 100]);
    expect(notified.map((e) => e.kind)).toEqual(['rollout-batch']);
    // Held on every director as a drain by the rollout's starter, audited as such.
    expect(drain.service.intents('lab').intents.map((i) => [i.realServer, i.kind, i.actor])).toEqual([['192.0.2.11:80', 'drain', 'alice']]);
    expect(audit.list({ action: 'drain' }).some((e) => e.source === `rollout #${id}` && e.outcome === 'ok')).toBe(true);

    // Connections left: it stays draining.
    await svc.tick();
    expect(host('192.0.2.11')?.step).toBe('draining');
    expect(host('192.0.2.11')?.note).toContain('3 connection(s) left');
    conns['192.0.2.11:80'] = 0;
    await svc.tick();
    expect(host('192.0.2.11')?.step).toBe('maintenance');
    expect(notified.map((e) => e.kind)).toEqual(['rollout-batch', 'rollout-waiting']);

    // The console restarts: a new service on the same database carries on.
    svc = build();
    clock += 3_600_000;
    await svc.tick();
    expect(host('192.0.2.11')?.step).toBe('maintenance');
    const done = await svc.act('lab', id, { action: 'done', host: '192.0.2.11' }, ALICE);
    expect(done.message).toContain('maintenance of 192.0.2.11 done');

    // The ramp: 10, 25, 50 % as verified re-weights, one step per 30 s, then the restore.
    const seen: (number | undefined)[][] = [];
    await tickUntil(() => {
      const w = weights('192.0.2.11:80');
      if (seen.length === 0 || seen[seen.length - 1]?.[0] !== w[0]) seen.push(w);
      return host('192.0.2.11')?.step === 'checking';
    }, 10_000);
    expect(seen).toEqual([[0, 0], [10, 10], [25, 25], [50, 50], [100, 100]]);
    expect(drain.service.intents('lab').intents).toEqual([]);

    // The check wants new connections: the counter has to grow.
    clock += 1000;
    await svc.tick();
    await svc.tick();
    expect(host('192.0.2.11')?.step).toBe('checking');
    expect(host('192.0.2.11')?.note).toContain('new connections');
    counters['192.0.2.11:80'] = 1010;
    await tickUntil(() => host('192.0.2.11')?.step === 'done');
    expect(host('192.0.2.11')?.note).toContain("keepalived's checkers say up on dir1, dir2");

    // Next batch.
    await tickUntil(() => host('192.0.2.12')?.step === 'draining');
    expect(weights('192.0.2.12:80')).toEqual([0, 0]);
    conns['192.0.2.12:80'] = 0;
    await tickUntil(() => host('192.0.2.12')?.step === 'maintenance');
    await svc.act('lab', id, { action: 'done' }, ALICE);
    await tickUntil(() => host('192.0.2.12')?.step === 'checking', 30_000);
    // Its new connections come through dir2 (a failover during the check): growth on any director counts.
    counters2['192.0.2.12:80'] = 4;
    await tickUntil(() => get().state === 'done');
    expect(host('192.0.2.12')?.note).toContain('new connections reach it (1 since the restore)');
    expect(weights('192.0.2.12:80')).toEqual([100, 100]);
    expect(notified.map((e) => e.kind)).toEqual(['rollout-batch', 'rollout-waiting', 'rollout-batch', 'rollout-waiting', 'rollout-finished']);
    expect(events.query({ cluster: 'lab', from: 0, to: clock + 1, kinds: ['rollout-finished'] }).events).toHaveLength(1);
    expect(audit.list({ action: 'rollout-action' }).map((e) => (e.detail as { action: string }).action)).toEqual(['done', 'done']);
    // What the rollout caused, as its page lists it: its start, its changes (done by alice through it), the actions on it.
    const caused = audit.list({ cluster: 'lab', rollout: id }).filter((e) => e.outcome !== 'attempted').map((e) => e.action).reverse();
    expect(caused).toEqual(['rollout-start', 'drain', 'rollout-action', 'weight', 'weight', 'weight', 'restore', 'drain', 'rollout-action', 'weight', 'weight', 'weight', 'restore']);
    expect(audit.list({ cluster: 'lab', rollout: '999' })).toEqual([]);
  });

  it('refuses bad input plainly and changes nothing: unknown host, not an address, named twice, a host in another active rollout', async () => {
    await expect(svc.start('lab', req({ hosts: ['192.0.2.99'] }), ALICE)).rejects.toThrow('192.0.2.99 is not a real server of any service of cluster lab');
    await expect(svc.start('lab', req({ hosts: ['rs1'] }), ALICE)).rejects.toThrow('"rs1" is not an IP address');
    await expect(svc.start('lab', req({ hosts: ['192.0.2.11', '192.0.2.11'] }), ALICE)).rejects.toThrow('named twice');
    await expect(svc.start('nope', req(), ALICE)).rejects.toThrow('no cluster named "nope"');
    expect(svc.list('lab', true).rollouts).toEqual([]);
    const first = await svc.start('lab', req({ hosts: ['192.0.2.12'] }), ALICE);
    const e = await svc.start('lab', req({ hosts: ['192.0.2.11', '192.0.2.12'] }), ALICE).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).message).toContain(`192.0.2.12 is in rollout #${first.rollout?.id} (running, by alice)`);
    expect(svc.list('lab').rollouts).toHaveLength(1);
    // The request schema: batch size 0, a ramp not ending at 100, a ramp that goes down.
    expect(RolloutRequest.safeParse({ hosts: ['192.0.2.11'], reason: 'x', batchSize: 0 }).error?.issues[0]?.message).toBe('batch size must be at least 1');
    expect(RolloutRequest.safeParse({ hosts: ['192.0.2.11'], reason: 'x', ramp: [10, 50] }).error?.issues[0]?.message).toContain('must be 100');
    expect(RolloutRequest.safeParse({ hosts: ['192.0.2.11'], reason: 'x', ramp: [50, 25, 100] }).error?.issues[0]?.message).toContain('must go up');
  });

  it('the capacity floor refuses a first batch below it with the numbers (nothing is created), and stops a later batch that would go below it', async () => {
    svc = build(0.6);
    const refused = await svc.start('lab', req({ hosts: HOSTS, batchSize: 2 }), ALICE).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(DomainError);
    const msg = (refused as DomainError).message;
    expect(msg).toContain('192.0.2.12: TCP 192.0.2.100:80 would keep 33.3 % of its weight serving (100 of 300), below the floor of 60 %');
    expect(svc.list('lab', true).rollouts).toEqual([]);
    expect(audit.list({ action: 'rollout-start' }).map((a) => a.outcome)).toEqual(['refused']);
    const dry = await svc.start('lab', req({ hosts: HOSTS, batchSize: 2, dryRun: true }), ALICE);
    expect(dry.rollout).toBeNull();
    expect(dry.refusals).toHaveLength(1);
    // A host someone already holds is said, not refused.
    await drain.service.drain('lab', { target: '192.0.2.13', reason: 'disk swap' }, { ...ALICE, name: 'bob' });
    const held = await svc.start('lab', req({ hosts: ['192.0.2.13'], dryRun: true }), ALICE);
    expect(held.warnings).toContain('192.0.2.13 is already held by bob ("disk swap"): the rollout takes the hold over, and its ramp and restore end it');
    await drain.service.restore('lab', { target: '192.0.2.13' }, ALICE);

    // One at a time passes at start; before batch 2, rs3 went down: 192.0.2.12 would leave 1 of 3.
    const ok = await svc.start('lab', req({ hosts: ['192.0.2.11', '192.0.2.12'], checkNewConnections: false }), ALICE);
    const id = ok.rollout?.id ?? '';
    conns['192.0.2.11:80'] = 0;
    await tickUntil(() => svc.get('lab', id).hosts[0]?.step === 'maintenance');
    await svc.act('lab', id, { action: 'done' }, ALICE);
    table.dir1!['192.0.2.13:80'] = 0;
    table.dir2!['192.0.2.13:80'] = 0;
    await tickUntil(() => svc.get('lab', id).state === 'paused', 30_000);
    const r = svc.get('lab', id);
    expect(r.stopped).toContain('batch 2 refused by the capacity floor: 192.0.2.12: TCP 192.0.2.100:80 would keep 33.3 % of its weight serving (100 of 300)');
    expect(r.hosts[1]?.step).toBe('pending');
    expect(weights('192.0.2.12:80')).toEqual([100, 100]);
    expect(notified.map((e) => e.kind)).toContain('rollout-stopped');
  });

  it('a host that fails its check stops the rollout with the reason; resume checks again', async () => {
    const r0 = await svc.start('lab', req({ hosts: ['192.0.2.11'], checkSeconds: 30, stepSeconds: 1 }), ALICE);
    const id = r0.rollout?.id ?? '';
    conns['192.0.2.11:80'] = 0;
    await tickUntil(() => svc.get('lab', id).hosts[0]?.step === 'maintenance');
    await svc.act('lab', id, { action: 'done' }, ALICE);
    alive['192.0.2.11:80'] = { dir2: false };
    await tickUntil(() => svc.get('lab', id).state === 'paused', 5000);
    const r = svc.get('lab', id);
    expect(r.stopped).toBe('192.0.2.11 failed its check after the restore: waited 30 s for keepalived on dir2 says 192.0.2.11:80 in TCP 192.0.2.100:80 is down; new connections (none since the restore: counters dir1 1000, dir2 3)');
    expect(r.hosts[0]?.step).toBe('checking');
    await expect(svc.act('lab', id, { action: 'done' }, ALICE)).rejects.toThrow('no host of rollout');
    alive = {};
    counters['192.0.2.11:80'] = 1005;
    await svc.act('lab', id, { action: 'resume' }, ALICE);
    await tickUntil(() => svc.get('lab', id).state === 'done');
  });

  it('a drain past its deadline waits for "proceed" (or goes on when told to); skip, pause, abort leave hosts as they are; restore all gives them back', async () => {
    const r0 = await svc.start('lab', req({ hosts: ['192.0.2.11', '192.0.2.12'], batchSize: 2, drainDeadlineSeconds: 60 }), ALICE);
    const id = r0.rollout?.id ?? '';
    await tickUntil(() => svc.get('lab', id).hosts.every((h) => h.step === 'deadline'), 10_000);
    const r = svc.get('lab', id);
    expect(r.hosts.map((h) => h.connectionsLeft)).toEqual([3, 2]);
    expect(r.hosts[0]?.note).toContain('waiting for "proceed"');
    await svc.act('lab', id, { action: 'proceed', host: '192.0.2.11' }, ALICE);
    expect(svc.get('lab', id).hosts.map((h) => h.step)).toEqual(['maintenance', 'deadline']);
    await svc.act('lab', id, { action: 'skip', host: '192.0.2.12' }, ALICE);
    await svc.act('lab', id, { action: 'pause', reason: 'lunch' }, ALICE);
    await expect(svc.act('lab', id, { action: 'pause' }, ALICE)).rejects.toThrow('is paused, not running');
    await expect(svc.act('lab', id, { action: 'restore-all' }, ALICE)).rejects.toThrow('abort it first');
    const aborted = await svc.act('lab', id, { action: 'abort' }, ALICE);
    expect(aborted.message).toBe('rollout #1 aborted: every host stays as it is; still held: 192.0.2.11 (maintenance), 192.0.2.12 (skipped) — "Restore all" gives them back');
    expect(weights('192.0.2.11:80')).toEqual([0, 0]);
    const restored = await svc.act('lab', id, { action: 'restore-all' }, ALICE);
    expect(restored.message).toBe('restore all: 192.0.2.11: ok; 192.0.2.12: ok');
    expect([weights('192.0.2.11:80'), weights('192.0.2.12:80')]).toEqual([[100, 100], [100, 100]]);
    expect(svc.list('lab').rollouts).toEqual([]);
    expect(svc.list('lab', true).rollouts.map((x) => x.state)).toEqual(['aborted']);
  });

  it('a pipeline says "done" with the rollout\'s callback secret; a wrong or missing one changes nothing and is audited', async () => {
    const r0 = await svc.start('lab', req({ hosts: ['192.0.2.11'], callback: true, checkNewConnections: false }), ALICE);
    const id = r0.rollout?.id ?? '';
    const cb = r0.callback;
    expect(cb?.path).toBe(`/api/clusters/lab/rollouts/${id}/callback`);
    expect(cb?.header).toBe('x-rollout-secret');
    expect(cb?.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r0.rollout?.callback).toBe(true);
    // Only the hash is kept: the secret is in no stored row.
    expect(JSON.stringify(db.prepare('SELECT * FROM rollouts').all())).not.toContain(cb?.secret ?? '?');
    conns['192.0.2.11:80'] = 0;
    await tickUntil(() => svc.get('lab', id).hosts[0]?.step === 'maintenance');

    await expect(svc.callbackDone('lab', id, 'wrong', {}, '198.51.100.7')).rejects.toThrow(`wrong or missing x-rollout-secret for rollout #${id} of cluster lab`);
    await expect(svc.callbackDone('lab', id, null, {}, '198.51.100.7')).rejects.toThrow('wrong or missing');
    await expect(svc.callbackDone('lab', '999', cb?.secret ?? '', {}, '198.51.100.7')).rejects.toThrow('wrong or missing');
    expect(svc.get('lab', id).hosts[0]?.step).toBe('maintenance');
    expect(audit.list({ action: 'rollout-action' }).filter((e) => e.outcome === 'refused')).toHaveLength(3);

    const ok = await svc.callbackDone('lab', id, cb?.secret ?? '', { host: '192.0.2.11' }, '198.51.100.7');
    expect(ok.message).toContain('maintenance of 192.0.2.11 done');
    const row = audit.list({ action: 'rollout-action' }).find((e) => e.outcome === 'ok');
    expect([row?.actor, row?.source]).toEqual([`rollout #${id} callback`, '198.51.100.7']);
    // A rollout started without a callback has none.
    const other = await svc.start('lab', req({ hosts: ['192.0.2.12'] }), ALICE);
    expect(other.callback).toBeUndefined();
    await expect(svc.callbackDone('lab', other.rollout?.id ?? '', cb?.secret ?? '', {}, '198.51.100.7')).rejects.toThrow('wrong or missing');
  });

  it('a ramp alone brings a drained host back in steps (the restore dialog and lvsctl restore --ramp)', async () => {
    await drain.service.drain('lab', { target: '192.0.2.11', reason: 'patch' }, ALICE);
    await expect(svc.start('lab', req({ kind: 'ramp', hosts: ['192.0.2.12'] }), ALICE)).rejects.toThrow('192.0.2.12 holds no drain or weight');
    const r0 = await svc.start('lab', req({ kind: 'ramp', hosts: ['192.0.2.11'], stepSeconds: 5, checkNewConnections: false }), ALICE);
    const id = r0.rollout?.id ?? '';
    await tickUntil(() => svc.get('lab', id).state === 'done', 5000);
    expect(weights('192.0.2.11:80')).toEqual([100, 100]);
    expect(svc.get('lab', id).log.map((l) => l.text).filter((t) => t.startsWith('ramp'))).toEqual(['ramp 10 %: 192.0.2.11:80 10', 'ramp 25 %: 192.0.2.11:80 25', 'ramp 50 %: 192.0.2.11:80 50', 'ramp 100 %: 192.0.2.11:80 100']);
  });
});
