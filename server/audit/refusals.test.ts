import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/lib/models/audit';
import { testDb } from '@/server/testing/test-db';
import { AuditLog } from './log';

// Refused requests are counted per source and minute, not written one row each (issue 14, item 3).

function fresh(maxWindows?: number) {
  const db = testDb();
  let clock = 1_700_000_000_000;
  const logged: string[] = [];
  const log = new AuditLog(db, { refusals: { now: () => clock, maxWindows, log: (l) => logged.push(l) } });
  return { db, log, logged, tick: (ms: number) => (clock += ms), rows: () => (db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n };
}

const refusal = (source: string, path = '/api/clusters/lab/drain', actor = 'anonymous') => ({
  actor,
  role: null,
  source,
  action: `POST ${path}`,
  cluster: 'lab',
  target: null,
  outcome: 'refused' as const,
  detail: { status: 'unauthorized', message: 'log in first' },
});
const KEY = { kind: 'POST /api/clusters/[cluster]/drain', by: null };

/** Refusals an entry stands for: a summary row says how many more; any other row is one. */
const represented = (entries: AuditEntry[]) => entries.reduce((n, e) => n + ((e.detail as { count?: number } | null)?.count ?? 1), 0);

describe('refusal audit', () => {
  it('1,000 refusals from one source within a minute add two rows, whose counts add up to 1,000', () => {
    const { log, tick, rows } = fresh();
    for (let i = 0; i < 1000; i++) {
      log.refusals.record(refusal('192.0.2.80'), KEY);
      tick(50); // 1,000 × 50 ms = 50 s: all within the minute
    }
    expect(rows()).toBe(1); // only the first so far; the rest are counted
    tick(15_000);
    log.refusals.sweep(); // the minute has closed
    expect(rows()).toBe(2);
    const entries = log.list();
    expect(represented(entries)).toBe(1000);
    const [summary, first] = entries;
    expect(summary).toMatchObject({ actor: 'anonymous', source: '192.0.2.80', action: 'POST /api/clusters/lab/drain', outcome: 'refused' });
    expect(summary?.detail).toMatchObject({ count: 999, continues: first?.id, message: expect.stringMatching(/^refused ×999 more from 192\.0\.2\.80/) as unknown });
    expect(log.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it('a refusal after the minute writes the summary and opens a new window; shutdown writes what is pending', () => {
    const { log, tick, rows } = fresh();
    for (let i = 0; i < 10; i++) log.refusals.record(refusal('192.0.2.81'), KEY);
    tick(61_000);
    log.refusals.record(refusal('192.0.2.81'), KEY); // summary of 9, then this one as a new first row
    expect(rows()).toBe(3);
    log.refusals.record(refusal('192.0.2.81'), KEY);
    log.refusals.flush();
    expect(rows()).toBe(4);
    expect(log.list().map((e) => (e.detail as { count?: number }).count ?? 1)).toEqual([1, 1, 9, 1]);
    expect(represented(log.list())).toBe(12);
    expect(log.refusals.size).toBe(0);
  });

  it('counts per source, per kind and per authenticated actor; made-up path parts do not open windows', () => {
    const { log, rows } = fresh();
    log.refusals.record(refusal('192.0.2.82'), KEY);
    log.refusals.record(refusal('192.0.2.83'), KEY);
    log.refusals.record(refusal('192.0.2.82', '/api/admin/users'), { kind: 'POST /api/admin/users', by: null });
    log.refusals.record({ ...refusal('192.0.2.82'), actor: 'vera', role: 'viewer' }, { ...KEY, by: 'vera' });
    expect(rows()).toBe(4);
    for (let i = 0; i < 100; i++) log.refusals.record(refusal('192.0.2.82', `/api/admin/tokens/x${i}`), { kind: 'DELETE /api/admin/tokens/[name]', by: null });
    expect(rows()).toBe(5);
    log.refusals.flush();
    const summary = log.list()[0];
    expect(summary).toMatchObject({ action: 'DELETE /api/admin/tokens/[name]', detail: { count: 99 } });
    expect((summary?.detail as { actions: string[] }).actions).toHaveLength(10); // examples, bounded
  });

  it('keeps at most maxWindows windows; further sources share one overflow window', () => {
    const { log, rows } = fresh(50);
    for (let i = 0; i < 1000; i++) log.refusals.record(refusal(`2001:db8::${i.toString(16)}`), KEY);
    expect(log.refusals.size).toBe(51);
    expect(rows()).toBe(51); // 50 first rows and the overflow's first row
    log.refusals.flush();
    expect(represented(log.list({ limit: 5000 }))).toBe(1000);
    expect(log.list()[0]).toMatchObject({ source: '*', detail: { count: 949 } });
  });

  it('a summary that cannot be written is reported, not thrown', () => {
    const { db, log, logged } = fresh();
    log.refusals.record(refusal('192.0.2.84'), KEY);
    log.refusals.record(refusal('192.0.2.84'), KEY);
    db.close();
    expect(() => log.refusals.flush()).not.toThrow();
    expect(logged[0]).toMatch(/could not record 1 refusal\(s\) from 192\.0\.2\.84/);
  });
});
