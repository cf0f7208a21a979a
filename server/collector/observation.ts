import type { IpvsService } from '@/lib/models/ipvsadm';
import type { DirectorHealthView, TrackFileRef, VrrpState } from '@/lib/models/cluster';
import type { NmcliDevice, NmProfileView } from '@/lib/models/nmcli';

// What one refresh of one director observed, reduced to what the merge needs. The
// refresh (server/collector/refresh-director.ts) fills it from the parsers' models; the
// merge (merge-snapshot.ts) is a pure function of these, so it is tested without SSH.

export interface ObservedVrrpInstance {
  name: string;
  state: VrrpState;
  priority: number | null;
  effectivePriority: number | null;
  lastTransitionAt: number | null;
  vips: string[];
  syncGroup: string | null;
  /** keepalived's `Preempt`: false with nopreempt (a backup does not take over from a lower-priority master). */
  preempt?: boolean | null;
  /** Track files this instance tracks, by track_file name, with their weights. */
  trackedFiles?: { name: string; weight: number }[];
  /** The interface VRRP runs on (keepalived's `Interface`). */
  interface?: string | null;
}

/** A keepalived track_file object: its path and the number keepalived last read from it. */
export interface ObservedTrackFile {
  name: string;
  path: string | null;
  value: number | null;
}

export interface ObservedChecker {
  /** MergedService key, e.g. "TCP 192.0.2.100:80". */
  service: string;
  /** Real server key, e.g. "192.0.2.11:80". */
  realServer: string;
  alive: boolean | null;
  configuredWeight: number | null;
  /** FILE_CHECK track file that sets the weight, when keepalived has one for this real server. */
  trackFile?: TrackFileRef | null;
}

export interface ObservedDirectorData {
  takenAt: number;
  durationMs: number;
  ipvsadmVersion: string | null;
  /** One entry per service, with weights/conns, stats, rates and persistent conns merged. */
  services: IpvsService[];
  /** Every address configured on any interface, canonical form (IPv6 compressed, lower case). */
  addresses: string[];
  keepalivedPid: number | null;
  /** From keepalived's JSON or data dump; null when no dump has been read yet. */
  vrrp: ObservedVrrpInstance[] | null;
  /** When the keepalived dump behind `vrrp`/`checkers` was taken. */
  keepalivedDumpAt: number | null;
  checkers: ObservedChecker[] | null;
  /** keepalived's track files (VRRP and checker), from the same dump; null before the first dump. */
  trackFiles?: ObservedTrackFile[] | null;
  health: DirectorHealthView | null;
  /** Addresses per device now ("192.0.2.3/24"), from the same `ip -j addr` as `addresses`. */
  links?: { device: string; addresses: string[] }[];
  /** NetworkManager as last read (not every refresh: on change or once a minute); null before it was looked for. */
  network?: ObservedNetwork | null;
}

export interface ObservedNetwork {
  manager: 'networkmanager' | 'none';
  readAt: number;
  devices: NmcliDevice[];
  profiles: NmProfileView[];
  error: string | null;
}

export interface DirectorObservation {
  name: string;
  endpoint: string;
  /** Latest successful data (possibly old: compare takenAt with now). */
  data: ObservedDirectorData | null;
  /** Set while the director fails; cleared on success. */
  error: { code: string; message: string; since: number } | null;
  /** Time between the starts of its last two scheduled refreshes (the poll interval while the
   *  console keeps up; more when refreshes take longer than it, or the console's CPU is short). */
  intervalMs?: number | null;
}
