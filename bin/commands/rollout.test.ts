import { describe, expect, it } from 'vitest';
import { Rollout, RolloutActionResult, RolloutList, RolloutStartResult, type RolloutHost } from '@/lib/models/rollout';
import { UsageError } from './command';
import { processDeps } from './console-api';
import { runVerb } from './drain';
import { main } from './main';
import { parseRolloutArgs, rolloutCommand, runRollout } from './rollout';
import { parseRamp } from './rollout-watch';
import { fakeConsole } from './testing/fake-console';

// lvsctl rollout and restore --ramp against a fake console (the rollouts themselves are
// server/rollout/'s): the requests made, what is printed, and the exit code for each answer. Every
// canned answer is parsed with the API's schemas first, so a drift of the contract fails here.

const NOW = Date.UTC(2026, 11, 6, 23, 0, 0);
const BASE = 'http://console.test:3999';
const LIST = '/api/clusters/lab/rollouts';
const ONE = '/api/clusters/lab/rollouts/r1';

const host = (address: string, batch: number, over: Partial<RolloutHost> = {}): RolloutHost => ({
  host: address, batch, step: 'pending', stepStartedAt: null,
  servers: [{ service: 'TCP 192.0.2.100:80', realServer: `${address}:80`, restoreWeight: 100 }],
  rampIndex: -1, rampAt: null, connsAtCheck: null, note: null, connectionsLeft: null, finishedAt: null, ...over,
});

const rollout = (over: Partial<Rollout> = {}): Rollout =>
  Rollout.parse({
    id: 'r1', cluster: 'lab', kind: 'rollout', state: 'running', stopped: null,
    hosts: [host('192.0.2.11', 1), host('192.0.2.12', 2)],
    options: { batchSize: 1, drainDeadlineSeconds: 900, onDeadline: 'wait', maintenance: 'manual', maintenanceSeconds: null, ramp: [10, 25, 50, 100], stepSeconds: 30, checkSeconds: 120, checkNewConnections: true },
    actor: 'token:ci', reason: 'kernel 6.1', ticket: 'OPS-1', createdAt: NOW, updatedAt: NOW, endedAt: null, endedBy: null,
    status: 'draining 192.0.2.11', log: [], ...over,
  });

const started = (r: Rollout | null, over: Partial<RolloutStartResult> = {}): RolloutStartResult =>
  RolloutStartResult.parse({ rollout: r, dryRun: r === null, message: r ? 'rollout r1 started: 2 hosts in 2 batches' : 'would start: 2 hosts in 2 batches', batches: [['192.0.2.11'], ['192.0.2.12']], refusals: [], warnings: [], auditId: '7', ...over });

const acted = (r: Rollout, message: string): RolloutActionResult => RolloutActionResult.parse({ rollout: r, message, auditId: '8' });

const fake = fakeConsole();
/** The process's deps, without the 2 s between polls. */
const deps = () => ({ ...processDeps(), now: () => NOW + 65_000, sleep: () => Promise.resolve() });
const run = (argv: string[]) => runRollout(argv, deps());

const START = ['start', '--cluster', 'lab', '--hosts', '192.0.2.11, 192.0.2.12', '--reason', 'kernel 6.1'];

describe('lvsctl rollout arguments', () => {
  it('start: the request as given (the console fills the defaults), checked with the API schema', () => {
    expect(parseRolloutArgs([...START, '--ticket', 'OPS-1', '--batch-percent', '50', '--deadline', '600', '--on-deadline', 'proceed', '--maintenance', 'timer', '--maintenance-seconds', '300', '--ramp', '20,100', '--step-seconds', '10', '--check-seconds', '60', '--no-check-connections', '--dry-run', '--wait'])).toMatchObject({
      verb: 'start', cluster: 'lab', wait: true,
      request: { kind: 'rollout', hosts: ['192.0.2.11', '192.0.2.12'], reason: 'kernel 6.1', ticket: 'OPS-1', batchPercent: 50, drainDeadlineSeconds: 600, onDeadline: 'proceed', maintenance: 'timer', maintenanceSeconds: 300, ramp: [20, 100], stepSeconds: 10, checkSeconds: 60, checkNewConnections: false, dryRun: true },
    });
    expect(parseRolloutArgs([...START, '--batch', '2']).request).toEqual({ kind: 'rollout', hosts: ['192.0.2.11', '192.0.2.12'], reason: 'kernel 6.1', batchSize: 2 });
    expect(parseRolloutArgs(['done', '--cluster', 'lab', '--id', 'r1', '--host', '2001:DB8::11', '--wait'])).toMatchObject({ verb: 'done', id: 'r1', host: '2001:db8::11', wait: true });
    expect(parseRolloutArgs(['proceed', '--cluster', 'lab', '--id', 'r1'])).toMatchObject({ verb: 'proceed', id: 'r1' });
    expect(parseRamp('10, 25,50,100')).toEqual([10, 25, 50, 100]);
  });

  it.each([
    [[...START, '--batch', '0'], '--batch: batch size must be at least 1'],
    [[...START, '--ramp', '10,x'], '--ramp needs whole percentages separated by commas'],
    [[...START, '--ramp', '10,25,50'], '--ramp: the last ramp step must be 100'],
    [[...START, '--ramp', '50,25,100'], '--ramp: ramp steps must go up'],
    [[...START, '--batch', '1', '--batch-percent', '50'], 'give --batch N or --batch-percent P, not both'],
    [[...START, '--on-deadline', 'later'], '--on-deadline must be wait or proceed'],
    [[...START, '--maintenance', 'timer'], '--maintenance timer needs --maintenance-seconds S'],
    [[...START, '--hosts', '192.0.2.11:80'], '--hosts takes host addresses'],
    [[...START, '--step-seconds', 'soon'], '--step-seconds needs a whole number'],
    [['start', '--cluster', 'lab', '--hosts', '192.0.2.11'], '--reason: reason is required'],
    [['start', '--cluster', 'lab', '--reason', 'x'], '--hosts ADDR[,ADDR...] is required'],
    [['status', '--hosts', '192.0.2.11'], '--cluster C is required'],
    [['status', '--cluster', 'lab', '--host', '192.0.2.11'], '--host is not for rollout status'],
    [['pause', '--cluster', 'lab'], '--id ID is required'],
    [['pause', '--cluster', 'lab', '--id', 'r1', '--wait'], '--wait is not for rollout pause'],
    [['skip', '--cluster', 'lab', '--id', 'r1'], '--host ADDR is required'],
    [['reboot', '--cluster', 'lab'], 'expected start, status, done, pause, resume, abort, skip, proceed or restore-all, got "reboot"'],
  ])('%j -> %s', (argv, message) => {
    expect(() => parseRolloutArgs(argv)).toThrow(UsageError);
    expect(() => parseRolloutArgs(argv)).toThrow(message);
  });
});

describe('lvsctl rollout', () => {
  it.each(['start', 'status', 'done', 'pause', 'resume', 'abort', 'skip', 'proceed', 'restore-all'])('rollout %s --help: its usage, exit 0', async (verb) => {
    let out = '';
    expect(await main(['rollout', verb, '--help'], { out: (s) => void (out += s), err: () => undefined })).toBe(0);
    expect(out).toMatch(new RegExp(`^usage: lvsctl rollout ${verb} --cluster C`));
    expect(rolloutCommand.subcommands?.map((s) => s.name)).toContain(verb);
  });

  it('bad input: exit 2 with the message and the usage, and no request made', async () => {
    fake.answer({});
    expect(await run([...START, '--ramp', '10,x'])).toBe(2);
    expect(await run([...START, '--batch', '0'])).toBe(2);
    expect(fake.seen).toEqual([]);
    expect(fake.stderr).toContain('lvsctl rollout start: --ramp needs whole percentages separated by commas, going up to 100 (e.g. 10,25,50,100), got "10,x"\n\nusage: lvsctl rollout start ');
    expect(fake.stderr).toContain('lvsctl rollout start: --batch: batch size must be at least 1');
  });

  it('start: POSTs the request, prints the batches and the id', async () => {
    fake.answer({ [`POST ${LIST}`]: [{ status: 201, body: started(rollout()) }] });
    expect(await run([...START, '--ticket', 'OPS-1'])).toBe(0);
    expect(fake.seen).toEqual([{ method: 'POST', url: `${BASE}${LIST}`, auth: 'Bearer lvs_test', body: { kind: 'rollout', hosts: ['192.0.2.11', '192.0.2.12'], reason: 'kernel 6.1', ticket: 'OPS-1' } }]);
    expect(fake.stdout).toBe(
      [
        'lab: rollout r1 started — rollout r1 started: 2 hosts in 2 batches',
        '  batch 1: 192.0.2.11',
        '  batch 2: 192.0.2.12',
        '  follow it: lvsctl rollout status --cluster lab --id r1',
        '',
      ].join('\n'),
    );
  });

  it('start --callback: asks for a callback and prints its secret once, with the curl line', async () => {
    const secret = 'A'.repeat(43);
    fake.answer({ [`POST ${LIST}`]: [{ status: 201, body: { ...started(rollout()), callback: { path: '/api/clusters/lab/rollouts/r1/callback', header: 'x-rollout-secret', secret } } }] });
    expect(await run([...START, '--callback'])).toBe(0);
    expect(fake.seen[0]?.body).toMatchObject({ callback: true });
    expect(fake.stdout).toContain(`callback secret (shown once; keep it in the pipeline's secrets): ${secret}`);
    expect(fake.stdout).toContain(`curl -fsS -X POST -H 'x-rollout-secret: <secret>' -H 'content-type: application/json' -d '{"host":"ADDR"}' CONSOLE_URL/api/clusters/lab/rollouts/r1/callback`);
  });

  it('start: a refusal (409) prints the refusals and exits 3; a dry run with refusals exits 3 too', async () => {
    const refusals = ['TCP 192.0.2.100:80: 1 of 2 real servers would serve (floor 2)'];
    fake.answer({ [`POST ${LIST}`]: [{ status: 409, body: { error: { code: 'conflict', message: 'refused by the capacity floor', details: { refusals } } } }] });
    expect(await run(START)).toBe(3);
    expect(fake.stderr).toBe(`lvsctl rollout start: refused by the capacity floor\n  refused: ${refusals[0]}\n`);

    fake.answer({ [`POST ${LIST}`]: [{ status: 200, body: started(null, { refusals }) }] });
    fake.stdout = '';
    expect(await run([...START, '--dry-run'])).toBe(3);
    expect(fake.seen[1]?.body).toMatchObject({ dryRun: true });
    expect(fake.stdout).toContain('lab: rollout (dry run) — would start');
    expect(fake.stdout).toContain(`  refused: ${refusals[0]}`);
  });

  it('start --wait: prints each step as it changes and stops when a host waits for its maintenance', async () => {
    const r0 = rollout();
    const r1 = rollout({ hosts: [host('192.0.2.11', 1, { step: 'draining', stepStartedAt: NOW, note: '3 connections left' }), host('192.0.2.12', 2)] });
    const r2 = rollout({ hosts: [host('192.0.2.11', 1, { step: 'maintenance', stepStartedAt: NOW, note: 'waiting for done' }), host('192.0.2.12', 2)] });
    fake.answer({ [`POST ${LIST}`]: [{ status: 201, body: started(r0) }], [`GET ${ONE}`]: [{ status: 200, body: r1 }, { status: 200, body: r1 }, { status: 200, body: r2 }] });
    expect(await run([...START, '--wait'])).toBe(0);
    expect(fake.seen.map((s) => s.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
    expect(fake.stdout).toContain(
      [
        'lab: rollout r1: 192.0.2.11: draining — 3 connections left',
        'lab: rollout r1: 192.0.2.11: maintenance — waiting for done',
        'waiting for maintenance of 192.0.2.11: run `lvsctl rollout done --cluster lab --id r1 --host 192.0.2.11` when finished',
        '',
      ].join('\n'),
    );
  });

  it('done --wait: goes on past the host just finished, prints the ramp steps; a pause stops it (exit 1, why)', async () => {
    const inMaint = rollout({ hosts: [host('192.0.2.11', 1, { step: 'maintenance' }), host('192.0.2.12', 2)] });
    const ramping = (i: number) => rollout({ hosts: [host('192.0.2.11', 1, { step: 'ramping', rampIndex: i }), host('192.0.2.12', 2)] });
    const stopped = rollout({ state: 'paused', stopped: 'the check failed: 192.0.2.11:80 is down on dir2', hosts: [host('192.0.2.11', 1, { step: 'checking' }), host('192.0.2.12', 2)] });
    fake.answer({ [`POST ${ONE}`]: [{ status: 200, body: acted(inMaint, 'maintenance of 192.0.2.11 done') }], [`GET ${ONE}`]: [ramping(0), ramping(1), stopped].map((body) => ({ status: 200, body })) });
    expect(await run(['done', '--cluster', 'lab', '--id', 'r1', '--host', '192.0.2.11', '--wait'])).toBe(1);
    expect(fake.seen[0]).toMatchObject({ method: 'POST', body: { action: 'done', host: '192.0.2.11' } });
    expect(fake.stdout).toBe(
      [
        'lab: rollout r1: done — maintenance of 192.0.2.11 done',
        'lab: rollout r1: 192.0.2.11: ramping 10 %',
        'lab: rollout r1: 192.0.2.11: ramping 25 %',
        'lab: rollout r1: 192.0.2.11: checking',
        'lab: rollout r1: stopped: the check failed: 192.0.2.11:80 is down on dir2',
        '',
      ].join('\n'),
    );
  });

  it('resume --wait --json: the final rollout as JSON; done exits 0', async () => {
    const done = rollout({ state: 'done', status: 'done: 2 hosts', hosts: [host('192.0.2.11', 1, { step: 'done' }), host('192.0.2.12', 2, { step: 'done' })] });
    fake.answer({ [`POST ${ONE}`]: [{ status: 200, body: acted(rollout(), 'resumed') }], [`GET ${ONE}`]: [{ status: 200, body: done }] });
    expect(await run(['resume', '--cluster', 'lab', '--id', 'r1', '--wait', '--json'])).toBe(0);
    expect(Rollout.parse(JSON.parse(fake.stdout))).toEqual(done);
  });

  it('actions: the body, the message; an unknown rollout exits 2, not allowed 5', async () => {
    fake.answer({ [`POST ${ONE}`]: [{ status: 200, body: acted(rollout({ state: 'paused' }), 'paused') }] });
    expect(await run(['pause', '--cluster', 'lab', '--id', 'r1', '--reason', 'lunch'])).toBe(0);
    expect(fake.seen[0]?.body).toEqual({ action: 'pause', reason: 'lunch' });
    expect(fake.stdout).toBe('lab: rollout r1: pause — paused\n  paused: draining 192.0.2.11\n');

    fake.answer({ ['POST /api/clusters/lab/rollouts/r9']: [{ status: 404, body: { error: { code: 'not-found', message: 'no rollout r9 in cluster lab' } } }] });
    expect(await run(['abort', '--cluster', 'lab', '--id', 'r9'])).toBe(2);
    expect(fake.stderr).toBe('lvsctl rollout abort: no rollout r9 in cluster lab\n');
    fake.answer({ [`POST ${ONE}`]: [{ status: 403, body: { error: { code: 'forbidden', message: 'operator role required' } } }] });
    expect(await run(['restore-all', '--cluster', 'lab', '--id', 'r1'])).toBe(5);
  });

  it('status: the list, with each host step', async () => {
    const l = RolloutList.parse({ cluster: 'lab', rollouts: [rollout({ hosts: [host('192.0.2.11', 1, { step: 'maintenance' }), host('192.0.2.12', 2)], status: 'waiting for the maintenance of 192.0.2.11' })] });
    fake.answer({ [`GET ${LIST}`]: [{ status: 200, body: l }, { status: 200, body: { cluster: 'lab', rollouts: [] } }] });
    expect(await run(['status', '--cluster', 'lab', '--all'])).toBe(0);
    expect(fake.seen[0]?.url).toBe(`${BASE}${LIST}?all=1`);
    expect(fake.stdout).toBe(
      [
        'lab: rollout r1  running  batch 1 of 2  by token:ci: kernel 6.1 (OPS-1), 2026-12-06T23:00:00.000Z',
        '  192.0.2.11 maintenance, 192.0.2.12 pending',
        '  waiting for the maintenance of 192.0.2.11',
        '',
      ].join('\n'),
    );
    fake.stdout = '';
    expect(await run(['status', '--cluster', 'lab'])).toBe(0);
    expect(fake.stdout).toBe('lab: no active rollouts (--all lists the last 50 as well)\n');
  });

  it('status --id: hosts × step with notes, why it stopped, the last 10 log lines', async () => {
    const r = rollout({
      state: 'paused',
      stopped: 'refused by the capacity floor: TCP 192.0.2.100:80 would keep 1 of 3',
      hosts: [host('192.0.2.11', 1, { step: 'done', stepStartedAt: NOW }), host('192.0.2.12', 2, { step: 'deadline', stepStartedAt: NOW - 125_000, connectionsLeft: 4, note: 'run proceed or wait' })],
      log: Array.from({ length: 12 }, (_, i) => ({ at: NOW + i * 1000, host: i % 2 ? '192.0.2.11' : null, text: `line ${i}` })),
    });
    fake.answer({ [`GET ${ONE}`]: [{ status: 200, body: r }] });
    expect(await run(['status', '--cluster', 'lab', '--id', 'r1'])).toBe(0);
    const out = fake.stdout.split('\n');
    expect(out.slice(0, 9)).toEqual([
      'lab: rollout r1: paused, batch 2 of 2 — draining 192.0.2.11',
      '  by token:ci: kernel 6.1 (OPS-1), 2026-12-06T23:00:00.000Z',
      '  batches of 1; drain deadline 900 s, then wait for proceed; maintenance until done; ramp 10,25,50,100 % every 30 s; check 120 s with new connections',
      '  stopped: refused by the capacity floor: TCP 192.0.2.100:80 would keep 1 of 3',
      '',
      '  BATCH  HOST        STEP                           SINCE       NOTE',
      '  1      192.0.2.11  done                           1 min 5 s',
      '  2      192.0.2.12  deadline (4 connections left)  3 min 10 s  run proceed or wait',
      '',
    ]);
    expect(out[9]).toBe('  log (last 10 of 12):');
    expect(out[10]).toBe('    2026-12-06T23:00:02.000Z  line 2');
    expect(out[19]).toBe('    2026-12-06T23:00:11.000Z  192.0.2.11: line 11');
  });
});

describe('lvsctl restore --ramp', () => {
  const restore = (argv: string[]) => runVerb('restore', argv, deps());

  it('starts a rollout of kind ramp for the host and waits until it is done, printing each step', async () => {
    const ramp = (over: Partial<Rollout>) => rollout({ kind: 'ramp', hosts: [host('192.0.2.11', 1, { step: 'ramping', rampIndex: -1 })], options: { ...rollout().options, ramp: [20, 100], stepSeconds: 5 }, ...over });
    const step = (i: number, s: RolloutHost['step'] = 'ramping') => ramp({ hosts: [host('192.0.2.11', 1, { step: s, rampIndex: i })] });
    fake.answer({
      [`POST ${LIST}`]: [{ status: 201, body: started(ramp({}), { batches: [['192.0.2.11']], message: 'ramp r1 started' }) }],
      [`GET ${ONE}`]: [step(0), step(1), step(1, 'checking'), { ...step(1, 'done'), state: 'done', status: 'done: 192.0.2.11 restored' }].map((body) => ({ status: 200, body })),
    });
    expect(await restore(['--cluster', 'lab', '--host', '192.0.2.11', '--ramp', '20,100', '--step-seconds', '5'])).toBe(0);
    expect(fake.seen[0]).toMatchObject({ method: 'POST', url: `${BASE}${LIST}`, body: { kind: 'ramp', hosts: ['192.0.2.11'], reason: 'restore in steps', ramp: [20, 100], stepSeconds: 5 } });
    expect(fake.seen.filter((s) => s.url.endsWith('/restore'))).toEqual([]);
    expect(fake.stdout).toBe(
      [
        'lab: restore 192.0.2.11 in steps of 20,100 % every 5 s (rollout r1) — ramp r1 started',
        'lab: rollout r1: 192.0.2.11: ramping',
        'lab: rollout r1: 192.0.2.11: ramping 20 %',
        'lab: rollout r1: 192.0.2.11: ramping 100 %',
        'lab: rollout r1: 192.0.2.11: checking',
        'lab: rollout r1: 192.0.2.11: done',
        'lab: rollout r1: done — done: 192.0.2.11 restored',
        '',
      ].join('\n'),
    );
  });

  it('a reason is passed on; the default step is 30 s', async () => {
    fake.answer({ [`POST ${LIST}`]: [{ status: 409, body: { error: { code: 'conflict', message: '192.0.2.11 is already in rollout r0', details: { refusals: ['192.0.2.11 is in rollout r0'] } } } }] });
    expect(await restore(['--cluster', 'lab', '--host', '192.0.2.11', '--ramp', '10,25,50,100', '--reason', 'patched'])).toBe(3);
    expect(fake.seen[0]?.body).toEqual({ kind: 'ramp', hosts: ['192.0.2.11'], reason: 'patched', ramp: [10, 25, 50, 100], stepSeconds: 30 });
    expect(fake.stderr).toBe('lvsctl restore: lab: 192.0.2.11 is already in rollout r0\n  refused: 192.0.2.11 is in rollout r0\n');
  });

  it.each([
    [['--cluster', 'lab', '--host', '192.0.2.11', '--service', '192.0.2.100:80', '--ramp', '10,100'], 'it does not take --service'],
    [['--all-clusters', '--host', '192.0.2.11', '--ramp', '10,100'], '--ramp needs one cluster'],
    [['--cluster', 'lab', '--host', '192.0.2.11:80', '--ramp', '10,100'], 'give --host ADDR, without a port'],
    [['--cluster', 'lab', '--host', '192.0.2.11', '--ramp', '10,50'], '--ramp: the last ramp step must be 100'],
    [['--cluster', 'lab', '--host', '192.0.2.11', '--step-seconds', '5'], '--step-seconds goes with --ramp'],
  ])('%j: exit 2 (%s), no request', async (argv, message) => {
    fake.answer({});
    expect(await restore(argv)).toBe(2);
    expect(fake.stderr).toContain(message);
    expect(fake.seen).toEqual([]);
  });
});
