import type { ClusterEvent } from './events';
import type { ClusterSnapshot, MergedRealServer, RealServerHold } from './cluster';

// "Why is this server out?": every real server of a cluster that takes no new connections, with
// where that comes from, computed from the snapshot the page already has (no new reads). A server
// can have more than one source (held by the console and its checker down...); each is listed.
//
// Out of rotation = on some live director it is absent or has weight 0 where it is configured, or
// keepalived's checker finds it down, or the console holds it at weight 0.
//
// Sources:
// - hold: the console holds it (drain, or a weight hold of 0): who, why, since, lease;
// - configured-zero: keepalived.conf gives it weight 0 (no console hold: the configuration did it);
// - track-file: keepalived's FILE_CHECK track file sets it to 0 (written by hand or another tool);
// - checker-down: keepalived's health checker finds it down (since when, from the timeline's open
//   real-server-down event, when known);
// - hand-edit: weight 0 on a director while keepalived.conf says otherwise and nothing above
//   explains it (someone ran ipvsadm -e; comes back on the next keepalived reload);
// - absent: missing from a live director's table with no checker verdict;
// - weight-zero: weight 0 and nothing known to explain it (keepalived's configuration not read).

export type OutOfRotationSource =
  | { kind: 'hold'; hold: RealServerHold }
  | { kind: 'configured-zero' }
  | { kind: 'track-file'; path: string }
  | { kind: 'checker-down'; since: number | null }
  | { kind: 'hand-edit'; directors: string[]; configuredWeight: number }
  | { kind: 'absent'; directors: string[] }
  | { kind: 'weight-zero'; directors: string[] };

export type OutOfRotationKind = OutOfRotationSource['kind'];

export interface OutOfRotationEntry {
  service: string;
  realServer: string;
  address: string;
  /** The live weight on the director holding the service's VIP. */
  weight: number | null;
  configuredWeight: number | null;
  health: MergedRealServer['health'];
  sources: OutOfRotationSource[];
}

/** Short words for a source (the row marker and the panel). */
export const OUT_OF_ROTATION_LABEL: Record<OutOfRotationKind, string> = {
  hold: 'console hold',
  'configured-zero': 'weight 0 in keepalived.conf',
  'track-file': 'track file (FILE_CHECK)',
  'checker-down': 'checker down',
  'hand-edit': 'hand edit',
  absent: 'absent',
  'weight-zero': 'weight 0',
};

type DownEvent = Pick<ClusterEvent, 'kind' | 'service' | 'realServer' | 'at' | 'endedAt'>;

/** The sources that take one real server out of rotation (empty: it is in rotation). */
export function outOfRotationSources(
  rs: MergedRealServer,
  liveDirectors: readonly string[],
  downSince: number | null = null,
): OutOfRotationSource[] {
  const out: OutOfRotationSource[] = [];
  const copies = liveDirectors.map((d) => [d, rs.perDirector[d]] as const).filter(([, v]) => v !== undefined);
  // perDirector is left out of the wire when the directors agree: the shown values are everyone's.
  const zeroOn = copies.length > 0 ? copies.filter(([, v]) => v?.present && v.weight === 0).map(([d]) => d) : rs.weight === 0 ? liveDirectors.slice() : [];
  const absentOn = copies.filter(([, v]) => v && !v.present).map(([d]) => d);
  const heldOut = rs.hold != null && rs.hold.weight === 0;
  if (rs.hold != null && (heldOut || zeroOn.length > 0)) out.push({ kind: 'hold', hold: rs.hold });
  if (rs.checkerAlive === false || rs.health === 'down') out.push({ kind: 'checker-down', since: downSince });
  if (zeroOn.length > 0 && !heldOut) {
    if (rs.trackFile) out.push({ kind: 'track-file', path: rs.trackFile.path });
    else if (rs.configuredWeight === 0) out.push({ kind: 'configured-zero' });
    else if (rs.checkerAlive !== false && rs.configuredWeight !== null) out.push({ kind: 'hand-edit', directors: zeroOn, configuredWeight: rs.configuredWeight });
    else if (rs.checkerAlive !== false) out.push({ kind: 'weight-zero', directors: zeroOn });
  }
  if (absentOn.length > 0 && rs.checkerAlive !== false && rs.health !== 'down') out.push({ kind: 'absent', directors: absentOn });
  return out;
}

/**
 * Every real server out of rotation in the snapshot, with its sources, in service order.
 * `events` (optional, e.g. the timeline's): an open real-server-down event says since when the checker finds it down.
 */
export function outOfRotation(snapshot: Pick<ClusterSnapshot, 'services' | 'directors'>, events: readonly DownEvent[] = []): OutOfRotationEntry[] {
  const live = snapshot.directors.filter((d) => d.live).map((d) => d.name);
  const since = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'real-server-down' || e.endedAt !== null || e.service === null || e.realServer === null) continue;
    const k = `${e.service}|${e.realServer}`;
    const was = since.get(k);
    if (was === undefined || e.at < was) since.set(k, e.at);
  }
  const out: OutOfRotationEntry[] = [];
  for (const svc of snapshot.services) {
    for (const rs of svc.realServers) {
      const sources = outOfRotationSources(rs, live, since.get(`${svc.key}|${rs.key}`) ?? null);
      if (sources.length === 0) continue;
      out.push({ service: svc.key, realServer: rs.key, address: rs.address, weight: rs.weight, configuredWeight: rs.configuredWeight, health: rs.health, sources });
    }
  }
  return out;
}

/** One line for a source (the marker's title, the panel's text). */
export function describeSource(s: OutOfRotationSource): string {
  switch (s.kind) {
    case 'hold':
      return `held by the console: ${s.hold.kind === 'drain' ? 'drained' : `weight ${s.hold.weight}`} by ${s.hold.actor} (“${s.hold.reason}”)`;
    case 'configured-zero':
      return 'weight 0 in keepalived.conf: the configuration keeps it out, not the console';
    case 'track-file':
      return `weight 0 from keepalived's track file ${s.path} (FILE_CHECK), not held by the console`;
    case 'checker-down':
      return "keepalived's health checker finds it down";
    case 'hand-edit':
      return `weight 0 on ${s.directors.join(', ')}, keepalived.conf says ${s.configuredWeight}: changed by hand (ipvsadm), not held by the console`;
    case 'absent':
      return `not in the IPVS table of ${s.directors.join(', ')}`;
    case 'weight-zero':
      return `weight 0 on ${s.directors.join(', ')}; keepalived's configuration for it is not known`;
  }
}
