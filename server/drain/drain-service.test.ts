import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { DirectorResult } from '@/lib/models/drain';
import { DomainError } from '@/server/errors';
import { AuditLog } from '@/server/audit/log';
import { ConsoleConfig } from '@/server/config/schema';
import type { Db } from '@/server/db';
import { dropTrigger, execDdl, testDb } from '@/server/testing/test-db';
import { EventStore } from '@/server/events/store';
import type { SshPool } from '@/server/ssh/pool';
import { createDrain, type DrainHooks } from './compose';
import type { ClusterView, DrainService } from './drain-service';
import { NOW, labSnapshot, rs, service } from './fixtures.test-helper';
import { IntentStore } from './intent-store';
import type { DirectorSteps } from './plan';

// The DrainService and its reconciler (createDrain) with a fake director table (no SSH): idempotence under concurrency, refusal,
// partial failure then repair by the reconciler, lease expiry, restore.

const config = ConsoleConfig.parse({
  clusters: [
    {
      name: 'lab',
      directors: ['dir1', 'dir2'].map((name) => ({ name, host: '127.0.0.1', user: 'lvsconsole', sudo: true, privateKeyPath: '/k', hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' })),
    },
  ],
});

const WHO = { name: 'alice', role: 'operator', source: '127.0.0.1' };
const WEB = 'TCP 192.0.2.100:80';

let clock: number;
let table: Record<string, Record<string, number>>; // director -> rs key -> weight (TCP 192.0.2.100:80)
let failOn: Set<string>;
let applied: { director: string; weights: number[] }[];
let db: Db;
let audit: AuditLog;
let events: EventStore;
let store: IntentStore;
let svc: DrainService;
let hooks: DrainHooks;

function snapshot(): ClusterSnapshot {
  const on = (k: string) => ({ dir1: table.dir1?.[k] ?? null, dir2: table.dir2?.[k] ?? null });
  const s = labSnapshot({
    services: [service(WEB, [rs({ key: '192.0.2.11:80', weight: table.dir1?.['192.0.2.11:80'] ?? null, on: on('192.0.2.11:80') }), rs({ key: '192.0.2.12:80', weight: table.dir1?.['192.0.2.12:80'] ?? null, on: on('192.0.2.12:80') })])],
  });
  return { ...s, takenAt: clock, directors: s.directors.map((d) => ({ ...d, takenAt: clock, refreshMs: 0 })) };
}

const view: ClusterView = {
  snapshot: (c) => (c === 'lab' ? snapshot() : undefined),
  refreshNow: (c) => {
    clock += 10;
    return Promise.resolve(c === 'lab' ? snapshot() : undefined);
  },
  nextUpdate: () => Promise.resolve(),
  invalidate: () => undefined,
};

function fakeApply(_c: unknown, steps: DirectorSteps[]): Promise<DirectorResult[]> {
  clock += 5;
  return Promise.resolve(
    steps.map((s): DirectorResult => {
      if (s.edits.length === 0) return { director: s.director, status: 'skipped', error: null, verified: [], durationMs: 0 };
      applied.push({ director: s.director, weights: s.edits.map((e) => e.weight) });
      if (failOn.has(s.director)) return { director: s.director, status: 'failed', error: { code: 'connect-refused', message: `${s.director}: connection refused` }, verified: [], durationMs: 1 };
      for (const e of s.edits) (table[s.director] ??= {})[e.realServer] = e.weight;
      return { director: s.director, status: 'ok', error: null, verified: s.edits.map((e) => ({ service: e.service, realServer: e.realServer, expected: e.weight, actual: e.weight, ok: true })), durationMs: 1 };
    }),
  );
}

beforeEach(() => {
  clock = NOW;
  table = { dir1: { '192.0.2.11:80': 100, '192.0.2.12:80': 100 }, dir2: { '192.0.2.11:80': 100, '192.0.2.12:80': 100 } };
  failOn = new Set();
  applied = [];
  db = testDb();
  audit = new AuditLog(db);
  events = new EventStore(db);
  store = new IntentStore(db);
  ({ service: svc, hooks } = createDrain({ config, store, audit, events, pool: undefined as unknown as SshPool, clusters: () => view, now: () => clock, apply: fakeApply }));
});

describe('DrainService', () => {
  it('two operators draining the same server at once end with one intent, and both see it', async () => {
    const [a, b] = await Promise.all([
      svc.drain('lab', { target: '192.0.2.11:80', reason: 'first' }, WHO),
      svc.drain('lab', { target: '192.0.2.11:80', reason: 'second' }, { ...WHO, name: 'bob' }),
    ]);
    expect(a.outcome).toBe('ok');
    expect(b.outcome).toBe('ok');
    expect(a.intents[0]?.id).toBe(b.intents[0]?.id);
    expect([a.alreadyHeld, b.alreadyHeld]).toEqual([false, true]);
    expect(store.open('lab')).toHaveLength(1);
    expect(table).toMatchObject({ dir1: { '192.0.2.11:80': 0 }, dir2: { '192.0.2.11:80': 0 } });
    const entries = audit.list({ action: 'drain' }).filter((e) => e.outcome !== 'attempted');
    expect(entries.map((e) => [e.actor, e.outcome])).toEqual([
      ['bob', 'ok'],
      ['alice', 'ok'],
    ]);
    expect((entries[1]?.detail as { directors: DirectorResult[] }).directors.map((d) => [d.director, d.status])).toEqual([
      ['dir1', 'ok'],
      ['dir2', 'ok'],
    ]);
  });

  it('refuses the last serving server with a 409 that carries the plan, audited, nothing recorded', async () => {
    await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x' }, WHO);
    const e = await svc.drain('lab', { target: '192.0.2.12:80', reason: 'y' }, WHO).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('conflict');
    expect((e as DomainError).details).toMatchObject({ refusals: [expect.stringContaining('no serving real server left')] });
    expect(store.open('lab')).toHaveLength(1);
    // The refused drain changed nothing, so it has no attempted row.
    expect(audit.list({ action: 'drain' }).map((x) => x.outcome)).toEqual(['refused', 'ok', 'attempted']);
    const forced = await svc.drain('lab', { target: '192.0.2.12:80', reason: 'y', force: true }, WHO);
    expect(forced.outcome).toBe('ok');
  });

  it('a partial failure keeps the intent; the reconciler completes it on fresh data, with an audit entry and an event', async () => {
    failOn.add('dir2');
    const r = await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x' }, WHO);
    expect(r.outcome).toBe('partial');
    expect(r.message).toMatch(/failed on dir2: dir2: connection refused — the intent is recorded/);
    expect(store.open('lab')).toHaveLength(1);

    // Backing off right after the failure; once dir2 answers and the backoff passed, it is repaired.
    failOn.clear();
    applied = [];
    await hooks.onTick(snapshot());
    expect(applied).toEqual([]);
    clock += 10_000;
    await hooks.onTick(snapshot());
    expect(applied).toEqual([{ director: 'dir2', weights: [0] }]);
    expect(table.dir2?.['192.0.2.11:80']).toBe(0);
    const repair = audit.list({ action: 'drift-repair' });
    expect(repair.map((e) => [e.actor, e.outcome])).toEqual([
      ['system', 'ok'],
      ['system', 'attempted'],
    ]);
    const ev = events.query({ cluster: 'lab', from: 0, to: clock + 1, kinds: ['drift-repair'] }).events;
    expect(ev.map((e) => [e.director, e.fromState, e.toState])).toEqual([['dir2', '100', '0']]);

    // Held: no further repair while the table agrees; a flap (keepalived re-adds at 100) is repaired again.
    applied = [];
    clock += 10_000;
    await hooks.onTick(snapshot());
    expect(applied).toEqual([]);
    table.dir1 = { ...table.dir1, '192.0.2.11:80': 100 };
    clock += 10_000;
    await hooks.onTick(snapshot());
    expect(applied).toEqual([{ director: 'dir1', weights: [0] }]);
  });

  it('restore puts back the weight from before and ends the intent; a lease restores on its own', async () => {
    await svc.setWeight('lab', { target: '192.0.2.11:80', weight: 30, reason: 'canary' }, WHO);
    await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x', expiresInMinutes: 5 }, WHO);
    expect(store.open('lab')[0]).toMatchObject({ kind: 'drain', restoreWeight: 100, onExpiry: 'restore' });
    clock += 6 * 60_000;
    await hooks.onTick(snapshot());
    expect(store.open('lab')).toEqual([]);
    expect(table).toMatchObject({ dir1: { '192.0.2.11:80': 100 }, dir2: { '192.0.2.11:80': 100 } });
    expect(audit.list({ action: 'restore' })[0]).toMatchObject({ actor: 'system', outcome: 'ok' });

    await svc.drain('lab', { target: '192.0.2.11', reason: 'x' }, WHO);
    const back = await svc.restore('lab', { target: '192.0.2.11' }, WHO);
    expect(back.outcome).toBe('ok');
    expect(back.intents.map((i) => i.endedBy)).toEqual(['alice']);
    expect(table.dir2?.['192.0.2.11:80']).toBe(100);
  });

  it('writes an attempted row before the change and completes it with the outcome row, which names it', async () => {
    let rowsWhenApplied = -1;
    ({ service: svc, hooks } = createDrain({
      config, store, audit, events, pool: undefined as unknown as SshPool, clusters: () => view, now: () => clock,
      apply: (c, steps) => {
        rowsWhenApplied = audit.list().length;
        return fakeApply(c, steps);
      },
    }));
    const r = await svc.drain('lab', { target: '192.0.2.11:80', reason: 'patching', ticket: 'OPS-1' }, WHO);
    const [outcome, attempt] = audit.list();
    expect(rowsWhenApplied).toBe(1); // the attempt was stored before anything was sent
    expect(attempt).toMatchObject({ outcome: 'attempted', action: 'drain', actor: 'alice', target: '192.0.2.11:80', attemptId: null, outcomeId: outcome?.id });
    expect(attempt?.detail).toMatchObject({ reason: 'patching', ticket: 'OPS-1', weight: 0 });
    expect(outcome).toMatchObject({ outcome: 'ok', action: 'drain', actor: 'alice', attemptId: attempt?.id, outcomeId: null });
    expect(Number(outcome?.id)).toBeGreaterThan(Number(attempt?.id));
    expect(r.auditId).toBe(outcome?.id);
    expect(audit.verify()).toMatchObject({ ok: true, count: 2, unfinished: [] });
  });

  describe('when the audit log cannot be written', () => {
    const breakAudit = () => execDdl(db, "CREATE TRIGGER audit_full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    const mendAudit = () => db.exec(dropTrigger(db, 'audit_full', 'audit'));
    let logged: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
      logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    });
    afterEach(() => {
      expect(logged).toHaveBeenCalled(); // each case here must leave its failure in the server log
      logged.mockRestore();
    });

    it('drain, weight and restore are refused with 503; nothing is sent to the directors or recorded', async () => {
      breakAudit();
      for (const act of [
        () => svc.drain('lab', { target: '192.0.2.11:80', reason: 'x' }, WHO),
        () => svc.setWeight('lab', { target: '192.0.2.11:80', weight: 5, reason: 'x' }, WHO),
      ]) {
        const e = await act().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(DomainError);
        expect(e).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^the audit log cannot be written \(database or disk is full\): nothing was changed$/) as unknown });
      }
      expect(applied).toEqual([]);
      expect(store.open('lab')).toEqual([]);
      expect(table.dir1?.['192.0.2.11:80']).toBe(100);

      mendAudit();
      await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x' }, WHO);
      applied = [];
      breakAudit();
      await expect(svc.restore('lab', { target: '192.0.2.11:80' }, WHO)).rejects.toMatchObject({ kind: 'unavailable' });
      expect(applied).toEqual([]);
      expect(store.open('lab')).toHaveLength(1); // still held
      expect(table).toMatchObject({ dir1: { '192.0.2.11:80': 0 }, dir2: { '192.0.2.11:80': 0 } });
    });

    it('the reconciler neither repairs drift nor restores an expired lease until it can audit', async () => {
      await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x', expiresInMinutes: 5 }, WHO);
      table.dir2 = { ...table.dir2, '192.0.2.11:80': 100 }; // drifted
      applied = [];
      breakAudit();
      clock += 10_000;
      await hooks.onTick(snapshot());
      expect(applied).toEqual([]);
      clock += 6 * 60_000; // and the lease has expired
      await hooks.onTick(snapshot());
      expect(applied).toEqual([]);
      expect(store.open('lab')).toHaveLength(1);
      mendAudit();
      await hooks.onTick(snapshot());
      expect(store.open('lab')).toEqual([]);
      expect(table).toMatchObject({ dir1: { '192.0.2.11:80': 100 }, dir2: { '192.0.2.11:80': 100 } });
      expect(audit.list({ action: 'restore' }).map((e) => [e.actor, e.outcome])).toEqual([
        ['system', 'ok'],
        ['system', 'attempted'],
      ]);
    });

    it('an outcome that cannot be written leaves the attempt without one, reported as such', async () => {
      ({ service: svc, hooks } = createDrain({
        config, store, audit, events, pool: undefined as unknown as SshPool, clusters: () => view, now: () => clock,
        apply: (c, steps) => {
          breakAudit(); // the database fails while the directors are being changed
          return fakeApply(c, steps);
        },
      }));
      const r = await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x' }, WHO);
      expect(r.outcome).toBe('ok'); // the change was made: the answer says so
      mendAudit();
      expect(audit.list().map((e) => [e.id, e.outcome, e.outcomeId])).toEqual([['1', 'attempted', null]]);
      expect(r.auditId).toBe('1');
      expect(audit.verify()).toMatchObject({ ok: true, unfinished: ['1'] });
      expect(String(logged.mock.calls[0]?.[0])).toMatch(/cannot write the outcome \(ok\) of attempt #1 \(drain 192\.0\.2\.11:80\)/);
    });
  });

  it('dry run changes nothing; unknown targets are 404', async () => {
    const d = await svc.drain('lab', { target: '192.0.2.11:80', reason: 'x', dryRun: true }, WHO);
    expect(d.dryRun).toBe(true);
    expect(d.plan.directors[0]?.commands[0]?.display).toBe('sudo -n -- ipvsadm -e -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 0');
    expect(applied).toEqual([]);
    expect(store.open('lab')).toEqual([]);
    await expect(svc.drain('lab', { target: '192.0.2.99', reason: 'x' }, WHO)).rejects.toMatchObject({ kind: 'not-found', message: 'no real server 192.0.2.99 in cluster lab' });
  });
});

describe('createDrain hooks', () => {
  it("the merge hook lays the hold over the collector's snapshot; after close it leaves snapshots as they are", async () => {
    const r = await svc.drain('lab', { target: '192.0.2.11:80', reason: 'patching' }, WHO);
    const held = hooks.augment(snapshot()).services[0]?.realServers.find((x) => x.key === '192.0.2.11:80');
    expect(held?.hold).toMatchObject({ intentId: r.intents[0]?.id, kind: 'drain', weight: 0, actor: 'alice', reason: 'patching' });
    const parts = createDrain({ config, store, audit, events, pool: undefined as unknown as SshPool, clusters: () => view, now: () => clock, apply: fakeApply });
    parts.close();
    const plain = snapshot();
    expect(parts.hooks.augment(plain)).toBe(plain);
  });
});
