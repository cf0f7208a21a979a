import 'server-only';
import type { NmProfileView } from '@/lib/models/nmcli';
import { nmcliConnections, nmcliDevices, nmcliProfiles, nmcliRunning, type CatalogueCommand } from '@/server/commands/catalogue';
import { parseNmcliConnections, parseNmcliDevices, parseNmcliProfiles, parseNmcliRunning } from '@/server/parsers/nmcli';
import type { StepResult } from '@/server/ssh/exec';
import type { ObservedNetwork } from './observation';

// NetworkManager on a director, read inside the refresh's one ssh exec (no extra round trip):
// - detection once: `nmcli -t -f RUNNING general` with the first refresh. A director without it
//   (no nmcli, or NetworkManager not running) is normal, shown as "not managed by NetworkManager",
//   and costs no command after that (until a refresh fails: a rebooted director is looked at again);
// - a director with it: devices and the profile list when its addresses changed or once a minute;
//   the profiles' settings (addresses, methods) by UUID, which the list gives: a new or removed
//   profile is read at the next refresh.

/** How often NetworkManager is read when nothing changed. */
export const NM_READ_EVERY_MS = 60_000;
/** At most this many profiles are read (nmcliProfiles' own bound). */
const MAX_PROFILES = 64;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface NmMemo {
  state: 'unknown' | 'absent' | 'present';
  readAt: number | null;
  /** Profiles (UUIDs) the list named at the last read: read in full at the next one. */
  uuids: string[];
  /** The director's addresses when NetworkManager was last read. */
  addresses: string;
}

export const NEW_NM_MEMO: NmMemo = { state: 'unknown', readAt: null, uuids: [], addresses: '' };

/**
 * The steps to add to this refresh (none when NetworkManager is absent or not due). `force`: read it
 * now, and look for it again where it was absent ("check this cluster").
 */
export function networkManagerSteps(memo: NmMemo, addressesNow: readonly string[] | null, now: number, force = false): CatalogueCommand[] {
  if (memo.state === 'absent' && !force) return [];
  const due =
    force ||
    memo.state === 'unknown' ||
    memo.readAt === null ||
    now - memo.readAt >= NM_READ_EVERY_MS ||
    (addressesNow !== null && JSON.stringify(addressesNow) !== memo.addresses);
  if (!due) return [];
  return [nmcliRunning(), nmcliDevices(), nmcliConnections(), ...(memo.uuids.length > 0 ? [nmcliProfiles(memo.uuids)] : [])];
}

function stepError(s: StepResult | undefined): string | null {
  if (!s) return 'the step did not report';
  return s.error ? s.error.message : null;
}

/**
 * The steps' answers -> what NetworkManager says, and the memo for the next refresh. `steps` are
 * the results of what networkManagerSteps returned, in order ([] when it returned nothing).
 */
export function readNetworkManager(
  steps: readonly StepResult[],
  memo: NmMemo,
  previous: ObservedNetwork | null,
  addresses: readonly string[],
  now: number,
): { network: ObservedNetwork | null; memo: NmMemo } {
  if (steps.length === 0) return { network: previous, memo };
  const [running, devices, connections, profiles] = steps;
  const addressKey = JSON.stringify(addresses);
  if (running?.error || !parseNmcliRunning(running?.stdout ?? '')) {
    return {
      network: { manager: 'none', readAt: now, devices: [], profiles: [], error: null },
      memo: { state: 'absent', readAt: now, uuids: [], addresses: addressKey },
    };
  }
  const failed = stepError(devices) ?? stepError(connections) ?? (profiles ? stepError(profiles) : null);
  if (failed !== null) {
    return {
      network: { manager: 'networkmanager', readAt: previous?.readAt ?? now, devices: previous?.devices ?? [], profiles: previous?.profiles ?? [], error: failed },
      memo: { ...memo, state: 'present', readAt: now, addresses: addressKey },
    };
  }
  try {
    const devs = parseNmcliDevices(devices?.stdout ?? '');
    const list = parseNmcliConnections(connections?.stdout ?? '');
    // Only well-formed UUIDs go back into argv (nmcliProfiles validates them too; a director
    // printing something else must not make every later refresh throw).
    const uuids = list.map((c) => c.uuid.toLowerCase()).filter((u) => UUID.test(u)).slice(0, MAX_PROFILES).sort();
    const settings = profiles ? parseNmcliProfiles(profiles.stdout) : (previous?.profiles ?? []);
    const byUuid = new Map(settings.map((p) => [p.uuid.toLowerCase(), p]));
    const views: NmProfileView[] = list.flatMap((c) => {
      const p = byUuid.get(c.uuid.toLowerCase());
      if (!p) return [];
      return [{
        name: p.name,
        uuid: p.uuid,
        type: p.type,
        interfaceName: p.interfaceName,
        autoconnect: p.autoconnect,
        ipv4Method: p.ipv4Method,
        ipv4Addresses: p.ipv4Addresses,
        ipv4NeverDefault: p.ipv4NeverDefault,
        ipv6Method: p.ipv6Method,
        ipv6Addresses: p.ipv6Addresses,
        device: c.device,
        state: c.state,
      }];
    });
    // A profile the list names and this read did not cover: read it (and every other) next refresh.
    const complete = uuids.every((u) => byUuid.has(u));
    return {
      network: { manager: 'networkmanager', readAt: now, devices: devs, profiles: views, error: null },
      memo: { state: 'present', readAt: complete ? now : null, uuids, addresses: addressKey },
    };
  } catch (e) {
    return {
      network: { manager: 'networkmanager', readAt: previous?.readAt ?? now, devices: previous?.devices ?? [], profiles: previous?.profiles ?? [], error: e instanceof Error ? e.message : String(e) },
      memo: { ...memo, state: 'present', readAt: now, addresses: addressKey },
    };
  }
}
