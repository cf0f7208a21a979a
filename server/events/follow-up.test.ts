import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterEvent, NewClusterEvent } from '@/lib/models/events';
import { openDatabase, type Db } from '@/server/db';
import { EventFollowUp } from './follow-up';
import type { SyncRequest, SyncResult } from './log-sync';
import { EventStore } from './store';

let db: Db | undefined;
let tmp: string | undefined;
afterEach(() => {
  db?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const T = 1_790_000_000_000;
const ev = (p: Partial<NewClusterEvent>): NewClusterEvent => ({
  cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_V4', fromState: null, toState: null, fromMaster: 'dir1', toMaster: 'dir2',
  at: T, endedAt: null, durationMs: null, cause: null, service: null, realServer: null, logLines: [], source: 'observed', ...p,
});

function setup() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'followup-'));
  db = openDatabase(tmp);
  const store = new EventStore(db);
  const syncs: [string, SyncRequest][] = [];
  const sent: ClusterEvent[] = [];
  const followUp = new EventFollowUp({
    clusters: [],
    store,
    delayMs: 0,
    log: () => undefined,
    notifier: { notify: (e) => sent.push(e) },
    logSync: {
      sync: (cluster, req = {}) => {
        syncs.push([cluster, req]);
        // The log explains the failover before it is sent.
        for (const e of store.query({ cluster, from: 0, to: T + 1e6 }).events) store.explain({ id: e.id, at: e.at, cause: 'master sent priority 0', logLines: ['x'], durationMs: 800 });
        return Promise.resolve({ cluster, since: 0, added: 0, explained: 1, errors: [] } satisfies SyncResult);
      },
    },
  });
  return { store, syncs, sent, followUp };
}

describe('EventFollowUp', () => {
  it('explains a new failover from the logs, then notifies it with its cause and gap', async () => {
    const { store, syncs, sent, followUp } = setup();
    const e = ev({});
    await followUp.onRecorded('lab', [{ event: e, result: store.add(e) }]);
    expect(syncs).toEqual([['lab', { since: T, add: false }]]);
    expect(sent.map((x) => [x.kind, x.cause, x.durationMs])).toEqual([['failover', 'master sent priority 0', 800]]);
  });

  it('back-fills from the start of the outage when a director is reachable again', async () => {
    const { store, syncs, followUp } = setup();
    const open = ev({ kind: 'director-unreachable', director: 'dir1', instance: null, fromMaster: null, toMaster: null, at: T - 60_000 });
    store.add(open);
    const closing = { ...open, endedAt: T };
    const reachable = ev({ kind: 'director-reachable', director: 'dir1', instance: null, fromMaster: null, toMaster: null, at: T });
    await followUp.onRecorded('lab', [
      { event: closing, result: store.add(closing) },
      { event: reachable, result: store.add(reachable) },
    ]);
    expect(syncs).toEqual([['lab', { since: T - 60_000, add: true }]]);
  });

  it('reads the log for a transition only keepalived\'s dump showed (nothing stored by the poll)', async () => {
    const { syncs, sent, followUp } = setup();
    await followUp.onRecorded('lab', Object.assign([], { missedSince: T - 5000 }));
    expect(syncs).toEqual([['lab', { since: T - 5000, add: false }]]);
    expect(sent).toEqual([]);
    await followUp.onRecorded('lab', Object.assign([], { missedSince: null }));
    expect(syncs).toHaveLength(1);
  });

  it('does nothing for merged duplicates, and reads no log for a real-server event', async () => {
    const { store, syncs, sent, followUp } = setup();
    await followUp.onRecorded('lab', [{ event: ev({}), result: { id: '9', action: 'merged' } }]);
    const rs = ev({ kind: 'real-server-down', instance: null, director: null, realServer: '192.0.2.11:80', service: 's' });
    await followUp.onRecorded('lab', [{ event: rs, result: store.add(rs) }]);
    expect(syncs).toEqual([]);
    expect(sent.map((x) => x.kind)).toEqual(['real-server-down']);
  });
});
