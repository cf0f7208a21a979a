import 'server-only';
import {
  ipvsadmConnections,
  ipvsadmEditRealServer,
  ipvsadmList,
  ipvsadmListService,
  ipvsadmSave,
  ipvsadmTimeout,
} from './ipvsadm';
import { haproxySetState, haproxySetWeight, haproxyShowStat } from './haproxy';
import { keepalivedConfigTest, keepalivedSignal, pidofKeepalived, writeTrackFile } from './keepalived';
import { conntrackFigures, ipAddrJson, ipRouteJson, ipv4ConfSysctls, journalctlEntries, nmcliConnections, nmcliDevices, readFile, sysctlRead } from './system';

// The CLOSED catalogue of what the console may run on a director. Each entry is a function
// from validated, typed arguments to a branded CatalogueCommand { argv, sudo, description };
// `exec()` accepts nothing else. Adding a command means adding a builder here (and, if it
// needs root, a matching line in the directors' sudoers).

export { CommandArgumentError, type CatalogueCommand } from './command';
export * from './validators';
export {
  IPVSADM_LIST_MODES,
  type IpvsadmEditRealServerArgs,
  type IpvsadmListArgs,
  type IpvsadmListMode,
  type IpvsRealServerRef,
  type IpvsServiceRef,
} from './ipvsadm';
export { KEEPALIVED_DUMP_FILES, KEEPALIVED_PID_FILE, KEEPALIVED_SIGNALS } from './keepalived';
export type { JournalArgs, JournalSource, ReadFileOptions } from './system';

export const catalogue = {
  ipvsadmList,
  ipvsadmListService,
  ipvsadmConnections,
  ipvsadmSave,
  ipvsadmTimeout,
  ipvsadmEditRealServer,
  ipAddrJson,
  keepalivedSignal,
  keepalivedConfigTest,
  pidofKeepalived,
  writeTrackFile,
  readFile,
  journalctlEntries,
  sysctlRead,
  conntrackFigures,
  nmcliDevices,
  nmcliConnections,
  haproxyShowStat,
  haproxySetState,
  haproxySetWeight,
  ipRouteJson,
  ipv4ConfSysctls,
} as const;
export type CatalogueName = keyof typeof catalogue;

export {
  ipvsadmList,
  ipvsadmListService,
  ipvsadmConnections,
  ipvsadmSave,
  ipvsadmTimeout,
  ipvsadmEditRealServer,
  ipAddrJson,
  keepalivedSignal,
  keepalivedConfigTest,
  pidofKeepalived,
  writeTrackFile,
  readFile,
  journalctlEntries,
  sysctlRead,
  conntrackFigures,
  nmcliDevices,
  nmcliConnections,
  haproxyShowStat,
  haproxySetState,
  haproxySetWeight,
  ipRouteJson,
  ipv4ConfSysctls,
};
