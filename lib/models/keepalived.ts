import { z } from 'zod';

// keepalived as its own dumps, logs and notifications describe it. Field names are part of the
// `lvsctl parse keepalived-*` JSON contract: add fields, never rename them.
//
// Units: `lastTransition` and `readTimeout` are epoch *seconds* (float, µs precision) because
// keepalived prints them so in both the data and the JSON dump; log and notify event `time` is
// epoch *milliseconds* (like Date.now()).

/** VRRP states. DELETED and STOP only appear in the JSON dump and notify lines. */
export const VrrpState = z.enum(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'DELETED', 'STOP', 'unknown']);
export type VrrpState = z.infer<typeof VrrpState>;

export const InetFamily = z.enum(['inet', 'inet6']);
export type InetFamily = z.infer<typeof InetFamily>;

/** `[ADDR]:proto:PORT` as keepalived formats real and virtual servers (FMT_RS / FMT_VS). */
export const KeepalivedEndpoint = z.object({
  /** IP address (IPv6 as printed, without brackets), or the group name for `[VSG]:PORT`. */
  address: z.string().nullable(),
  /** tcp, udp, sctp; null when the form has no protocol (1.x `[ADDR]:PORT`, fwmark). */
  protocol: z.string().nullable(),
  port: z.number().int().min(0).max(65535).nullable(),
  /** `FWM 5` virtual servers. */
  fwmark: z.number().int().nonnegative().nullable(),
  /** Verbatim text, e.g. `[192.0.2.11]:tcp:80`. */
  text: z.string(),
});
export type KeepalivedEndpoint = z.infer<typeof KeepalivedEndpoint>;

// ---------------------------------------------------------------------------------------------
// SIGUSR1 data dump: /tmp/keepalived.data (VRRP process) and /tmp/keepalived_check.data (checker
// process, 2.x writes it in a separate file on the same signal). Either or both may be parsed.

/** One `Virtual IP` entry: `192.0.2.100/24 dev eth0 scope global label eth0:vip set`. */
export const KeepalivedVip = z.object({
  address: z.string(),
  prefixlen: z.number().int().min(0).max(128).nullable(),
  family: InetFamily,
  device: z.string().nullable(),
  scope: z.string().nullable(),
  label: z.string().nullable(),
  /** keepalived believes it has configured the address (2.x ` set` suffix; null before 2.x). */
  set: z.boolean().nullable(),
  raw: z.string(),
});
export type KeepalivedVip = z.infer<typeof KeepalivedVip>;

/** A tracked object line: `     chk_fault_flag weight 0` (scripts, interfaces) or `     /f, weight 0` (files). */
export const KeepalivedTrackRef = z.object({
  name: z.string(),
  weight: z.number().int(),
  reverse: z.boolean(),
});
export type KeepalivedTrackRef = z.infer<typeof KeepalivedTrackRef>;

export const KeepalivedTrackedScriptRef = KeepalivedTrackRef.extend({
  /** From the `VRRP Scripts` section of the same dump: GOOD or BAD, null when not dumped. */
  status: z.string().nullable(),
  good: z.boolean().nullable(),
});
export type KeepalivedTrackedScriptRef = z.infer<typeof KeepalivedTrackedScriptRef>;

export const VrrpInstanceData = z.object({
  name: z.string(),
  /** 2 or 3. */
  version: z.number().int().nullable(),
  syncGroup: z.string().nullable(),
  nativeIpv6: z.boolean(),
  state: VrrpState,
  wantState: VrrpState.nullable(),
  /** Only printed in BACKUP state: the current master's address and priority. */
  masterRouter: z.string().nullable(),
  masterPriority: z.number().int().nullable(),
  /** Epoch seconds (float). 1.x printed whole seconds. */
  lastTransition: z.number().nullable(),
  /** Epoch seconds of the next read timeout, null when DISABLED or not printed. */
  readTimeout: z.number().nullable(),
  interface: z.string().nullable(),
  sourceIp: z.string().nullable(),
  virtualRouterId: z.number().int().min(0).max(255),
  /** Configured (base) priority. */
  priority: z.number().int(),
  /** Priority after track script/interface/file weights (null in 1.x dumps that lack it). */
  effectivePriority: z.number().int().nullable(),
  totalPriority: z.number().int().nullable(),
  advertIntervalMs: z.number().nonnegative().nullable(),
  preempt: z.boolean().nullable(),
  preemptDelaySeconds: z.number().nonnegative().nullable(),
  configFaults: z.number().int().nonnegative().nullable(),
  /** `Number of interface and track script faults` (2.x): > 0 means the instance is held in FAULT. */
  scriptIfFaults: z.number().int().nonnegative().nullable(),
  vips: z.array(KeepalivedVip),
  excludedVips: z.array(KeepalivedVip),
  trackedInterfaces: z.array(KeepalivedTrackRef),
  trackedScripts: z.array(KeepalivedTrackedScriptRef),
  trackedFiles: z.array(KeepalivedTrackRef),
  unicastPeers: z.array(z.string()),
  /** `Generic state transition script = ...` etc.: notify kind (Backup, Master, Generic...) -> command. */
  notifyScripts: z.record(z.string(), z.string()),
});
export type VrrpInstanceData = z.infer<typeof VrrpInstanceData>;

export const VrrpSyncGroupData = z.object({
  name: z.string(),
  state: VrrpState,
  members: z.array(z.string()),
  trackedScripts: z.array(KeepalivedTrackRef),
  trackedInterfaces: z.array(KeepalivedTrackRef),
  trackedFiles: z.array(KeepalivedTrackRef),
  notifyScripts: z.record(z.string(), z.string()),
});
export type VrrpSyncGroupData = z.infer<typeof VrrpSyncGroupData>;

export const VrrpScriptData = z.object({
  name: z.string(),
  command: z.string().nullable(),
  intervalSeconds: z.number().nonnegative().nullable(),
  timeoutSeconds: z.number().nonnegative().nullable(),
  weight: z.number().int().nullable(),
  reverse: z.boolean(),
  rise: z.number().int().nullable(),
  fall: z.number().int().nullable(),
  result: z.number().int().nullable(),
  /** As printed: GOOD, BAD (2.x); 1.x also INIT, INIT/GOOD, INIT/FAILED, DISABLED. */
  status: z.string().nullable(),
  /** status GOOD or INIT/GOOD. */
  good: z.boolean().nullable(),
  initState: z.string().nullable(),
  /** idle, running, ... (2.x). */
  runState: z.string().nullable(),
  instances: z.array(KeepalivedTrackRef),
});
export type VrrpScriptData = z.infer<typeof VrrpScriptData>;

export const KeepalivedRealServerData = z.object({
  address: z.string(),
  port: z.number().int().min(0).max(65535),
  /**
   * `WEIGHT` of the dump: the weight keepalived gives the server (effective weight clamped to
   * >= 0). An inhibited server that is down (`inhibitOnFailure` and not `alive`) still shows its
   * weight here while IPVS has it at 0.
   */
  weight: z.number().int(),
  effectiveWeight: z.number().int().nullable(),
  initialWeight: z.number().int().nullable(),
  /** NAT, DR, TUN, IPIP, GUE, GRE, or the hex the dump printed. */
  forwarding: z.string().nullable(),
  /** keepalived's view: the server passed its checks (and is in the IPVS table unless inhibited). */
  alive: z.boolean(),
  failedCheckers: z.number().int().nonnegative().nullable(),
  /** In the IPVS table according to keepalived. */
  set: z.boolean().nullable(),
  inhibitOnFailure: z.boolean().nullable(),
  trackedFiles: z.array(KeepalivedTrackRef),
});
export type KeepalivedRealServerData = z.infer<typeof KeepalivedRealServerData>;

export const KeepalivedVirtualServerData = z.object({
  address: z.string().nullable(),
  port: z.number().int().min(0).max(65535).nullable(),
  fwmark: z.number().int().nonnegative().nullable(),
  /** Virtual server group name (`VS GROUP = [name]:port`). */
  group: z.string().nullable(),
  family: z.string().nullable(),
  protocol: z.string().nullable(),
  scheduler: z.string().nullable(),
  persistenceTimeout: z.number().int().nonnegative().nullable(),
  forwarding: z.string().nullable(),
  quorum: z.number().int().nullable(),
  hysteresis: z.number().int().nullable(),
  alive: z.boolean().nullable(),
  quorumUp: z.boolean().nullable(),
  sorryServer: z.string().nullable(),
  realServers: z.array(KeepalivedRealServerData),
});
export type KeepalivedVirtualServerData = z.infer<typeof KeepalivedVirtualServerData>;

/** One entry of `------< Health checkers >------`: ` [VS] -> [RS]` and its state. */
export const KeepalivedCheckerData = z.object({
  virtualServer: KeepalivedEndpoint,
  realServer: KeepalivedEndpoint,
  /** HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, FILE_CHECK, ... from `Keepalive method = `, null if not printed. */
  method: z.string().nullable(),
  enabled: z.boolean().nullable(),
  up: z.boolean().nullable(),
  hasRun: z.boolean().nullable(),
  currentWeight: z.number().int().nullable(),
});
export type KeepalivedCheckerData = z.infer<typeof KeepalivedCheckerData>;

/** One entry of `------< Checker track files >------`: a FILE_CHECK track_file and its path. */
export const KeepalivedCheckerTrackFile = z.object({
  name: z.string(),
  /** The tracked file's path (`File = ...`), null when not printed. */
  file: z.string().nullable(),
  /** The value keepalived last read from the file. */
  status: z.number().int().nullable(),
  /** The track_file's default weight. */
  weight: z.number().int().nullable(),
});
export type KeepalivedCheckerTrackFile = z.infer<typeof KeepalivedCheckerTrackFile>;

export const KeepalivedGlobalData = z.object({
  routerId: z.string().nullable(),
  networkNamespace: z.string().nullable(),
  instanceName: z.string().nullable(),
  /** Every ` Key = value` line of the global section, verbatim (first occurrence wins). */
  settings: z.record(z.string(), z.string()),
});
export type KeepalivedGlobalData = z.infer<typeof KeepalivedGlobalData>;

export const KeepalivedData = z.object({
  global: KeepalivedGlobalData.nullable(),
  instances: z.array(VrrpInstanceData),
  syncGroups: z.array(VrrpSyncGroupData),
  scripts: z.array(VrrpScriptData),
  /** From keepalived_check.data (or a 1.x combined dump); empty for the VRRP-only file. */
  lvsVersion: z.string().nullable(),
  virtualServers: z.array(KeepalivedVirtualServerData),
  checkers: z.array(KeepalivedCheckerData),
  /** FILE_CHECK track files of the checker process (name -> path), from keepalived_check.data. */
  trackFiles: z.array(KeepalivedCheckerTrackFile).optional(),
  /** Titles of every `------< X >------` section seen, in order, modelled or not. */
  sections: z.array(z.string()),
});
export type KeepalivedData = z.infer<typeof KeepalivedData>;

// ---------------------------------------------------------------------------------------------
// JSON dump: /tmp/keepalived.json (signal `keepalived --signum=JSON`). Wire shape, then app shape.

export const KeepalivedJsonStats = z.object({
  advertRcvd: z.number().int().nonnegative(),
  advertSent: z.number().int().nonnegative(),
  becomeMaster: z.number().int().nonnegative(),
  releaseMaster: z.number().int().nonnegative(),
  packetLenErr: z.number().int().nonnegative(),
  advertIntervalErr: z.number().int().nonnegative(),
  ipTtlErr: z.number().int().nonnegative(),
  invalidTypeRcvd: z.number().int().nonnegative(),
  addrListErr: z.number().int().nonnegative(),
  invalidAuthtype: z.number().int().nonnegative(),
  authtypeMismatch: z.number().int().nonnegative().nullable(),
  authFailure: z.number().int().nonnegative().nullable(),
  priZeroRcvd: z.number().int().nonnegative(),
  priZeroSent: z.number().int().nonnegative(),
});
export type KeepalivedJsonStats = z.infer<typeof KeepalivedJsonStats>;

export const KeepalivedJsonInstance = z.object({
  name: z.string(),
  state: VrrpState,
  /** The number keepalived wrote (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 97 DELETED, 98 STOP). */
  stateCode: z.number().int(),
  wantState: VrrpState,
  interface: z.string().nullable(),
  virtualRouterId: z.number().int(),
  priority: z.number().int(),
  effectivePriority: z.number().int(),
  masterPriority: z.number().int(),
  /** Epoch seconds (float). */
  lastTransition: z.number(),
  version: z.number().int(),
  advertIntervalSeconds: z.number(),
  masterAdvertIntervalSeconds: z.number(),
  preempt: z.boolean(),
  preemptDelaySeconds: z.number(),
  vipSet: z.boolean(),
  vips: z.array(KeepalivedVip),
  excludedVips: z.array(KeepalivedVip),
  trackedInterfaces: z.array(z.string()),
  /** Commands of tracked scripts (the JSON dump has no script names). */
  trackedScriptCommands: z.array(z.string()),
  notifyScripts: z.record(z.string(), z.string()),
  stats: KeepalivedJsonStats.nullable(),
});
export type KeepalivedJsonInstance = z.infer<typeof KeepalivedJsonInstance>;

export const KeepalivedJsonDump = z.object({ instances: z.array(KeepalivedJsonInstance) });
export type KeepalivedJsonDump = z.infer<typeof KeepalivedJsonDump>;

// ---------------------------------------------------------------------------------------------
// SIGUSR2 stats dump: /tmp/keepalived.stats

export const VrrpInstanceStats = z.object({
  name: z.string(),
  advertReceived: z.number().int().nonnegative(),
  advertSent: z.number().int().nonnegative(),
  becameMaster: z.number().int().nonnegative(),
  releasedMaster: z.number().int().nonnegative(),
  packetErrors: z.object({
    length: z.number().int().nonnegative(),
    ttl: z.number().int().nonnegative(),
    invalidType: z.number().int().nonnegative(),
    advertInterval: z.number().int().nonnegative(),
    addressList: z.number().int().nonnegative(),
  }),
  authErrors: z.object({
    invalidType: z.number().int().nonnegative(),
    /** Only with VRRP authentication compiled in. */
    typeMismatch: z.number().int().nonnegative().nullable(),
    failure: z.number().int().nonnegative().nullable(),
  }),
  priorityZeroReceived: z.number().int().nonnegative(),
  priorityZeroSent: z.number().int().nonnegative(),
});
export type VrrpInstanceStats = z.infer<typeof VrrpInstanceStats>;

export const KeepalivedStats = z.object({ instances: z.array(VrrpInstanceStats) });
export type KeepalivedStats = z.infer<typeof KeepalivedStats>;

// ---------------------------------------------------------------------------------------------
// Log events

export const KeepalivedLogFormat = z.enum(['console', 'journal-short-iso', 'journal-json', 'syslog']);
export type KeepalivedLogFormat = z.infer<typeof KeepalivedLogFormat>;

/**
 * Which keepalived process wrote the line. From the syslog identifier when there is one
 * (Keepalived_vrrp, Keepalived_healthcheckers, Keepalived, Keepalived_bfd); the console file has
 * none, so there it is inferred from the message and is `unknown` for unclassified lines.
 */
export const KeepalivedLogSource = z.enum(['vrrp', 'healthcheckers', 'parent', 'bfd', 'unknown']);
export type KeepalivedLogSource = z.infer<typeof KeepalivedLogSource>;

const eventBase = {
  /** Epoch milliseconds. */
  time: z.number(),
  source: KeepalivedLogSource,
  host: z.string().nullable(),
  pid: z.number().int().nullable(),
  /** The message after the envelope (timestamp, host, identifier). */
  message: z.string(),
  /** The input line verbatim. */
  raw: z.string(),
};

const TransitionState = z.enum(['MASTER', 'BACKUP', 'FAULT']);

export const KeepalivedLogEvent = z.discriminatedUnion('type', [
  z.object({
    ...eventBase,
    type: z.literal('vrrp-transition'),
    instance: z.string(),
    state: TransitionState,
    /** ` (init)` suffix: the state chosen at start-up. */
    init: z.boolean(),
    /** 1.x `VRRP_Instance(X) Entering/Transition to ...` form. */
    legacy: z.boolean(),
    /** 1.x `Transition to MASTER STATE` precedes the actual `Entering MASTER STATE`. */
    phase: z.enum(['entering', 'transition']),
  }),
  z.object({ ...eventBase, type: z.literal('vrrp-group-sync'), group: z.string(), state: TransitionState }),
  z.object({ ...eventBase, type: z.literal('advert-timeout'), instance: z.string() }),
  z.object({
    ...eventBase,
    type: z.literal('lower-priority-advert'),
    instance: z.string(),
    priority: z.number().int(),
    from: z.string(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('higher-priority-advert'),
    instance: z.string(),
    /** null in the 1.x form `Received advert with higher priority P, ours Q`. */
    from: z.string().nullable(),
    priority: z.number().int(),
    ours: z.number().int(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('priority-zero'),
    instance: z.string(),
    /** received: `Backup|Master received priority 0 ...`; sent: `(X) sent 0 priority` (graceful stop). */
    direction: z.enum(['received', 'sent']),
  }),
  z.object({
    ...eventBase,
    type: z.literal('effective-priority'),
    instance: z.string(),
    from: z.number().int().nullable(),
    to: z.number().int(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('script-result'),
    script: z.string(),
    result: z.enum(['succeeded', 'failed', 'timed_out']),
    /** e.g. `exited with status 1`. */
    detail: z.string().nullable(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('fault-cause'),
    instance: z.string(),
    cause: z.enum(['script', 'interface', 'file', 'process', 'no-address', 'no-peers', 'other']),
    /** Script, interface, file or process name. */
    subject: z.string().nullable(),
  }),
  z.object({ ...eventBase, type: z.literal('interface'), interface: z.string(), up: z.boolean() }),
  /**
   * `Netlink reflector reports IP 192.0.2.102 removed from eth0` (VRRP, logged with -D: an address
   * of this director added or removed; a VIP removed while MASTER makes keepalived give up MASTER);
   * older and checker lines name no interface.
   */
  z.object({ ...eventBase, type: z.literal('address'), address: z.string(), added: z.boolean(), interface: z.string().nullable() }),
  /** `(VI_1) setting VIPs.` / `(VI_1) removing VIPs.` (logged with -D / --log-detail). */
  z.object({ ...eventBase, type: z.literal('vips'), instance: z.string(), action: z.enum(['set', 'remove']) }),
  z.object({
    ...eventBase,
    type: z.literal('checker'),
    /** TCP_CHECK, HTTP_GET (HTTP or SSL), MISC_CHECK, FILE_CHECK, or null when the line does not say. */
    checker: z.string().nullable(),
    realServer: KeepalivedEndpoint,
    virtualServer: KeepalivedEndpoint.nullable(),
    ok: z.boolean(),
    /** The check's own words, e.g. `HTTP status code error`, `failed after 1 retries`. */
    detail: z.string(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('service'),
    action: z.enum(['add', 'remove', 'enable', 'disable', 'shutdown']),
    inhibited: z.boolean(),
    realServer: KeepalivedEndpoint,
    virtualServer: KeepalivedEndpoint,
  }),
  z.object({
    ...eventBase,
    type: z.literal('weight'),
    from: z.number().int(),
    to: z.number().int(),
    realServer: KeepalivedEndpoint,
    virtualServer: KeepalivedEndpoint,
  }),
  z.object({
    ...eventBase,
    type: z.literal('quorum'),
    up: z.boolean(),
    /** `Starting with quorum up|down`. */
    init: z.boolean(),
    virtualServer: KeepalivedEndpoint,
  }),
  z.object({
    ...eventBase,
    type: z.literal('track-file'),
    /** VRRP instance name, or the real server text for a FILE_CHECK. */
    owner: z.string(),
    file: z.string(),
    fault: z.boolean(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('process'),
    action: z.enum(['starting', 'startup-complete', 'stopping', 'stopped', 'child-started', 'child-stopped', 'reloading']),
    /** `Keepalived v2.2.7 (01/16,2022)` for starting/stopped, null otherwise. */
    version: z.string().nullable(),
    /** child-started: the child's pid. */
    childPid: z.number().int().nullable(),
  }),
  z.object({ ...eventBase, type: z.literal('other') }),
]);
export type KeepalivedLogEvent = z.infer<typeof KeepalivedLogEvent>;

// ---------------------------------------------------------------------------------------------
// Notify FIFO lines and notify-script arguments

export const NotifyState = z.enum([
  'MASTER',
  'BACKUP',
  'FAULT',
  'STOP',
  'DELETED',
  'MASTER_RX_LOWER_PRI',
  'MASTER_PRIORITY',
  'BACKUP_PRIORITY',
]);
export type NotifyState = z.infer<typeof NotifyState>;

export const KeepalivedNotifyEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('instance'),
    name: z.string(),
    state: NotifyState,
    priority: z.number().int().nullable(),
    raw: z.string(),
  }),
  z.object({
    type: z.literal('group'),
    name: z.string(),
    state: NotifyState,
    priority: z.number().int().nullable(),
    raw: z.string(),
  }),
  z.object({
    type: z.literal('real-server'),
    realServer: KeepalivedEndpoint,
    virtualServer: KeepalivedEndpoint,
    up: z.boolean(),
    raw: z.string(),
  }),
  z.object({ type: z.literal('virtual-server'), virtualServer: KeepalivedEndpoint, up: z.boolean(), raw: z.string() }),
]);
export type KeepalivedNotifyEvent = z.infer<typeof KeepalivedNotifyEvent>;

/** A line of a notify script's own log (the lab's: `ISO-TIME HOST INSTANCE VI_1 MASTER 150`). */
export const KeepalivedNotifyLogEntry = z.object({
  /** Epoch milliseconds. */
  time: z.number(),
  host: z.string(),
  event: KeepalivedNotifyEvent,
});
export type KeepalivedNotifyLogEntry = z.infer<typeof KeepalivedNotifyLogEntry>;
