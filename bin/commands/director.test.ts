import { describe, expect, it } from 'vitest';
import type { MaintenancePreflight, MaintenanceResult, MaintenanceStatus } from '@/lib/models/maintenance';
import { UsageError } from './command';
import { directorCommand, parseDirectorArgs } from './director';
import { fakeConsole } from './testing/fake-console';

// lvsctl director maintenance / resume / status against a fake console (the real one on the lab is
// server/maintenance/maintenance.lab.test.ts's, through the same service): the requests made, what
// is printed, and the exit code for each answer.

const NOW = Date.UTC(2026, 11, 6, 23, 0, 0);

const preflight = (over: Partial<MaintenancePreflight> = {}): MaintenancePreflight => ({
  cluster: 'lab', director: 'dir1', action: 'enter', trackFile: '/var/lib/lvs-console/track/vrrp-maint', configHint: null,
  moves: [{ instance: 'VI_V4', syncGroup: 'VG_LAB', vips: ['192.0.2.100'], from: 'dir1', to: 'dir2' }],
  connections: { director: 'dir1', established: 2, wouldBreak: 0, peer: 'dir2', syncDaemons: [], peerSloppyTcp: false, errors: [] },
  checks: [
    { id: 'moves', status: 'ok', title: 'What moves', detail: 'VI_V4: 192.0.2.100 from dir1 to dir2', forcible: false },
    { id: 'connections', status: 'warning', title: 'Connections will break', detail: '2 of 2', forcible: false },
  ],
  allowed: true, takenAt: NOW, ...over,
});

const result = (over: Partial<MaintenanceResult> = {}): MaintenanceResult => ({
  action: 'enter', cluster: 'lab', director: 'dir1', dryRun: false, outcome: 'ok', message: 'dir1 is in maintenance: VI_V4 on dir2 after 3.1 s',
  preflight: preflight(),
  maintenance: { id: '1', cluster: 'lab', director: 'dir1', actor: 'token:ci', reason: 'kernel', ticket: 'OPS-1', createdAt: NOW, expiresAt: null, endedAt: null, endedBy: null, endReason: null },
  verification: { moved: true, holders: { VI_V4: ['dir2'] }, waitedMs: 3100, gapMs: null, rolledBack: false, keepalivedAgrees: true, failoverEventIds: ['41'], eventGapMs: 0 },
  auditId: '12', ...over,
});

const fake = fakeConsole();

const PATH = '/api/clusters/lab/directors/dir1/maintenance';

describe('lvsctl director', () => {
  it('parses: verbs, required options, and what does not belong', () => {
    expect(parseDirectorArgs(['maintenance', '--cluster', 'lab', '--director', 'dir1', '--reason', ' kernel ', '--ticket', 'OPS-1', '--dry-run'])).toMatchObject({
      verb: 'maintenance', cluster: 'lab', director: 'dir1', reason: 'kernel', ticket: 'OPS-1', dryRun: true, force: false,
    });
    expect(() => parseDirectorArgs(['maintenance', '--cluster', 'lab', '--director', 'dir1'])).toThrow(/--reason "..." is required/);
    expect(() => parseDirectorArgs(['resume', '--cluster', 'lab'])).toThrow(/--director D is required/);
    expect(() => parseDirectorArgs(['resume', '--cluster', 'lab', '--director', 'dir1', '--ticket', 'x'])).toThrow(/--ticket is for director maintenance/);
    expect(parseDirectorArgs(['maintenance', '--cluster', 'lab', '--director', 'dir1', '--reason', 'k', '--expires', '90']).expiresInMinutes).toBe(90);
    expect(() => parseDirectorArgs(['maintenance', '--cluster', 'lab', '--director', 'dir1', '--reason', 'k', '--expires', '0'])).toThrow(/--expires needs whole minutes from 1 to 10080/);
    expect(() => parseDirectorArgs(['status', '--cluster', 'lab', '--director', 'dir1'])).toThrow(/--director is not for director status/);
    expect(() => parseDirectorArgs(['reboot'])).toThrow(UsageError);
    // --wait is accepted (the command always waits for the verification), not for status
    expect(parseDirectorArgs(['resume', '--cluster', 'lab', '--director', 'dir1', '--wait'])).toMatchObject({ verb: 'resume', director: 'dir1' });
    expect(() => parseDirectorArgs(['status', '--cluster', 'lab', '--wait'])).toThrow(/--wait is not for director status/);
  });

  it('maintenance: POSTs reason and ticket, prints the outcome and every check; ok exits 0', async () => {
    fake.answer({ [`POST ${PATH}`]: [{ status: 200, body: result() }] });
    expect(await directorCommand.run(['maintenance', '--cluster', 'lab', '--director', 'dir1', '--reason', 'kernel', '--ticket', 'OPS-1'])).toBe(0);
    expect(fake.seen).toEqual([{ method: 'POST', url: `http://console.test:3999${PATH}`, auth: 'Bearer lvs_test', body: { reason: 'kernel', ticket: 'OPS-1' } }]);
    expect(fake.stdout).toBe(
      ['lab: dir1: maintenance: OK — dir1 is in maintenance: VI_V4 on dir2 after 3.1 s', '  ok      What moves: VI_V4: 192.0.2.100 from dir1 to dir2', '  WARNING Connections will break: 2 of 2', ''].join('\n'),
    );
  });

  it('resume: DELETE; a rollback exits 1; a refusal (409) prints the refused checks and exits 3; an unknown director exits 2', async () => {
    fake.answer({ [`DELETE ${PATH}`]: [{ status: 200, body: result({ action: 'exit', outcome: 'rolled-back', message: 'the VIPs did not move' }) }] });
    expect(await directorCommand.run(['resume', '--cluster', 'lab', '--director', 'dir1'])).toBe(1);
    expect(fake.seen[0]).toMatchObject({ method: 'DELETE', body: {} });

    const refused = preflight({ allowed: false, checks: [{ id: 'last-director', status: 'refusal', title: 'No peer can take over', detail: 'dir1 is the last one', forcible: false }] });
    fake.answer({ [`POST ${PATH}`]: [{ status: 409, body: { error: { code: 'conflict', message: 'refused: No peer can take over', details: { preflight: refused } } } }] });
    fake.stderr = '';
    expect(await directorCommand.run(['maintenance', '--cluster', 'lab', '--director', 'dir1', '--reason', 'x'])).toBe(3);
    expect(fake.stderr).toContain('refused: No peer can take over');
    expect(fake.stderr).toContain('REFUSED No peer can take over: dir1 is the last one');

    fake.answer({ ['POST /api/clusters/lab/directors/dir9/maintenance']: [{ status: 404, body: { error: { code: 'not-found', message: 'cluster lab has no director named "dir9"' } } }] });
    expect(await directorCommand.run(['maintenance', '--cluster', 'lab', '--director', 'dir9', '--reason', 'x'])).toBe(2);
  });

  it('status: one line per director', async () => {
    const s: MaintenanceStatus = {
      cluster: 'lab',
      directors: [
        { director: 'dir1', trackFile: '/var/lib/lvs-console/track/vrrp-maint', value: 1, maintenance: result().maintenance },
        { director: 'dir2', trackFile: null, value: null, maintenance: null },
      ],
    };
    fake.answer({ ['GET /api/clusters/lab/maintenance']: [{ status: 200, body: s }] });
    expect(await directorCommand.run(['status', '--cluster', 'lab'])).toBe(0);
    expect(fake.stdout).toBe(
      [
        'lab: dir1         in maintenance since 2026-12-06T23:00:00.000Z by token:ci (kernel, OPS-1)',
        'lab: dir2         in service; keepalived does not track the maintenance file',
        '',
      ].join('\n'),
    );
  });
});
