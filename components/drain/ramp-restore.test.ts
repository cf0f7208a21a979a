import { describe, expect, it } from 'vitest';
import { canRampRestore, DEFAULT_RAMP_RESTORE, rampRestoreBlockers, rampRestoreRequest } from './ramp-restore';

// "Bring it back in steps" in the restore dialog: offered for a whole host only, and the rollout
// request it makes (kind 'ramp', the one host, the ramp and its seconds, no new-connections check).

describe('canRampRestore', () => {
  it.each<[string, { action: string; target: string; service?: string }, boolean]>([
    ['a host restore', { action: 'restore', target: '192.0.2.11' }, true],
    ['an IPv6 host restore', { action: 'restore', target: '2001:db8::11' }, true],
    ['a real server (with a port)', { action: 'restore', target: '192.0.2.11:80' }, false],
    ['an IPv6 real server', { action: 'restore', target: '[2001:db8::11]:80' }, false],
    ['a host in one service', { action: 'restore', target: '192.0.2.11', service: 'TCP 192.0.2.100:80' }, false],
    ['a drain', { action: 'drain', target: '192.0.2.11' }, false],
    ['a weight', { action: 'weight', target: '192.0.2.11' }, false],
  ])('%s: %s', (_name, request, expected) => {
    expect(canRampRestore(request)).toBe(expected);
  });
});

describe('rampRestoreRequest', () => {
  it('with the defaults: kind ramp, the host, the reason, 10,25,50,100 every 30 s, no new-connections check', () => {
    expect(rampRestoreRequest('192.0.2.11', '  patched ', DEFAULT_RAMP_RESTORE)).toEqual({
      ok: true,
      body: { kind: 'ramp', hosts: ['192.0.2.11'], reason: 'patched', ramp: [10, 25, 50, 100], stepSeconds: 30, checkNewConnections: false },
    });
  });

  it('reads the ramp as typed (commas or spaces) and the seconds', () => {
    const r = rampRestoreRequest('192.0.2.11', 'patched', { ramp: ' 20, 50 100', stepSeconds: ' 5 ' });
    expect(r.ok && r.body).toMatchObject({ ramp: [20, 50, 100], stepSeconds: 5 });
  });

  it.each<[string, string, string, string, string[]]>([
    ['no reason', '', '10,25,50,100', '30', ['reason required']],
    ['not numbers', 'x', '10,a,100', '30', ['ramp: percentages separated by commas, e.g. 10,25,50,100']],
    ['not ascending (the schema says so)', 'x', '50,25,100', '30', ['ramp: ramp steps must go up (e.g. 10,25,50,100)']],
    ['not ending at 100', 'x', '10,50', '30', ['ramp: the last ramp step must be 100 (the weight it had)']],
    ['a step above 100', 'x', '10,150', '30', ['ramp: a ramp step is a percentage from 1 to 100']],
    ['no seconds', 'x', '100', '', ['seconds between steps: a whole number of seconds from 1 to 3600']],
    ['zero seconds', 'x', '100', '0', ['seconds between steps: a whole number of seconds from 1 to 3600']],
  ])('refuses %s', (_name, reason, ramp, stepSeconds, problems) => {
    expect(rampRestoreRequest('192.0.2.11', reason, { ramp, stepSeconds })).toEqual({ ok: false, problems });
  });

  it('the blockers leave the reason to the dialog', () => {
    expect(rampRestoreBlockers(DEFAULT_RAMP_RESTORE)).toEqual([]);
    expect(rampRestoreBlockers({ ramp: '10,50', stepSeconds: 'x' })).toEqual([
      'ramp: the last ramp step must be 100 (the weight it had)',
      'seconds between steps: a whole number of seconds from 1 to 3600',
    ]);
  });
});
