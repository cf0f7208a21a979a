import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { ctl, labConfig, restoreLab, waitFor } from '@/server/testing/lab';
import { mergeSnapshot } from '@/server/collector/merge-snapshot';
import type { DirectorObservation } from '@/server/collector/observation';
import { createDirectorRefresher, type DirectorRefresher } from '@/server/collector/refresh-director';
import type { ConsoleConfig } from '@/server/config/schema';
import { openDatabase, type Db } from '@/server/db';
import { EventRecorder } from './recorder';
import { EventStore } from './store';

// The real refresher against the lab: a graceful keepalived stop on dir1 is stored as a failover
// dir1 -> dir2 per instance (and keepalived-down on dir1). dir1 is started again afterwards.
let config: ConsoleConfig;
let refresher: DirectorRefresher;
let db: Db;
let tmp: string;
let store: EventStore;
let recorder: EventRecorder;
const obs = new Map<string, DirectorObservation>();
const findingSince = new Map<string, number>();

async function refreshAll(): Promise<ClusterSnapshot> {
  const cluster = config.clusters[0];
  if (!cluster) throw new Error('no cluster in the lab config');
  await Promise.all(
    cluster.directors.map(async (d) => {
      const prev = obs.get(d.name) ?? { name: d.name, endpoint: `${d.host}:${d.port}`, data: null, error: null };
      try {
        obs.set(d.name, { ...prev, data: await refresher.refresh(cluster, d, prev.data), error: null });
      } catch (e) {
        obs.set(d.name, { ...prev, error: { code: 'x', message: String(e), since: Date.now() } });
      }
    }),
  );
  const s = mergeSnapshot({ cluster: cluster.name, now: Date.now(), pollIntervalMs: 60_000, observations: cluster.directors.flatMap((d) => obs.get(d.name) ?? []), findingSince });
  recorder.record(s);
  return s;
}

beforeAll(() => {
  config = labConfig();
  refresher = createDirectorRefresher(config);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'events-lab-'));
  db = openDatabase(tmp);
  store = new EventStore(db);
  recorder = new EventRecorder(store);
});
afterAll(async () => {
  try {
    await restoreLab([['start keepalived on dir1', () => ctl('keepalived', 'start', 'dir1')]]);
  } finally {
    await refresher.close();
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
