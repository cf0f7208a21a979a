import 'server-only';
import type { DiagnosticsReport } from '@/lib/models/diagnostics';
import { ApiError } from '@/server/api/errors';
import { keepalivedConfigTest } from '@/server/commands/keepalived';
import { ipAddrJson, ipRouteJson, ipv4ConfSysctls } from '@/server/commands/system';
import type { ClusterConfig, DirectorConfig, RealServerHostConfig } from '@/server/config/schema';
import { getRuntime } from '@/server/runtime';
import { exec, execSequence } from '@/server/ssh/exec';
import { DirectorError } from '@/server/ssh/errors';
import type { SshPool } from '@/server/ssh/pool';
import { diagnoseCluster, diagnoseMaintenance, diagnoseNetworkManager, type ConfigTest } from '@/server/diagnostics/checks';
import { diagnoseRealServers, type RealServerReadout } from '@/server/diagnostics/real-servers';

// GET /api/clusters/:cluster/diagnostics: runs `keepalived -t` on every director (read-only, in the
// sudoers catalogue), refreshes the cluster now, and judges the fresh snapshot. One run at a time per
// cluster; a report younger than REUSE_MS is answered again (a button pressed twice costs nothing).

const REUSE_MS = 10_000;
const running = new Map<string, Promise<DiagnosticsReport>>();
const recent = new Map<string, DiagnosticsReport>();

/** `keepalived -t` on one director: accepted, refused (with its message), or not run (why). */
export async function configTest(director: Parameters<typeof exec>[0], timeoutMs: number, pool?: SshPool): Promise<ConfigTest> {
  try {
    // Asked for by a viewer (diagnostics): a low-priority read, off the channels refreshes and changes need.
    const r = await exec(director, keepalivedConfigTest(), { timeoutMs, priority: 'low', ...(pool ? { pool } : {}) });
    return { ok: true, output: `${r.stdout}\n${r.stderr}`.trim() };
  } catch (e) {
    if (e instanceof DirectorError && e.code === 'command-failed') return { ok: false, output: e.stderr };
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** A real-server host as the SSH layer takes it (no sudo, no keepalived; its own pool slot). */
export function realServerConnection(cluster: ClusterConfig, h: RealServerHostConfig): DirectorConfig {
  return {
    name: `realserver:${cluster.name}:${h.name}`,
    cluster: cluster.name,
    host: h.host,
    port: h.port,
    user: h.user,
    agent: h.agent,
    sudo: false,
    keepalivedLog: { journald: { unit: 'keepalived' } },
    ...(h.privateKeyPath !== undefined ? { privateKeyPath: h.privateKeyPath } : {}),
    ...(h.passphrase !== undefined ? { passphrase: h.passphrase } : {}),
    ...(h.hostKey !== undefined ? { hostKey: h.hostKey } : {}),
    ...(h.knownHostsPath !== undefined ? { knownHostsPath: h.knownHostsPath } : {}),
    ...(h.jumpHost !== undefined ? { jumpHost: h.jumpHost } : {}),
  };
}

/** ip addr, ip route and the ipv4 conf sysctls of one real server, in one SSH round trip (read-only). */
export async function readRealServer(cluster: ClusterConfig, h: RealServerHostConfig, timeoutMs: number, pool?: SshPool): Promise<RealServerReadout> {
  const base = { host: h.name, addresses: h.addresses };
  try {
    const r = await execSequence(realServerConnection(cluster, h), [ipAddrJson(), ipRouteJson(), ipv4ConfSysctls()], { timeoutMs, priority: 'low', ...(pool ? { pool } : {}) });
    const [addr, route, sys] = r.steps;
    const failed = r.steps.find((st) => st.error !== null);
    if (failed) return { ...base, ipAddr: null, ipRoute: null, sysctls: null, error: `${failed.command.name}: ${failed.error?.message ?? 'failed'}` };
    return { ...base, ipAddr: addr?.stdout ?? null, ipRoute: route?.stdout ?? null, sysctls: sys?.stdout ?? null, error: null };
  } catch (e) {
    return { ...base, ipAddr: null, ipRoute: null, sysctls: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * `keepalived -t` parses the whole configuration and the real servers' reads are three commands:
 * allow them more than a poll's command time on a slow director (at least 45 s).
 */
const DIAGNOSTIC_TIMEOUT_MIN_MS = 45_000;

async function run(cluster: string): Promise<DiagnosticsReport> {
  const rt = getRuntime();
  const timeoutMs = Math.max(rt.config.ssh.commandTimeoutMs, DIAGNOSTIC_TIMEOUT_MIN_MS);
  const config = rt.config.clusters.find((c) => c.name === cluster);
  if (!config) throw new ApiError('not-found', `no cluster named "${cluster}" is configured`);
  const started = Date.now();
  const [tests, snapshot, realServers] = await Promise.all([
    Promise.all(config.directors.map(async (d) => [d.name, await configTest(d, timeoutMs)] as const)),
    rt.collector.refreshNow(cluster, { network: true }),
    Promise.all(config.realServerHosts.map((h) => readRealServer(config, h, timeoutMs))),
  ]);
  if (!snapshot) throw new ApiError('not-found', `no cluster named "${cluster}" is configured`);
  const checks = [...diagnoseCluster(snapshot, Object.fromEntries(tests)), ...diagnoseMaintenance(snapshot, rt.maintenance.status(cluster)), ...diagnoseNetworkManager(snapshot), ...diagnoseRealServers(snapshot, realServers)];
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  return {
    cluster,
    ranAt: started,
    durationMs: Date.now() - started,
    snapshotAt: snapshot.takenAt,
    checks,
    counts: { problem: count('problem'), warning: count('warning'), ok: count('ok'), unknown: count('unknown') },
  };
}

export async function diagnoseClusterNow(cluster: string): Promise<DiagnosticsReport> {
  const last = recent.get(cluster);
  if (last && Date.now() - last.ranAt < REUSE_MS) return last;
  let p = running.get(cluster);
  if (!p) {
    p = run(cluster).finally(() => running.delete(cluster));
    running.set(cluster, p);
  }
  const report = await p;
  recent.set(cluster, report);
  return report;
}
