// The one lab harness for *.lab.test.ts: the console's own runtime on the lab (createRuntime, as the
// server builds it), or a bare refresher that reads both directors and merges them on demand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterSnapshot } from '@/lib/models/cluster';
import { mergeSnapshot } from '@/server/collector/merge-snapshot';
import type { DirectorObservation } from '@/server/collector/observation';
import { createDirectorRefresher, type DirectorRefresher } from '@/server/collector/refresh-director';
import type { ClusterConfig, ConsoleConfig } from '@/server/config/schema';
import { createRuntime, type Runtime } from '@/server/runtime';
import { labConfig, waitFor } from './lab';

export { ctl, labSsh, restoreLab, waitFor } from './lab';

export interface LabRuntime {
  config: ConsoleConfig;
  runtime: Runtime;
  /** The lab cluster's merged snapshot now (throws before the first merge). */
  snapshot: () => ClusterSnapshot;
  /** Until both directors answered (and, with `keepalivedDump`, keepalived's dump was read). */
  ready: (opts?: { keepalivedDump?: boolean; timeoutMs?: number }) => Promise<ClusterSnapshot>;
  /** Stops the runtime and removes its state directory (unless it was given). */
  close: () => Promise<void>;
}

/**
 * The runtime on the lab's generated configuration, with its state (database, audit key) in a
 * temporary directory. `commandTimeoutMs` raises the SSH command limit: the emulated lab on a
 * loaded CI machine is slow, and how fast things are belongs to the bench, not to these tests.
 */
export function startLabRuntime(opts: { commandTimeoutMs?: number; stateDir?: string } = {}): LabRuntime {
  const lab = labConfig();
  // A given state directory is kept on close (a test restarting the console on the same database).
  const stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lab-runtime-'));
  const config: ConsoleConfig = { ...lab, stateDir, ssh: { ...lab.ssh, commandTimeoutMs: opts.commandTimeoutMs ?? lab.ssh.commandTimeoutMs } };
  const runtime = createRuntime(config);
  const snapshot = (): ClusterSnapshot => {
    const s = runtime.collector.snapshot('lab');
    if (!s) throw new Error('no lab snapshot yet');
    return s;
  };
  return {
    config,
    runtime,
    snapshot,
    ready: ({ keepalivedDump = false, timeoutMs = 240_000 } = {}) =>
      waitFor(
        keepalivedDump ? 'a full snapshot (both directors live, keepalived dump read)' : 'both lab directors live',
        () => {
          const s = runtime.collector.snapshot('lab');
          if (!s?.directors.every((d) => d.live)) return Promise.resolve(null);
          // The NAT service's rs3 has a track file: present once keepalived's dump was read.
          const dumped = s.services.find((x) => x.key === 'TCP 192.0.2.102:80')?.realServers.some((r) => r.trackFile) === true;
          return Promise.resolve(!keepalivedDump || dumped ? s : null);
        },
        timeoutMs,
      ),
    close: async () => {
      await runtime.close();
      if (opts.stateDir === undefined) fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface LabRefresher {
  config: ConsoleConfig;
  cluster: ClusterConfig;
  refresher: DirectorRefresher;
  /** Refreshes both directors (a failed one keeps its previous data, with the error) and merges them. */
  refreshAll: (opts?: { dumpNow?: boolean; networkNow?: boolean }) => Promise<ClusterSnapshot>;
  close: () => Promise<void>;
}

/** The refresh alone, without a collector's timer: each `refreshAll()` is one read of both directors. */
export function labRefresher(): LabRefresher {
  const config = labConfig();
  const cluster = config.clusters[0];
  if (!cluster) throw new Error('no cluster in the lab config');
  const refresher = createDirectorRefresher(config);
  const obs = new Map<string, DirectorObservation>();
  const findingSince = new Map<string, number>();
  return {
    config,
    cluster,
    refresher,
    refreshAll: async (opts) => {
      await Promise.all(
        cluster.directors.map(async (d) => {
          const prev = obs.get(d.name) ?? { name: d.name, endpoint: `${d.host}:${d.port}`, data: null, error: null };
          try {
            obs.set(d.name, { ...prev, data: await refresher.refresh(cluster, d, prev.data, opts), error: null });
          } catch (e) {
            obs.set(d.name, { ...prev, error: { code: 'refresh-failed', message: String(e), since: Date.now() } });
          }
        }),
      );
      return mergeSnapshot({ cluster: cluster.name, now: Date.now(), pollIntervalMs: 60_000, observations: cluster.directors.flatMap((d) => obs.get(d.name) ?? []), findingSince });
    },
    close: () => refresher.close(),
  };
}
