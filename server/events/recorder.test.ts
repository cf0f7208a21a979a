import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterInstance, ClusterSnapshot } from '@/lib/models/cluster';
import { openDatabase, type Db } from '@/server/db';
import { EventRecorder } from './recorder';
import { EventStore } from './store';

let db: Db | undefined;
let tmp: string | undefined;
afterEach(() => {
  db?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const T = 1_790_000_000_000;
function snap(t: number, holders: string[]): ClusterSnapshot {
  const live = { endpoint: 'x:22', live: true, takenAt: t, refreshMs: 1, error: null, keepalivedRunning: true, keepalivedPid: 1, instances: [], heldVips: [], health: null, ipvsadmVersion: null };
  const inst: ClusterInstance = { name: 'VI_1', vips: ['192.0.2.100'], master: holders.length === 1 ? (holders[0] ?? null) : null, holders, masterSince: null, states: {} };
  const findings = holders.length === 0 ? [{ id: 'no-master:VI_1', kind: 'no-master' as const, severity: 'critical' as const, message: '', director: null, service: null, realServer: null, since: t }] : [];
  return { name: 'lab', takenAt: t, pollIntervalMs: 2000, directors: [{ name: 'dir1', ...live }, { name: 'dir2', ...live }], instances: [inst], services: [], findings };
}

describe('EventRecorder', () => {
  it('stores a failover across a no-master gap, and the gap with its length', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-'));
    db = openDatabase(tmp);
    const store = new EventStore(db);
    const rec = new EventRecorder(store);
    rec.record(snap(T, ['dir1']));
    rec.record(snap(T + 2000, ['dir1']));
    rec.record(snap(T + 4000, []));
    rec.record(snap(T + 6000, []));
    rec.record(snap(T + 8000, ['dir2']));
    const { events } = store.query({ from: T, to: T + 10_000 });
    expect(events.map((e) => [e.kind, e.at, e.fromMaster, e.toMaster, e.endedAt, e.durationMs])).toEqual([
      ['failover', T + 8000, 'dir1', 'dir2', null, null],
      ['no-master', T + 4000, 'dir1', 'dir2', T + 8000, 4000],
    ]);
  });
});
