import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '@/server/config/schema';
import { openDatabase, type Db } from '@/server/db';
import { detectLogFormat, LogSync, networkManagerJournalLines, type ReadDirectorLog } from './log-sync';
import { EventStore } from './store';

const dir = path.join(__dirname, '..', 'parsers', 'fixtures', 'keepalived-log');
const text = (d: string) => fs.readFileSync(path.join(dir, `lab-${d}-console.log`), 'utf8');
const at = (hms: string) => Date.parse(`2026-11-22T${hms}Z`);
const cluster = { name: 'lab', directors: [{ name: 'dir1' }, { name: 'dir2' }] } as unknown as ClusterConfig;

let db: Db | undefined;
let tmp: string | undefined;
afterEach(() => {
  db?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  db = undefined;
});

function setup(readLog: ReadDirectorLog, now = at('04:00:00')) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'logsync-'));
  db = openDatabase(tmp);
  const store = new EventStore(db);
  const added: string[] = [];
  const sync = new LogSync({ clusters: [cluster], store, readLog, now: () => now, onAdded: (evs) => added.push(...evs.map((e) => e.id)) });
  return { store, sync, added };
}

const fixtureReader: ReadDirectorLog = (d) => Promise.resolve({ director: d.name, text: text(d.name), options: { format: 'console' } });

describe('LogSync', () => {
  it('back-fills failovers from both logs once; a second run stores nothing new', async () => {
    const { store, sync, added } = setup(fixtureReader);
    const r = await sync.sync('lab', { add: true, since: at('03:56:20') });
    expect(r.errors).toEqual([]);
    const failovers = () => store.query({ cluster: 'lab', from: 0, to: at('05:00:00') }).events.filter((e) => e.kind === 'failover');
    // Only what happened since 03:55:20 (since - 60 s lead): all six failovers of the fixture.
    expect(failovers().map((e) => [e.at, e.instance, e.fromMaster, e.toMaster, e.durationMs]).reverse()).toEqual([
      [at('03:56:08'), 'VI_V6', 'dir2', 'dir1', 0],
      [at('03:56:08'), 'VI_V4', 'dir2', 'dir1', 0],
      [at('03:56:31'), 'VI_V6', 'dir1', 'dir2', expect.any(Number)],
      [at('03:56:31'), 'VI_V4', 'dir1', 'dir2', expect.any(Number)],
      [at('03:56:40'), 'VI_V6', 'dir2', 'dir1', 0],
      [at('03:56:40'), 'VI_V4', 'dir2', 'dir1', 0],
    ]);
    expect(added.length).toBe(r.added);
    const again = await sync.sync('lab', { add: true, since: at('03:56:20') });
    expect(again.added).toBe(0);
    expect(failovers()).toHaveLength(6);
  });

  it('without add, only explains a stored observed failover (cause, log time, lines)', async () => {
    const { store, sync } = setup(fixtureReader);
    const { id } = store.add({
      cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1', toMaster: 'dir2',
      at: at('03:56:32') + 400, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed',
    });
    const r = await sync.sync('lab', { since: at('03:56:32') });
    expect(r.added).toBe(0);
    expect(store.query({ cluster: 'lab', from: 0, to: at('05:00:00') }).events).toHaveLength(1);
    expect(store.get(id)).toMatchObject({ at: at('03:56:31'), cause: 'track script chk_fault_flag failed on dir1' });
    expect(store.get(id)?.logLines).toContain('Sun Nov 22 03:56:31 2026: (VI_V4) Entering MASTER STATE');
  });

  it('explains an observation that lagged the log by 12 s and did not know the previous master', async () => {
    const { store, sync } = setup(fixtureReader);
    const { id } = store.add({
      cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: 'BACKUP', toState: 'MASTER', fromMaster: null, toMaster: 'dir2',
      at: at('03:56:43'), endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed',
    });
    await sync.sync('lab', { since: at('03:56:43') });
    expect(store.get(id)).toMatchObject({ at: at('03:56:31'), fromMaster: 'dir1', cause: 'track script chk_fault_flag failed on dir1' });
    expect(store.get(id)?.durationMs).not.toBeNull();
  });

  it('uses the directors it can read and reports the others', async () => {
    const { sync } = setup((d) => (d.name === 'dir1' ? Promise.reject(new Error('ssh: connection refused')) : fixtureReader(d, 0, 0)));
    const r = await sync.sync('lab', { add: true });
    expect(r.errors).toEqual([{ director: 'dir1', message: 'ssh: connection refused' }]);
  });

  it('runs one sync per cluster at a time and merges requests made meanwhile', async () => {
    let calls = 0;
    const { sync } = setup(async (d) => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return fixtureReader(d, 0, 0);
    });
    const a = sync.sync('lab');
    const b = sync.sync('lab', { since: at('03:56:00') });
    const c = sync.sync('lab', { add: true });
    await Promise.all([a, b, c]);
    expect(calls).toBe(4); // two runs x two directors
    expect(await b).toBe(await c);
  });
});

describe('detectLogFormat', () => {
  it('tells keepalived --log-file lines from syslog and journal lines', () => {
    expect(detectLogFormat(text('dir1'), 2026).format).toBe('console');
    expect(detectLogFormat('Nov 22 02:48:49 lb1 Keepalived_vrrp[123]: (VI_1) Entering MASTER STATE\n', 2026).format).toBe('syslog');
    expect(detectLogFormat('2026-11-22T02:48:49.123456+0000 lb1 Keepalived_vrrp[123]: (VI_1) Entering MASTER STATE\n', 2026).format).toBe('journal-short-iso');
  });
});

describe('a VIP removed outside keepalived, with NetworkManager\'s own lines (captured on the lab: lab/ctl nm-reapply dir2 as master)', () => {
  const excerpt = fs.readFileSync(path.join(dir, 'lab-dir2-excerpt-nm-reapply-console.log'), 'utf8');
  const journal = fs.readFileSync(path.join(__dirname, 'fixtures', 'lab-dir2-nm-reapply-journal.json'), 'utf8');
  const removedAt = Date.parse('2026-12-07T02:28:22Z');

  it('journal JSON -> time-stamped lines within the window', () => {
    expect(networkManagerJournalLines(journal, removedAt - 10_000, removedAt + 1000)).toEqual([
      '2026-12-07T02:28:22.921Z NetworkManager: <info>  [1796610502.9207] audit: op="device-reapply" interface="eth0" ifindex=3 pid=607 uid=0 result="success"',
    ]);
    expect(networkManagerJournalLines(journal, removedAt + 2000, removedAt + 5000)).toEqual([]);
    expect(networkManagerJournalLines('-- No entries --\nnot json\n{"MESSAGE":1}\n', 0, Infinity)).toEqual([]);
  });

  it('an explain-only read (no back-fill) still stores it, with NetworkManager\'s audit line and the re-apply named in the cause', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'logsync-'));
    db = openDatabase(tmp);
    const store = new EventStore(db);
    const asked: [string, number, number][] = [];
    const sync = new LogSync({
      clusters: [cluster], store, now: () => removedAt + 30_000,
      readLog: (d) => Promise.resolve({ director: d.name, text: d.name === 'dir2' ? excerpt : '', options: { format: 'console', year: 2026 } }),
      readNetworkManagerLog: (d, from, to) => {
        asked.push([d.name, from, to]);
        return Promise.resolve(networkManagerJournalLines(journal, from, to));
      },
    });
    const r = await sync.sync('lab', { since: removedAt - 5000 });
    expect(r.added).toBe(1);
    const [e] = store.query({ cluster: 'lab', from: 0, to: removedAt + 60_000 }).events.filter((x) => x.kind === 'vip-removed');
    expect(e).toMatchObject({ director: 'dir2', instance: 'VI_V4', durationMs: 1000 });
    expect(e?.cause).toMatch(/NetworkManager logged device-reapply just before\.$/);
    expect(e?.logLines.at(-1)).toContain('audit: op="device-reapply" interface="eth0"');
    expect(asked).toEqual([['dir2', removedAt - 10_000, removedAt + 1000]]);
    // stored once: the next read finds it stored
    expect((await sync.sync('lab', { since: removedAt - 5000 })).added).toBe(0);
  });
});
