import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { ctl, labRefresher, restoreLab, waitFor, type LabRefresher } from '@/server/testing/lab-runtime';
import { openDatabase, type Db } from '@/server/db';
import { LogSync, sshLogReader } from './log-sync';
import { EventRecorder } from './recorder';
import { EventStore } from './store';

// The console "down" (refreshing the lab without recording), two failovers (graceful stop of
// keepalived on dir1: dir1 -> dir2; start again: dir2 -> dir1 by preemption), then the log
// back-fill over SSH stores both transitions of both instances exactly once, with their causes;
// a second back-fill stores nothing more.
let lab: LabRefresher;
let db: Db;
let tmp: string;
let store: EventStore;
let recorder: EventRecorder;

async function refresh(record: boolean): Promise<ClusterSnapshot> {
  const s = await lab.refreshAll();
  if (record) recorder.record(s);
  return s;
}

const masters = (want: string) => async () => {
  const s = await refresh(false);
  return s.instances.length > 0 && s.instances.every((i) => i.master === want) ? s : null;
};

beforeAll(() => {
  lab = labRefresher();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backfill-lab-'));
  db = openDatabase(tmp);
  store = new EventStore(db);
  recorder = new EventRecorder(store);
});
afterAll(async () => {
  try {
    await restoreLab([['start keepalived on dir1', () => ctl('keepalived', 'start', 'dir1')]]);
  } finally {
    await lab.close();
    db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 300_000);

describe('log back-fill over SSH', () => {
  it('stores two failovers that happened while nothing was recorded, once, with their causes', async () => {
    // The first refresh asks keepalived for its dump, a later one reads it.
    let last: ClusterSnapshot | null = null;
    const before = await waitFor('a baseline with dir1 master of both instances', async () => {
      const s = (last = await refresh(true));
      // Settled: dir1 master of both for a few seconds (not just preempting back).
      return s.instances.length === 2 && s.instances.every((i) => i.master === 'dir1' && i.masterSince !== null && i.masterSince < Date.now() - 5000) ? s : null;
    }, 90_000, 500).catch((e: unknown) => {
      throw new Error(`${String(e)}; last: ${JSON.stringify({ instances: last?.instances, directors: last?.directors.map((d) => [d.name, d.live, d.error]) })}`);
    });
    // Whatever the baseline recorded (the lab may have just failed back) is not what we look for.
    await new Promise((r) => setTimeout(r, 3000));
    const known = new Set(store.query({ cluster: before.name, from: 0, to: Date.now() + 60_000 }).events.map((e) => e.id));
    const start = Date.now();
    await ctl('keepalived', 'stop', 'dir1');
    await waitFor('dir2 to hold the VIPs', masters('dir2'), 30_000, 300);
    await ctl('keepalived', 'start', 'dir1');
    await waitFor('dir1 to preempt back', masters('dir1'), 60_000, 500);
    // Nothing was recorded meanwhile (the console was "down").
    const q = () =>
      store.query({ cluster: before.name, from: start - 1000, to: Date.now() + 2000 }).events.filter((e) => e.kind === 'failover' && !known.has(e.id));
    expect(q()).toEqual([]);

    const sync = new LogSync({ clusters: lab.config.clusters, store, readLog: sshLogReader(lab.refresher.pool, lab.config.ssh.commandTimeoutMs) });
    const t0 = performance.now();
    const r = await sync.sync(before.name, { since: start, add: true });
    const ms = performance.now() - t0;
    expect(r.errors).toEqual([]);
    const rows = () => q().map((e) => [e.instance, e.fromMaster, e.toMaster, e.source]).sort();
    expect(rows()).toEqual([
      ['VI_V4', 'dir1', 'dir2', 'log'],
      ['VI_V4', 'dir2', 'dir1', 'log'],
      ['VI_V6', 'dir1', 'dir2', 'log'],
      ['VI_V6', 'dir2', 'dir1', 'log'],
    ]);
    for (const f of q()) {
      expect(f.at).toBeGreaterThanOrEqual(start - 1000);
      expect(f.cause, `${f.instance} ${f.fromMaster}->${f.toMaster}`).toBeTruthy();
      expect(f.logLines.some((l) => l.includes(`(${f.instance}) Entering MASTER STATE`))).toBe(true);
      if (f.toMaster === 'dir2') expect(f.cause).toBe('master sent priority 0 (keepalived was stopping on dir1)');
    }
    expect(store.query({ cluster: before.name, from: start - 2000, to: Date.now() }).events.some((e) => e.kind === 'keepalived-down' && e.director === 'dir1')).toBe(true);

    const again = await sync.sync(before.name, { since: start, add: true });
    expect(again.added).toBe(0);
    expect(rows()).toHaveLength(4);
    console.log(`back-fill over SSH: ${r.added} events added, ${ms.toFixed(0)} ms; second run added ${again.added}`);
  });
});
