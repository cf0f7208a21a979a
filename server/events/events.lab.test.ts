import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { ctl, labRefresher, restoreLab, waitFor, type LabRefresher } from '@/server/testing/lab-runtime';
import { openDatabase, type Db } from '@/server/db';
import { EventRecorder } from './recorder';
import { EventStore } from './store';

// The real refresher against the lab: a graceful keepalived stop on dir1 is stored as a failover
// dir1 -> dir2 per instance (and keepalived-down on dir1). dir1 is started again afterwards.
let lab: LabRefresher;
let db: Db;
let tmp: string;
let store: EventStore;
let recorder: EventRecorder;

async function refreshAll(): Promise<ClusterSnapshot> {
  const s = await lab.refreshAll();
  recorder.record(s);
  return s;
}

beforeAll(() => {
  lab = labRefresher();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'events-lab-'));
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

describe('failover events from the lab', () => {
  it('stores a failover dir1 -> dir2 when keepalived stops gracefully on dir1', async () => {
    await refreshAll(); // first refresh asks keepalived for its dump...
    const before = await refreshAll(); // ...the second reads it
    expect(before.instances.map((i) => i.master)).toEqual(['dir1', 'dir1']);
    const start = Date.now();
    await ctl('keepalived', 'stop', 'dir1');
    await waitFor('dir2 to hold the VIPs', async () => {
      const s = await refreshAll();
      return s.instances.every((i) => i.master === 'dir2') ? s : null;
    }, 30_000, 200);
    const { events } = store.query({ cluster: before.name, from: start - 5000, to: Date.now() + 5000 });
    const failovers = events.filter((e) => e.kind === 'failover').map((e) => [e.instance, e.fromMaster, e.toMaster, e.director, e.source]);
    expect(failovers.sort()).toEqual([
      ['VI_V4', 'dir1', 'dir2', 'dir2', 'observed'],
      ['VI_V6', 'dir1', 'dir2', 'dir2', 'observed'],
    ]);
    for (const f of events.filter((e) => e.kind === 'failover')) {
      expect(f.at).toBeGreaterThanOrEqual(start - 1000);
      expect(f.at).toBeLessThanOrEqual(Date.now());
    }
    expect(events.some((e) => e.kind === 'keepalived-down' && e.director === 'dir1')).toBe(true);
  });
});
