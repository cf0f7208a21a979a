import { describe, expect, it, vi } from 'vitest';
import type { ActionResult, DrainProgress } from '@/lib/models/drain';
import { drainCommand, restoreCommand, weightCommand } from './drain';
import { fakeConsole } from './testing/fake-console';

// lvsctl drain / restore / weight as a script sees them, against a fake console (the real one, on
// the lab behind the production server, is the lvsctl test of e2e/drain.spec.ts): the requests made, what is printed on stdout and stderr, and the
// exit code for each answer the console can give.

const NOW = Date.UTC(2026, 10, 22, 7, 30, 0);

function result(over: Partial<ActionResult> = {}): ActionResult {
  return {
    action: 'drain',
    cluster: 'lab',
    dryRun: false,
    outcome: 'ok',
    message: 'drained 192.0.2.11:80 on every director',
    plan: {
      cluster: 'lab',
      action: 'drain',
      target: '192.0.2.11:80',
      service: null,
      entries: [
        {
          service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', currentWeight: 100, targetWeight: 0, restoreWeight: 100, mechanism: 'ipvsadm', trackFile: null,
          shareBefore: 0.5, shareAfter: 0, remainingShare: 1, removesLastServer: false, existingIntentId: null, persistenceWarning: null,
        },
      ],
      directors: [{ director: 'dir1', commands: [{ display: 'ipvsadm -e -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 0', role: 'set' }], absent: [] }],
      refusals: [],
      warnings: ['persistent service'],
    },
    intents: [
      {
        id: '7', cluster: 'lab', service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', kind: 'drain', weight: 0, restoreWeight: 100, mechanism: 'ipvsadm',
        actor: 'token:ci', reason: 'kernel', ticket: null, createdAt: NOW, expiresAt: null, onExpiry: null, endedAt: null, endedBy: null, endReason: null,
      },
    ],
    alreadyHeld: false,
    directors: [
      { director: 'dir1', status: 'ok', error: null, verified: [{ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', expected: 0, actual: 0, ok: true }], durationMs: 800 },
      { director: 'dir2', status: 'failed', error: { code: 'connect-refused', message: 'connection refused' }, verified: [], durationMs: 12.4 },
    ],
    auditId: '9',
    ...over,
  };
}

function progress(state: DrainProgress['state'], active: number): DrainProgress {
  return {
    cluster: 'lab', target: '192.0.2.11:80', service: null, state,
    entries: [{ service: 'TCP 192.0.2.100:80', realServer: '192.0.2.11:80', director: 'dir1', weight: 0, active, inactive: 1, persistent: 0, state: state === 'drained' ? 'drained' : 'draining', series: [] }],
    estimatedSecondsToZero: active > 0 ? 30 : null, estimateNote: null,
    connections: active > 0 ? [{ director: 'dir1', entries: active, templates: 0, byState: {}, maxExpiresInSeconds: 30, clients: ['198.51.100.7'], distinctClients: 1, takenAt: NOW, error: null }] : [],
    takenAt: NOW,
  };
}

const fake = fakeConsole();

describe('lvsctl drain / restore / weight against a fake console', () => {
  it('drain: POSTs the body with the token, prints the result, one line per director; partial exits 1', async () => {
    fake.answer({ 'POST /api/clusters/lab/drain': [{ status: 200, body: result({ outcome: 'partial' }) }] });
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.11:80', '--reason', 'kernel'])).toBe(1);
    expect(fake.seen).toEqual([{ method: 'POST', url: 'http://console.test:3999/api/clusters/lab/drain', auth: 'Bearer lvs_test', body: { target: '192.0.2.11:80', reason: 'kernel' } }]);
    expect(fake.stdout).toBe(
      [
        'lab: drain: PARTIAL — drained 192.0.2.11:80 on every director',
        '  dir1         ok  192.0.2.11:80 w=0  800 ms',
        '  dir2         FAILED  12 ms — connect-refused: connection refused',
        '  intent #7: 192.0.2.11:80 in TCP 192.0.2.100:80 drain w=0 (restore 100) via ipvsadm',
        '  warning: persistent service',
        '',
      ].join('\n'),
    );
    expect(fake.stderr).toBe('');
  });

  it('--dry-run prints the plan; --json prints the answer as JSON; ok exits 0', async () => {
    fake.answer({ 'POST /api/clusters/lab/weight': [{ status: 200, body: result({ action: 'weight', dryRun: true, message: 'would set weight 0' }) }] });
    expect(await weightCommand.run(['--cluster', 'lab', '--host', '192.0.2.11:80', '--weight', '0', '--reason', 'x', '--dry-run'])).toBe(0);
    expect(fake.seen[0]?.body).toEqual({ target: '192.0.2.11:80', reason: 'x', dryRun: true, weight: 0 });
    expect(fake.stdout).toBe(
      [
        'lab: weight (dry run): OK — would set weight 0',
        '  192.0.2.11:80 in TCP 192.0.2.100:80: weight 100 -> 0 via ipvsadm; share 50% -> 0%',
        '  on dir1:',
        '    ipvsadm -e -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 0',
        '  warning: persistent service',
        '',
      ].join('\n'),
    );
    fake.stdout = '';
    const r = result({ action: 'restore' });
    fake.answer({ 'POST /api/clusters/lab/restore': [{ status: 200, body: r }] });
    expect(await restoreCommand.run(['--cluster', 'lab', '--host', '192.0.2.11', '--json'])).toBe(0);
    expect(JSON.parse(fake.stdout)).toEqual(r);
  });

  it('a refusal (409) names the refusals on stderr and exits 3; --json prints the error body', async () => {
    const refusal = { error: { code: 'conflict', message: 'refused: no serving real server left', details: { refusals: ['192.0.2.12:80 is the last serving server of TCP 192.0.2.100:80'] } } };
    fake.answer({ 'POST /api/clusters/lab/drain': [{ status: 409, body: refusal }] });
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.12:80', '--reason', 'x', '--json'])).toBe(3);
    expect(fake.stderr).toBe('lvsctl drain: lab: refused: no serving real server left\n  refused: 192.0.2.12:80 is the last serving server of TCP 192.0.2.100:80\n');
    expect(JSON.parse(fake.stdout)).toEqual(refusal);
  });

  it('--all-clusters: asks for the clusters, skips those without the host, says so when none has it', async () => {
    const clusters = { generatedAt: NOW, clusters: ['a', 'b'].map((name) => ({ name, takenAt: NOW, health: 'ok', directors: [], instances: [], serviceCount: 0, realServers: { up: 0, drained: 0, down: 0, unknown: 0 }, findings: [] })) };
    const notHere = { status: 404, body: { error: { code: 'not-found', message: 'no real server 192.0.2.11 in cluster x' } } };
    fake.answer({ 'GET /api/clusters': [{ status: 200, body: clusters }], 'POST /api/clusters/a/drain': [notHere], 'POST /api/clusters/b/drain': [{ status: 200, body: result({ cluster: 'b' }) }] });
    expect(await drainCommand.run(['--all-clusters', '--host', '192.0.2.11', '--reason', 'x'])).toBe(0);
    expect(fake.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET http://console.test:3999/api/clusters', 'POST http://console.test:3999/api/clusters/a/drain', 'POST http://console.test:3999/api/clusters/b/drain']);
    expect(fake.stdout).toMatch(/^b: drain: OK/);

    fake.stdout = '';
    fake.answer({ 'GET /api/clusters': [{ status: 200, body: clusters }], 'POST /api/clusters/a/drain': [notHere], 'POST /api/clusters/b/drain': [notHere] });
    expect(await drainCommand.run(['--all-clusters', '--host', '192.0.2.11', '--reason', 'x'])).toBe(2);
    expect(fake.stdout).toBe('');
    expect(fake.stderr).toBe('lvsctl drain: no cluster has a real server 192.0.2.11\n');
  });

  it('--wait long-polls the progress until drained', async () => {
    fake.answer({
      'POST /api/clusters/lab/drain': [{ status: 200, body: result({ outcome: 'ok', directors: [] }) }],
      'GET /api/clusters/lab/drain/progress': [{ status: 200, body: progress('draining', 3) }, { status: 200, body: progress('drained', 0) }],
    });
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.11:80', '--service', 'TCP 192.0.2.100:80', '--reason', 'x', '--wait', '--timeout', '30'])).toBe(0);
    const polls = fake.seen.filter((s) => s.method === 'GET').map((s) => Object.fromEntries(new URL(s.url).searchParams));
    // The second poll asks for what is left of the 30 s.
    expect(polls.map((p) => ({ ...p, timeout: Number(p.timeout) <= 30 && Number(p.timeout) >= 29 ? 'left' : p.timeout }))).toEqual([
      { target: '192.0.2.11:80', wait: '1', timeout: 'left', service: 'TCP 192.0.2.100:80' },
      { target: '192.0.2.11:80', wait: '1', timeout: 'left', service: 'TCP 192.0.2.100:80' },
    ]);
    expect(polls[0]?.timeout).toBe('30');
    expect(fake.stdout.split('\n').slice(-3)).toEqual([
      'lab: 192.0.2.11:80: draining (active 3, inactive 1, persistent 0, ~30 s to zero); clients 198.51.100.7',
      'lab: 192.0.2.11:80: drained (active 0, inactive 1, persistent 0)',
      '',
    ]);
  });

  it('exit codes: not allowed 5, a console failure 1 with the text it sent, unreachable 1, no token 2', async () => {
    fake.answer({ 'POST /api/clusters/lab/drain': [{ status: 401, body: { error: { code: 'unauthorized', message: 'a valid API token is required' } } }] });
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x'])).toBe(5);
    expect(fake.stderr).toBe('lvsctl drain: lab: a valid API token is required\n');

    fake.stderr = '';
    fake.answer({ 'POST /api/clusters/lab/drain': [{ status: 502, body: 'Bad gateway' }] });
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x'])).toBe(1);
    expect(fake.stderr).toBe('lvsctl drain: lab: HTTP 502: Bad gateway\n');

    fake.stderr = '';
    fake.answer({});
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x'])).toBe(1);
    expect(fake.stderr).toBe('lvsctl drain: cannot reach the console at http://console.test:3999: connect ECONNREFUSED 127.0.0.1:3999\n');

    fake.stderr = '';
    fake.answer({ 'GET /api/clusters': [{ status: 403, body: { error: { code: 'forbidden', message: 'viewer may not drain' } } }] });
    expect(await drainCommand.run(['--all-clusters', '--host', '192.0.2.11', '--reason', 'x'])).toBe(5);
    expect(fake.stderr).toBe('lvsctl drain: viewer may not drain\n');

    fake.stderr = '';
    fake.seen = [];
    vi.stubEnv('LVS_CONSOLE_TOKEN', '');
    expect(await drainCommand.run(['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x'])).toBe(2);
    expect(fake.stderr).toBe('lvsctl drain: no API token: set LVS_CONSOLE_TOKEN or pass --token-file (create one with `lvsctl token create`)\n');
    expect(fake.seen).toEqual([]);
  });
});
