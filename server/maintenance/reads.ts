import 'server-only';
import type { SyncDaemonState } from '@/lib/models/maintenance';
import { ipvsadmConnections, ipvsadmDaemon, pidofConntrackd, sysctlRead } from '@/server/commands/catalogue';
import type { DirectorConfig } from '@/server/config/schema';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { parseSysctl } from '@/server/parsers/sysctl';
import { describeRefreshError } from '@/server/ssh/describe-error';
import { execSequence, execStream } from '@/server/ssh/exec';
import type { SshPool } from '@/server/ssh/pool';
import { countWouldBreak, peerEntries, type SurvivalCount } from './connections';

// The pre-flight's own reads, beyond what the collector keeps: the sync daemons and sloppy_tcp of
// every director (one round trip each), and the connection listings of the director giving up the
// VIPs and of the peer taking them. Failures come back as values: the pre-flight says what it could
// not read instead of failing.

export interface DirectorFacts {
  daemons: SyncDaemonState;
  sloppyTcp: boolean | null;
  /** net.ipv4.vs.conntrack: IPVS keeps netfilter conntrack entries for its connections (null: not read). */
  ipvsConntrack?: boolean | null;
  /** conntrackd runs (netfilter's state synced to the peer); null: not read. */
  conntrackd?: boolean | null;
}

export async function readDirectorFacts(name: string, d: DirectorConfig, pool: SshPool): Promise<DirectorFacts> {
  const none = (error: string | null): SyncDaemonState => ({ director: name, master: false, backup: false, syncId: null, error });
  try {
    const r = await execSequence(d, [ipvsadmDaemon(), sysctlRead(['net.ipv4.vs.sloppy_tcp', 'net.ipv4.vs.conntrack']), pidofConntrackd()], { pool });
    const [daemon, sysctl, conntrackd] = r.steps;
    let daemons = none(null);
    if (!daemon || daemon.error) daemons = none(daemon?.error?.message ?? 'no answer');
    else {
      const list = parseIpvsadm(daemon.stdout, { mode: 'daemon' }).daemons ?? [];
      const master = list.find((x) => x.role === 'master');
      const backup = list.find((x) => x.role === 'backup');
      daemons = { director: name, master: Boolean(master), backup: Boolean(backup), syncId: (master ?? backup)?.syncId ?? null, error: null };
    }
    const values = sysctl && !sysctl.error ? parseSysctl(sysctl.stdout).values : {};
    const flag = (k: string) => (values[k] === undefined ? null : values[k] === '1');
    // pidof: exit 0 with pids, 1 when none runs; anything else is "not read"
    const ctd = conntrackd?.exitCode === 0 ? true : conntrackd?.exitCode === 1 ? false : null;
    return { daemons, sloppyTcp: flag('net.ipv4.vs.sloppy_tcp'), ipvsConntrack: flag('net.ipv4.vs.conntrack'), conntrackd: ctd };
  } catch (e) {
    return { daemons: none(describeRefreshError(e).message), sloppyTcp: null };
  }
}

export type SurvivalRead = (SurvivalCount & { truncated: boolean; error: null }) | { error: string };

/** Established entries on `giver` and how many of them `peer` lacks. */
export async function readSurvival(giver: DirectorConfig, peer: DirectorConfig, pool: SshPool): Promise<SurvivalRead> {
  try {
    const theirs = await peerEntries(execStream(peer, ipvsadmConnections(), { pool }));
    const count = await countWouldBreak(execStream(giver, ipvsadmConnections(), { pool }), theirs);
    return { ...count, truncated: theirs.truncated, error: null };
  } catch (e) {
    return { error: describeRefreshError(e).message };
  }
}
