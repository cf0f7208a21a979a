import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/client';
import { boardBatches, heldHosts, hostActions, logNewestFirst, rampPlan, refusalsOf, rolloutControls, rolloutProgress, sortRollouts, stepColumn, stepEta } from './board-model';
import { host, rollout, T0 } from './fixtures';

const servers = [
  { service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', restoreWeight: 100 },
  { service: 'TCP 192.0.2.100:8080', realServer: '192.0.2.11:8080', restoreWeight: 1 },
];

describe('boardBatches', () => {
  const r = rollout({
    hosts: [
      host({ host: '192.0.2.11', batch: 1, step: 'done', finishedAt: T0 }),
      host({ host: '192.0.2.12', batch: 2, step: 'deadline', stepStartedAt: T0, connectionsLeft: 3, note: 'waits for Proceed' }),
      host({ host: '192.0.2.13', batch: 2, step: 'skipped' }),
      host({ host: '192.0.2.14', batch: 3, step: 'pending' }),
    ],
  });
  const batches = boardBatches(r, T0 + 1000);

  it('groups hosts by batch in order and marks the batch being worked on', () => {
    expect(batches.map((b) => [b.batch, b.current, b.rows.map((x) => x.host)])).toEqual([
      [1, false, ['192.0.2.11']],
      [2, true, ['192.0.2.12', '192.0.2.13']],
      [3, false, ['192.0.2.14']],
    ]);
  });

  it('gives one cell per step column: passed before the host, current where it is, upcoming after', () => {
    const states = (h: string) => batches.flatMap((b) => b.rows).find((x) => x.host === h)?.cells.map((c) => `${c.column}:${c.state}`);
    expect(states('192.0.2.11')).toEqual(['pending:passed', 'draining:passed', 'maintenance:passed', 'ramping:passed', 'checking:passed', 'done:current']);
    // A passed deadline is shown in the draining column, with the connections left.
    expect(states('192.0.2.12')).toEqual(['pending:passed', 'draining:current', 'maintenance:upcoming', 'ramping:upcoming', 'checking:upcoming', 'done:upcoming']);
    expect(batches[1]?.rows[0]?.connectionsLeft).toBe(3);
    // Skipped: greyed everywhere, said in the done column.
    expect(states('192.0.2.13')).toEqual(['pending:skipped', 'draining:skipped', 'maintenance:skipped', 'ramping:skipped', 'checking:skipped', 'done:current']);
    expect(states('192.0.2.14')?.[0]).toBe('pending:current');
  });

  it('offers Proceed at the deadline and Skip to hosts not finished; nothing once the rollout ended', () => {
    expect(batches.flatMap((b) => b.rows).map((x) => x.actions)).toEqual([[], ['proceed', 'skip'], [], ['skip']]);
    expect(boardBatches({ ...r, state: 'aborted' }, T0).flatMap((b) => b.rows.flatMap((x) => x.actions))).toEqual([]);
  });

  it('says how far up the ramp a host is', () => {
    const [b] = boardBatches(rollout({ hosts: [host({ host: 'a', step: 'ramping', rampIndex: 1, rampAt: T0, stepStartedAt: T0 })] }), T0);
    expect(b?.rows[0]?.ramp).toEqual({ step: 2, of: 4, pct: 25 });
  });
});

describe('stepColumn', () => {
  it.each([
    ['deadline', 'draining'],
    ['skipped', 'done'],
    ['maintenance', 'maintenance'],
  ] as const)('%s is shown in %s', (step, column) => expect(stepColumn(step)).toBe(column));
});

describe('stepEta', () => {
  const now = T0 + 10_000;
  const base = rollout();
  it.each([
    ['draining: the deadline left', host({ host: 'a', step: 'draining', stepStartedAt: T0 }), base, { what: 'deadline in', ms: 890_000 }],
    [
      'maintenance on a timer: the seconds left',
      host({ host: 'a', step: 'maintenance', stepStartedAt: T0 }),
      rollout({ options: { ...base.options, maintenance: 'timer', maintenanceSeconds: 60 } }),
      { what: 'maintenance ends in', ms: 50_000 },
    ],
    ['maintenance by hand: none', host({ host: 'a', step: 'maintenance', stepStartedAt: T0 }), base, null],
    ['ramping before the first step: every wait', host({ host: 'a', step: 'ramping', stepStartedAt: now }), base, { what: 'ramp ends in about', ms: 6000 }],
    [
      'ramping after step 2 of 4 verified 1 s ago: 1 s to the next, then one more wait',
      host({ host: 'a', step: 'ramping', stepStartedAt: T0, rampIndex: 1, rampAt: now - 1000 }),
      base,
      { what: 'ramp ends in about', ms: 3000 },
    ],
    ['ramping at 100 %: nothing left', host({ host: 'a', step: 'ramping', stepStartedAt: T0, rampIndex: 3, rampAt: T0 }), base, { what: 'ramp ends in about', ms: 0 }],
    ['checking: until it gives up', host({ host: 'a', step: 'checking', stepStartedAt: T0 }), base, { what: 'check gives up in', ms: 50_000 }],
    ['a deadline waits for an operator', host({ host: 'a', step: 'deadline', stepStartedAt: T0 }), base, null],
    ['a paused rollout has no ETA', host({ host: 'a', step: 'draining', stepStartedAt: T0 }), rollout({ state: 'paused' }), null],
  ])('%s', (_what, h, r, eta) => expect(stepEta(r, h, now)).toEqual(eta));

  it('is never negative, and unknown before the clock ticks', () => {
    expect(stepEta(base, host({ host: 'a', step: 'draining', stepStartedAt: T0 }), T0 + 10_000_000)?.ms).toBe(0);
    expect(stepEta(base, host({ host: 'a', step: 'draining', stepStartedAt: T0 }), 0)).toBeNull();
  });
});

describe('hostActions and rolloutControls', () => {
  it('offers Maintenance done to a host in maintenance, while running or paused', () => {
    expect(hostActions({ state: 'running' }, { step: 'maintenance' })).toEqual(['done', 'skip']);
    expect(hostActions({ state: 'paused' }, { step: 'maintenance' })).toEqual(['done', 'skip']);
    expect(hostActions({ state: 'done' }, { step: 'maintenance' })).toEqual([]);
  });

  it.each([
    ['running', true, ['pause', 'abort']],
    ['paused', true, ['resume', 'abort']],
    ['aborted', true, ['restore-all']],
    ['aborted', false, []],
    ['done', true, ['restore-all']],
    ['done', false, []],
  ] as const)('%s, a host still held %s: %j', (state, held, controls) =>
    expect(rolloutControls(rollout({ state, hosts: [host({ host: '192.0.2.11', step: held ? 'maintenance' : 'done', servers })] }))).toEqual(controls),
  );
});

describe('heldHosts', () => {
  it('names the hosts the rollout drained and did not give back: not pending, not done, not skipped at 100 %', () => {
    const r = rollout({
      hosts: [
        host({ host: 'pending', servers }),
        host({ host: 'maintenance', step: 'maintenance', servers }),
        host({ host: 'done', step: 'done', servers, rampIndex: 3 }),
        host({ host: 'skipped-drained', step: 'skipped', servers }),
        host({ host: 'skipped-at-100', step: 'skipped', servers, rampIndex: 3 }),
        host({ host: 'draining-nothing-recorded', step: 'draining' }),
      ],
    });
    expect(heldHosts(r).map((h) => h.host)).toEqual(['maintenance', 'skipped-drained']);
  });
});

describe('rampPlan', () => {
  it("gives each server's weight at every ramp step (at least 1), the verified ones reached", () => {
    const plan = rampPlan(rollout({ hosts: [host({ host: '192.0.2.11', step: 'ramping', servers, rampIndex: 1 })] }));
    expect(plan.map((s) => [s.realServer, s.steps.map((x) => `${x.pct}:${x.weight}:${x.reached ? 'y' : 'n'}`)])).toEqual([
      ['192.0.2.11:80', ['10:10:y', '25:25:y', '50:50:n', '100:100:n']],
      ['192.0.2.11:8080', ['10:1:y', '25:1:y', '50:1:n', '100:1:n']],
    ]);
  });
});

describe('lists and log', () => {
  it('puts the log newest first without touching the original', () => {
    const log = [
      { at: T0, host: null, text: 'started' },
      { at: T0 + 1, host: 'a', text: 'draining' },
    ];
    expect(logNewestFirst(log).map((l) => l.text)).toEqual(['draining', 'started']);
    expect(log[0]?.text).toBe('started');
  });

  it('counts hosts done and skipped', () => {
    expect(rolloutProgress(rollout({ hosts: [host({ host: 'a', step: 'done' }), host({ host: 'b', step: 'skipped' }), host({ host: 'c' })] }))).toEqual({ done: 1, skipped: 1, total: 3 });
  });

  it('sorts active rollouts first (newest first), then the ended ones by when they ended', () => {
    const rs = [
      rollout({ id: '1', state: 'done', endedAt: T0 + 10 }),
      rollout({ id: '2', state: 'running', createdAt: T0 }),
      rollout({ id: '3', state: 'aborted', endedAt: T0 + 20 }),
      rollout({ id: '4', state: 'paused', createdAt: T0 + 5 }),
    ];
    const { active, recent } = sortRollouts(rs);
    expect(active.map((r) => r.id)).toEqual(['4', '2']);
    expect(recent.map((r) => r.id)).toEqual(['3', '1']);
  });
});

describe('refusalsOf', () => {
  it("reads a 409's details.refusals verbatim, and nothing from any other error", () => {
    const refusals = ['TCP 192.0.2.100:80 would keep 1 of 2 real servers (50 % of its weight), under the floor of 60 %'];
    expect(refusalsOf(new ApiError(409, 'refused', 'refused', { details: { refusals } }))).toEqual(refusals);
    expect(refusalsOf(new ApiError(409, 'conflict', 'another rollout', { details: { other: 1 } }))).toEqual([]);
    expect(refusalsOf(new ApiError(422, 'invalid', 'bad', { details: { refusals } }))).toEqual([]);
    expect(refusalsOf(new Error('x'))).toEqual([]);
  });
});
