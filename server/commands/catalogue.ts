import 'server-only';
import { registeredBuilders } from './command';

// The CLOSED catalogue of what the console may run on a director. Each entry is a function
// from validated, typed arguments to a branded CatalogueCommand { argv, sudo, description };
// `exec()` accepts nothing else. Adding a command means writing its builder with `builder()` in
// its module, re-exporting it here (and, if it needs root, a matching line in the directors' sudoers).

export { CommandArgumentError, type CatalogueCommand } from './command';
export * from './validators';
export {
  IPVSADM_LIST_MODES,
  ipvsadmConnections,
  ipvsadmDaemon,
  ipvsadmEditRealServer,
  ipvsadmList,
  ipvsadmListService,
  ipvsadmSave,
  ipvsadmTimeout,
  type IpvsadmEditRealServerArgs,
  type IpvsadmListArgs,
  type IpvsadmListMode,
  type IpvsRealServerRef,
  type IpvsServiceRef,
} from './ipvsadm';
export { haproxySetState, haproxySetWeight, haproxyShowStat } from './haproxy';
export { KEEPALIVED_DUMP_FILES, KEEPALIVED_PID_FILE, KEEPALIVED_SIGNALS, keepalivedConfigTest, keepalivedSignal, pidofKeepalived, writeTrackFile } from './keepalived';
export {
  conntrackFigures,
  ipAddrJson,
  ipRouteJson,
  ipv4ConfSysctls,
  journalctlEntries,
  NMCLI_PROFILE_FIELDS,
  nmcliConnections,
  nmcliDevices,
  nmcliProfiles,
  nmcliRunning,
  pidofConntrackd,
  readFile,
  sysctlRead,
  type JournalArgs,
  type JournalSource,
  type ReadFileOptions,
} from './system';

/**
 * Every builder by name. Each registered itself through `builder()` when its module loaded (the
 * re-exports above load them all first), so this is the list above, not a second copy of it.
 */
export const catalogue = registeredBuilders();
export type CatalogueName = keyof typeof catalogue;
