import { describe, expect, it } from 'vitest';
import { UsageError } from './command';
import { EXIT, exitForStatus, formatDirector, parseDrainArgs, requestBody } from './drain';

describe('lvsctl drain/restore/weight arguments', () => {
  it('drain: cluster, host, service, reason, wait and timeout', () => {
    const a = parseDrainArgs('drain', ['--cluster', 'lab', '--host', '192.0.2.11:80', '--service', '192.0.2.100:80', '--reason', 'kernel', '--wait', '--timeout', '90']);
    expect(a).toMatchObject({ verb: 'drain', clusters: ['lab'], target: '192.0.2.11:80', service: '192.0.2.100:80', reason: 'kernel', wait: true, timeoutSeconds: 90, force: false, dryRun: false });
    expect(requestBody(a)).toEqual({ target: '192.0.2.11:80', service: '192.0.2.100:80', reason: 'kernel' });
  });

  it('drain: defaults, every cluster, lease, force and dry run go into the body', () => {
    const a = parseDrainArgs('drain', ['--all-clusters', '--host', '192.0.2.11', '--reason', 'x', '--expires', '120', '--on-expiry', 'alert', '--force', '--dry-run', '--ticket', 'OPS-1']);
    expect(a.clusters).toBe('all');
    expect(a.timeoutSeconds).toBe(600);
    expect(requestBody(a)).toEqual({ target: '192.0.2.11', reason: 'x', dryRun: true, ticket: 'OPS-1', expiresInMinutes: 120, onExpiry: 'alert', force: true });
  });

  it('weight needs --weight 0-65535; restore takes no lease or force', () => {
    expect(requestBody(parseDrainArgs('weight', ['--cluster', 'lab', '--host', '192.0.2.11:80', '--weight', '50', '--reason', 'canary']))).toEqual({ target: '192.0.2.11:80', reason: 'canary', weight: 50 });
    expect(requestBody(parseDrainArgs('restore', ['--cluster', 'lab', '--host', '192.0.2.11']))).toEqual({ target: '192.0.2.11' });
  });

  it.each([
    ['drain', ['--host', '192.0.2.11', '--reason', 'x'], '--cluster C (or --all-clusters) is required'],
    ['drain', ['--cluster', 'lab', '--reason', 'x'], '--host ADDR or ADDR:PORT is required'],
    ['drain', ['--cluster', 'lab', '--host', '192.0.2.11'], '--reason "..." is required: say why (it goes to the audit log)'],
    ['weight', ['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x'], '--weight N (0-65535) is required'],
    ['weight', ['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x', '--weight', '70000'], '--weight must be between 0 and 65535, got 70000'],
    ['weight', ['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x', '--weight', '-1'], "Option '--weight' argument is ambiguous"],
    ['drain', ['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x', '--timeout', '5'], '--timeout goes with --wait'],
    ['restore', ['--cluster', 'lab', '--host', '192.0.2.11', '--force'], '--force is not for restore'],
    ['restore', ['--cluster', 'lab', '--host', '192.0.2.11', '--wait'], '--wait is for lvsctl drain'],
    ['drain', ['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x', '--on-expiry', 'restore'], '--on-expiry needs --expires MINUTES'],
    ['drain', ['--cluster', 'lab', '--host', '192.0.2.11', '--reason', 'x', '--bogus'], "Unknown option '--bogus'"],
  ] as const)('%s %j -> %s', (verb, argv, message) => {
    expect(() => parseDrainArgs(verb, [...argv])).toThrow(UsageError);
    expect(() => parseDrainArgs(verb, [...argv])).toThrow(message);
  });

  it('maps HTTP statuses to distinct exit codes', () => {
    expect([409, 401, 403, 422, 404, 502, 500].map(exitForStatus)).toEqual([EXIT.refused, EXIT.denied, EXIT.denied, EXIT.usage, EXIT.usage, EXIT.failed, EXIT.failed]);
  });

  it('prints one line per director', () => {
    expect(formatDirector({ director: 'dir2', status: 'failed', error: { code: 'connect-refused', message: 'dir2 (127.0.0.1:2202): connection refused' }, verified: [], durationMs: 12.4 })).toBe(
      '  dir2         FAILED  12 ms — connect-refused: dir2 (127.0.0.1:2202): connection refused',
    );
    expect(formatDirector({ director: 'dir1', status: 'ok', error: null, verified: [{ service: 's', realServer: '192.0.2.11:80', expected: 0, actual: 0, ok: true }], durationMs: 800 })).toBe(
      '  dir1         ok  192.0.2.11:80 w=0  800 ms',
    );
  });
});
