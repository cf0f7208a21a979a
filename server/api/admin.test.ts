import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError } from '@/server/errors';
import { AuditLog } from '@/server/audit/log';
import { AuthConfig } from '@/server/config/schema';
import type { Db } from '@/server/db';
import { execDdl, testDb } from '@/server/testing/test-db';
import { addUserWith, createTokenWith, removeUserWith, revokeTokenWith, type ChangedBy } from './admin';
import { createAuthService, type AuthService } from '@/server/auth/service';

// Account and token changes are audited fail-closed: an 'attempted' row first, the change only once
// it is stored, then the outcome row naming it.

const BY: ChangedBy = { name: 'ada', role: 'admin', source: '127.0.0.1', clusters: null };
let db: Db;
let audit: AuditLog;
let svc: AuthService;

beforeEach(() => {
  db = testDb();
  audit = new AuditLog(db);
  svc = createAuthService(AuthConfig.parse({}), db, audit);
});

const breakAudit = () => execDdl(db, "CREATE TRIGGER audit_full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");

describe('account and token changes', () => {
  it('write the attempted row first and complete it; a change that fails is completed as failed', async () => {
    await addUserWith(svc, { name: 'carol', password: 'a-long-password-1', role: 'viewer' }, BY);
    createTokenWith(svc, { name: 'ci', role: 'operator' }, BY);
    revokeTokenWith(svc, 'ci', BY);
    expect(() => revokeTokenWith(svc, 'ci', BY)).toThrow(/no active token named ci/);
    removeUserWith(svc, 'carol', BY);
    const rows = audit.list().reverse();
    expect(rows.map((e) => [e.action, e.target, e.outcome, e.attemptId])).toEqual([
      ['user-add', 'carol', 'attempted', null],
      ['user-add', 'carol', 'ok', '1'],
      ['token-create', 'ci', 'attempted', null],
      ['token-create', 'ci', 'ok', '3'],
      ['token-revoke', 'ci', 'attempted', null],
      ['token-revoke', 'ci', 'ok', '5'],
      ['token-revoke', 'ci', 'attempted', null],
      ['token-revoke', 'ci', 'failed', '7'],
      ['user-remove', 'carol', 'attempted', null],
      ['user-remove', 'carol', 'ok', '9'],
    ]);
    expect(rows[7]?.detail).toMatchObject({ error: 'no active token named ci' });
    expect(rows[0]).toMatchObject({ actor: 'ada', outcomeId: '2', detail: { role: 'viewer', clusters: null } });
    expect(audit.verify()).toMatchObject({ ok: true, count: 10, unfinished: [] });
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

    it('are refused with 503 and change nothing', async () => {
      await addUserWith(svc, { name: 'carol', password: 'a-long-password-1', role: 'viewer' }, BY);
      createTokenWith(svc, { name: 'ci', role: 'operator' }, BY);
      breakAudit();
      const refused = (e: unknown) => {
        expect(e).toBeInstanceOf(DomainError);
        expect(e).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^the audit log cannot be written \(database or disk is full\): nothing was changed$/) as unknown });
      };
      refused(await addUserWith(svc, { name: 'dave', password: 'a-long-password-2', role: 'admin' }, BY).catch((e: unknown) => e));
      refused(await Promise.resolve().then(() => createTokenWith(svc, { name: 'backdoor', role: 'admin' }, BY)).catch((e: unknown) => e));
      refused(await Promise.resolve().then(() => revokeTokenWith(svc, 'ci', BY)).catch((e: unknown) => e));
      refused(await Promise.resolve().then(() => removeUserWith(svc, 'carol', BY)).catch((e: unknown) => e));
      expect(svc.store.listUsers().map((u) => u.name)).toEqual(['carol']);
      expect(svc.store.listTokens().map((t) => [t.name, t.revokedAt])).toEqual([['ci', null]]);
    });
  });
});
