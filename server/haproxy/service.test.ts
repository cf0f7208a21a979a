import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '@/lib/models/auth';
import { DomainError } from '@/server/errors';
import { AuditLog } from '@/server/audit/log';
import type { CatalogueCommand } from '@/server/commands/command';
import { ConsoleConfig } from '@/server/config/schema';
import type { Db } from '@/server/db';
import { dropTrigger, execDdl, testDb } from '@/server/testing/test-db';
import type { ExecResult } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { HaproxyHoldStore } from './hold-store';
import { HaproxyService } from './service';

// The HaproxyService's audit, without a lab: the instances answer `show stat` with the output
// captured from the lab (server/parsers/fixtures/haproxy), and every command sent is recorded.
// What HAProxy does with the commands is tested in the lab (haproxy.lab.test.ts); here: an
// 'attempted' row comes before anything is sent, and nothing is sent when it cannot be written.

const STAT = fs.readFileSync(path.join(__dirname, '../parsers/fixtures/haproxy/show-stat-lab-dir1.csv'), 'utf8');
/** The fixture with some galera servers' status replaced (e.g. rs1 and rs2 DRAIN: rs3 is the last UP one). */
function statWith(status: Record<string, string>): string {
  return STAT.split('\n')
    .map((l) => {
      const f = l.split(',');
      const st = f[0] === 'galera' ? status[f[1] ?? ''] : undefined;
      if (st === undefined) return l;
      f[17] = st;
      return f.join(',');
    })
    .join('\n');
}
let stat = STAT;
const HOST_KEY = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const config = ConsoleConfig.parse({
  clusters: [
    {
      name: 'lab',
      directors: ['dir1', 'dir2'].map((name) => ({ name, host: '127.0.0.1', user: 'lvsconsole', privateKeyPath: '/k', hostKey: HOST_KEY })),
      haproxy: [
        { name: 'haproxy-dir1', director: 'dir1' },
        { name: 'haproxy-dir2', director: 'dir2' },
      ],
    },
  ],
});
const actor: Actor = { name: 'alice', role: 'operator', source: '127.0.0.1', clusters: null, via: 'session' };

let db: Db;
let audit: AuditLog;
let holds: HaproxyHoldStore;
let sent: string[];
/** Audit rows when each change was sent. */
let rowsAtSend: number[];
let statReads = 0;
let svc: HaproxyService;

function fakeExec(director: { name: string }, cmd: CatalogueCommand): Promise<ExecResult> {
  const line = cmd.stdin?.trim() ?? '';
  if (line === 'show stat') {
    statReads++;
    return Promise.resolve({ stdout: stat, stderr: '', exitCode: 0, durationMs: 1 });
  }
  sent.push(`${director.name}: ${line}`);
  rowsAtSend.push(audit.list().length);
  return Promise.resolve({ stdout: '', stderr: '', exitCode: 0, durationMs: 1 });
}

const breakAudit = () => execDdl(db, "CREATE TRIGGER audit_full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");

beforeEach(() => {
  db = testDb();
  audit = new AuditLog(db);
  holds = new HaproxyHoldStore(db);
  sent = [];
  rowsAtSend = [];
  statReads = 0;
  stat = STAT;
  svc = new HaproxyService({
    clusters: config.clusters,
    pool: undefined as unknown as SshPool,
    audit,
    holds,
    commandTimeoutMs: 1000,
    intervalMs: 2000,
    reconcile: true,
    exec: fakeExec,
  });
});

describe('HaproxyService audit', () => {
  it('writes the attempted row before sending, and completes it with the outcome row', async () => {
    // The fixture shows rs1 at weight 1, before and after: weight 1 is verified by the re-read.
    const r = await svc.act('lab', { action: 'weight', backend: 'galera', server: 'rs1', weight: 1, reason: 'canary' }, actor);
    expect(sent).toEqual(['dir1: set server galera/rs1 weight 1', 'dir2: set server galera/rs1 weight 1']);
    expect(rowsAtSend).toEqual([1, 1]); // the attempt, and only it, was stored before each send
    const [outcome, attempt] = audit.list();
    expect(attempt).toMatchObject({ outcome: 'attempted', action: 'haproxy-weight', target: 'galera/rs1', actor: 'alice', outcomeId: outcome?.id, detail: { reason: 'canary', weight: 1 } });
    expect(r.ok).toBe(true);
    expect(outcome).toMatchObject({ outcome: 'ok', action: 'haproxy-weight', attemptId: attempt?.id, outcomeId: null });
    expect(r.auditId).toBe(outcome?.id);
  });

  it('refuses taking the last UP server of a backend out without force: 409 naming it, audited with the reason, nothing sent', async () => {
    stat = statWith({ rs1: 'DRAIN', rs2: 'MAINT' });
    for (const body of [
      { action: 'drain', backend: 'galera', server: 'rs3', reason: 'kernel update' },
      { action: 'maint', backend: 'galera', server: 'rs3', reason: 'kernel update' },
      { action: 'weight', backend: 'galera', server: 'rs3', weight: 0, reason: 'kernel update' },
    ]) {
      const e = await svc.act('lab', body, actor).catch((x: unknown) => x);
      expect(e, body.action).toBeInstanceOf(DomainError);
      expect(e).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/galera\/rs3 is the last UP server of backend galera on haproxy-dir1 .*force/) as unknown });
    }
    expect(sent).toEqual([]);
    expect(holds.open('lab')).toEqual([]);
    const rows = audit.list();
    expect(rows.map((r) => [r.action, r.outcome, r.target])).toEqual([
      ['haproxy-weight', 'refused', 'galera/rs3'],
      ['haproxy-maint', 'refused', 'galera/rs3'],
      ['haproxy-drain', 'refused', 'galera/rs3'],
    ]);
    expect(rows[2]).toMatchObject({ actor: 'alice', detail: { reason: 'kernel update', force: false, refusals: [expect.stringContaining('on haproxy-dir1 (on dir1): drain') as unknown, expect.stringContaining('on haproxy-dir2 (on dir2)') as unknown] } });
    // A weight above 0 and ready do not take it out: not refused.
    await svc.act('lab', { action: 'weight', backend: 'galera', server: 'rs3', weight: 1, reason: 'same' }, actor);
    expect(sent).toEqual(['dir1: set server galera/rs3 weight 1', 'dir2: set server galera/rs3 weight 1']);
  });

  it('takes the last UP server out with force, and the audit says it was forced', async () => {
    stat = statWith({ rs1: 'DRAIN', rs2: 'DRAIN' });
    await svc.act('lab', { action: 'drain', backend: 'galera', server: 'rs3', reason: 'whole backend down for the upgrade', force: true }, actor);
    expect(sent).toEqual(['dir1: set server galera/rs3 state drain', 'dir2: set server galera/rs3 state drain']);
    const [outcome, attempt] = audit.list();
    expect(attempt).toMatchObject({ outcome: 'attempted', action: 'haproxy-drain', detail: { reason: 'whole backend down for the upgrade', force: true, forced: [expect.stringContaining('last UP server') as unknown, expect.any(String) as unknown] } });
    // The re-read still shows UP (the fake does not change): not verified, but the attempt was made.
    expect(outcome?.outcome).toBe('failed');
  });

  it('another UP server left: drain goes through without force', async () => {
    stat = statWith({ rs1: 'DRAIN' });
    await svc.act('lab', { action: 'drain', backend: 'galera', server: 'rs3', reason: 'one at a time' }, actor);
    expect(sent).toEqual(['dir1: set server galera/rs3 state drain', 'dir2: set server galera/rs3 state drain']);
  });

  it('drain, maint and weight need a typed reason (422, nothing sent, nothing audited); ready does not', async () => {
    for (const body of [
      { action: 'drain', backend: 'galera', server: 'rs1' },
      { action: 'maint', backend: 'galera', server: 'rs1', reason: '   ' },
      { action: 'weight', backend: 'galera', server: 'rs1', weight: 3, reason: '' },
    ]) {
      const e = await svc.act('lab', body, actor).catch((x: unknown) => x);
      expect(e, body.action).toMatchObject({ issues: [expect.objectContaining({ path: ['reason'], message: expect.stringContaining('reason is required') as unknown })] });
    }
    expect(sent).toEqual([]);
    expect(audit.list()).toEqual([]);
    await svc.act('lab', { action: 'ready', backend: 'galera', server: 'rs1' }, actor);
    expect(sent).toEqual(['dir1: set server galera/rs1 state ready', 'dir2: set server galera/rs1 state ready']);
  });

  describe('when the audit log cannot be written', () => {
    let logged: ReturnType<typeof vi.spyOn>;
    beforeEach(() => {
      logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    });
    afterEach(() => {
      expect(logged).toHaveBeenCalled();
      logged.mockRestore();
    });

    it('drain, maint, ready and weight are refused with 503 and nothing is sent', async () => {
      breakAudit();
      for (const body of [
        { action: 'drain', backend: 'galera', server: 'rs1', reason: 'x' },
        { action: 'maint', backend: 'galera', server: 'rs1', reason: 'x' },
        { action: 'ready', backend: 'galera', server: 'rs1', reason: 'x' },
        { action: 'weight', backend: 'galera', server: 'rs1', weight: 5, reason: 'x' },
      ]) {
        const e = await svc.act('lab', body, actor).catch((x: unknown) => x);
        expect(e, body.action).toBeInstanceOf(DomainError);
        expect(e).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^the audit log cannot be written .*: nothing was changed$/) as unknown });
      }
      expect(sent).toEqual([]);
      expect(holds.open('lab')).toEqual([]);
    });

    it('release is refused and the holds stay; the reconciler does not re-apply', async () => {
      holds.set({ cluster: 'lab', backend: 'galera', server: 'rs1', actor: 'bob', reason: 'x', createdAt: 1, aspect: 'state', state: 'drain' });
      breakAudit();
      await expect(svc.act('lab', { action: 'release', backend: 'galera', server: 'rs1', reason: 'x' }, actor)).rejects.toMatchObject({ kind: 'unavailable' });
      expect(holds.open('lab')).toHaveLength(1);
      // The fixture shows rs1 UP on both instances: the drain hold has drifted, but is not re-applied unaudited.
      await svc.reconcileAll();
      expect(sent).toEqual([]);
      db.exec(dropTrigger(db, 'audit_full', 'audit'));
      await svc.reconcileAll();
      expect(sent).toEqual(['dir1: set server galera/rs1 state drain', 'dir2: set server galera/rs1 state drain']);
      expect(audit.list().map((e) => [e.action, e.outcome])).toEqual([
        ['haproxy-reapply', 'ok'],
        ['haproxy-reapply', 'attempted'],
        ['haproxy-reapply', 'ok'],
        ['haproxy-reapply', 'attempted'],
      ]);
    });
  });
});

describe('HaproxyService holds (the overview list)', () => {
  it("lists a cluster's open holds from the database without reading any instance; an unknown cluster is not found", () => {
    const held = holds.set({ cluster: 'lab', backend: 'galera', server: 'rs1', actor: 'alice', reason: 'kernel update', createdAt: 1, aspect: 'state', state: 'drain' });
    holds.set({ cluster: 'other', backend: 'galera', server: 'rs2', actor: 'bob', reason: 'x', createdAt: 2, aspect: 'weight', weight: 3 });
    expect(svc.holds('lab')).toEqual({ cluster: 'lab', holds: [held] });
    expect(statReads).toBe(0);
    expect(sent).toEqual([]);
    holds.end('lab', 'galera', 'rs1', ['state'], 3, 'alice', 'done');
    expect(svc.holds('lab').holds).toEqual([]);
    expect(() => svc.holds('nope')).toThrow(/nope/);
  });
});
