import { z } from 'zod/mini';

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
  address: z.nullable(z.string()),
  /** tcp, udp, sctp; null when the form has no protocol (1.x `[ADDR]:PORT`, fwmark). */
  protocol: z.nullable(z.string()),
  port: z.nullable(z.int().check(z.gte(0), z.lte(65535))),
  /** `FWM 5` virtual servers. */
  fwmark: z.nullable(z.int().check(z.nonnegative())),
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
  prefixlen: z.nullable(z.int().check(z.gte(0), z.lte(128))),
  family: InetFamily,
  device: z.nullable(z.string()),
  scope: z.nullable(z.string()),
  label: z.nullable(z.string()),
  /** keepalived believes it has configured the address (2.x ` set` suffix; null before 2.x). */
  set: z.nullable(z.boolean()),
  raw: z.string(),
});
export type KeepalivedVip = z.infer<typeof KeepalivedVip>;

/** A tracked object line: `     chk_fault_flag weight 0` (scripts, interfaces) or `     /f, weight 0` (files). */
export const KeepalivedTrackRef = z.object({
  name: z.string(),
  weight: z.int(),
  reverse: z.boolean(),
});
export type KeepalivedTrackRef = z.infer<typeof KeepalivedTrackRef>;

export const KeepalivedTrackedScriptRef = z.extend(KeepalivedTrackRef, {
  /** From the `VRRP Scripts` section of the same dump: GOOD or BAD, null when not dumped. */
  status: z.nullable(z.string()),
  good: z.nullable(z.boolean()),
});
export type KeepalivedTrackedScriptRef = z.infer<typeof KeepalivedTrackedScriptRef>;

export const VrrpInstanceData = z.object({
  name: z.string(),
  /** 2 or 3. */
  version: z.nullable(z.int()),
  syncGroup: z.nullable(z.string()),
  nativeIpv6: z.boolean(),
  state: VrrpState,
  wantState: z.nullable(VrrpState),
  /** Only printed in BACKUP state: the current master's address and priority. */
  masterRouter: z.nullable(z.string()),
  masterPriority: z.nullable(z.int()),
  /** Epoch seconds (float). 1.x printed whole seconds. */
  lastTransition: z.nullable(z.number()),
  /** Epoch seconds of the next read timeout, null when DISABLED or not printed. */
  readTimeout: z.nullable(z.number()),
  interface: z.nullable(z.string()),
  sourceIp: z.nullable(z.string()),
  virtualRouterId: z.int().check(z.gte(0), z.lte(255)),
  /** Configured (base) priority. */
  priority: z.int(),
  /** Priority after track script/interface/file weights (null in 1.x dumps that lack it). */
  effectivePriority: z.nullable(z.int()),
  totalPriority: z.nullable(z.int()),
  advertIntervalMs: z.nullable(z.number().check(z.nonnegative())),
  preempt: z.nullable(z.boolean()),
  preemptDelaySeconds: z.nullable(z.number().check(z.nonnegative())),
  configFaults: z.nullable(z.int().check(z.nonnegative())),
  /** `Number of interface and track script faults` (2.x): > 0 means the instance is held in FAULT. */
  scriptIfFaults: z.nullable(z.int().check(z.nonnegative())),
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
  command: z.nullable(z.string()),
  intervalSeconds: z.nullable(z.number().check(z.nonnegative())),
  timeoutSeconds: z.nullable(z.number().check(z.nonnegative())),
  weight: z.nullable(z.int()),
  reverse: z.boolean(),
  rise: z.nullable(z.int()),
  fall: z.nullable(z.int()),
  result: z.nullable(z.int()),
  /** As printed: GOOD, BAD (2.x); 1.x also INIT, INIT/GOOD, INIT/FAILED, DISABLED. */
  status: z.nullable(z.string()),
  /** status GOOD or INIT/GOOD. */
  good: z.nullable(z.boolean()),
  initState: z.nullable(z.string()),
  /** idle, running, ... (2.x). */
  runState: z.nullable(z.string()),
  instances: z.array(KeepalivedTrackRef),
});
export type VrrpScriptData = z.infer<typeof VrrpScriptData>;

export const KeepalivedRealServerData = z.object({
  address: z.string(),
  port: z.int().check(z.gte(0), z.lte(65535)),
  /**
   * `WEIGHT` of the dump: the weight keepalived gives the server (effective weight clamped to
   * >= 0). An inhibited server that is down (`inhibitOnFailure` and not `alive`) still shows its
   * weight here while IPVS has it at 0.
   */
  weight: z.int(),
  effectiveWeight: z.nullable(z.int()),
  initialWeight: z.nullable(z.int()),
  /** NAT, DR, TUN, IPIP, GUE, GRE, or the hex the dump printed. */
  forwarding: z.nullable(z.string()),
  /** keepalived's view: the server passed its checks (and is in the IPVS table unless inhibited). */
  alive: z.boolean(),
  failedCheckers: z.nullable(z.int().check(z.nonnegative())),
  /** In the IPVS table according to keepalived. */
  set: z.nullable(z.boolean()),
  inhibitOnFailure: z.nullable(z.boolean()),
  trackedFiles: z.array(KeepalivedTrackRef),
});
export type KeepalivedRealServerData = z.infer<typeof KeepalivedRealServerData>;

export const KeepalivedVirtualServerData = z.object({
  address: z.nullable(z.string()),
  port: z.nullable(z.int().check(z.gte(0), z.lte(65535))),
  fwmark: z.nullable(z.int().check(z.nonnegative())),
  /** Virtual server group name (`VS GROUP = [name]:port`). */
  group: z.nullable(z.string()),
  family: z.nullable(z.string()),
  protocol: z.nullable(z.string()),
  scheduler: z.nullable(z.string()),
  persistenceTimeout: z.nullable(z.int().check(z.nonnegative())),
  forwarding: z.nullable(z.string()),
  quorum: z.nullable(z.int()),
  hysteresis: z.nullable(z.int()),
  alive: z.nullable(z.boolean()),
  quorumUp: z.nullable(z.boolean()),
  sorryServer: z.nullable(z.string()),
  realServers: z.array(KeepalivedRealServerData),
});
export type KeepalivedVirtualServerData = z.infer<typeof KeepalivedVirtualServerData>;

/** One entry of `------< Health checkers >------`: ` [VS] -> [RS]` and its state. */
export const KeepalivedCheckerData = z.object({
  virtualServer: KeepalivedEndpoint,
  realServer: KeepalivedEndpoint,
  /** HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, FILE_CHECK, ... from `Keepalive method = `, null if not printed. */
  method: z.nullable(z.string()),
  enabled: z.nullable(z.boolean()),
  up: z.nullable(z.boolean()),
  hasRun: z.nullable(z.boolean()),
  currentWeight: z.nullable(z.int()),
});
export type KeepalivedCheckerData = z.infer<typeof KeepalivedCheckerData>;

/** One entry of `------< Checker track files >------`: a FILE_CHECK track_file and its path. */
export const KeepalivedCheckerTrackFile = z.object({
  name: z.string(),
  /** The tracked file's path (`File = ...`), null when not printed. */
  file: z.nullable(z.string()),
  /** The value keepalived last read from the file. */
  status: z.nullable(z.int()),
  /** The track_file's default weight. */
  weight: z.nullable(z.int()),
});
export type KeepalivedCheckerTrackFile = z.infer<typeof KeepalivedCheckerTrackFile>;

export const KeepalivedGlobalData = z.object({
  routerId: z.nullable(z.string()),
  networkNamespace: z.nullable(z.string()),
  instanceName: z.nullable(z.string()),
  /** Every ` Key = value` line of the global section, verbatim (first occurrence wins). */
  settings: z.record(z.string(), z.string()),
});
export type KeepalivedGlobalData = z.infer<typeof KeepalivedGlobalData>;

export const KeepalivedData = z.object({
  global: z.nullable(KeepalivedGlobalData),
  instances: z.array(VrrpInstanceData),
  syncGroups: z.array(VrrpSyncGroupData),
  scripts: z.array(VrrpScriptData),
  /** From keepalived_check.data (or a 1.x combined dump); empty for the VRRP-only file. */
  lvsVersion: z.nullable(z.string()),
  virtualServers: z.array(KeepalivedVirtualServerData),
  checkers: z.array(KeepalivedCheckerData),
  /** FILE_CHECK track files of the checker process (name -> path), from keepalived_check.data. */
  trackFiles: z.optional(z.array(KeepalivedCheckerTrackFile)),
  /** Titles of every `------< X >------` section seen, in order, modelled or not. */
  sections: z.array(z.string()),
});
export type KeepalivedData = z.infer<typeof KeepalivedData>;

// ---------------------------------------------------------------------------------------------
// JSON dump: /tmp/keepalived.json (signal `keepalived --signum=JSON`). Wire shape, then app shape.

export const KeepalivedJsonStats = z.object({
  advertRcvd: z.int().check(z.nonnegative()),
  advertSent: z.int().check(z.nonnegative()),
  becomeMaster: z.int().check(z.nonnegative()),
  releaseMaster: z.int().check(z.nonnegative()),
  packetLenErr: z.int().check(z.nonnegative()),
  advertIntervalErr: z.int().check(z.nonnegative()),
  ipTtlErr: z.int().check(z.nonnegative()),
  invalidTypeRcvd: z.int().check(z.nonnegative()),
  addrListErr: z.int().check(z.nonnegative()),
  invalidAuthtype: z.int().check(z.nonnegative()),
  authtypeMismatch: z.nullable(z.int().check(z.nonnegative())),
  authFailure: z.nullable(z.int().check(z.nonnegative())),
  priZeroRcvd: z.int().check(z.nonnegative()),
  priZeroSent: z.int().check(z.nonnegative()),
});
export type KeepalivedJsonStats = z.infer<typeof KeepalivedJsonStats>;

export const KeepalivedJsonInstance = z.object({
  name: z.string(),
  state: VrrpState,
  /** The number keepalived wrote (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 97 DELETED, 98 STOP). */
  stateCode: z.int(),
  wantState: VrrpState,
  interface: z.nullable(z.string()),
  virtualRouterId: z.int(),
  priority: z.int(),
  effectivePriority: z.int(),
  masterPriority: z.int(),
  /** Epoch seconds (float). */
  lastTransition: z.number(),
  version: z.int(),
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
  stats: z.nullable(KeepalivedJsonStats),
});
export type KeepalivedJsonInstance = z.infer<typeof KeepalivedJsonInstance>;

export const KeepalivedJsonDump = z.object({ instances: z.array(KeepalivedJsonInstance) });
export type KeepalivedJsonDump = z.infer<typeof KeepalivedJsonDump>;

// ---------------------------------------------------------------------------------------------
// SIGUSR2 stats dump: /tmp/keepalived.stats

export const VrrpInstanceStats = z.object({
  name: z.string(),
  advertReceived: z.int().check(z.nonnegative()),
  advertSent: z.int().check(z.nonnegative()),
  becameMaster: z.int().check(z.nonnegative()),
  releasedMaster: z.int().check(z.nonnegative()),
  packetErrors: z.object({
    length: z.int().check(z.nonnegative()),
    ttl: z.int().check(z.nonnegative()),
    invalidType: z.int().check(z.nonnegative()),
    advertInterval: z.int().check(z.nonnegative()),
    addressList: z.int().check(z.nonnegative()),
  }),
  authErrors: z.object({
    invalidType: z.int().check(z.nonnegative()),
    /** Only with VRRP authentication compiled in. */
    typeMismatch: z.nullable(z.int().check(z.nonnegative())),
    failure: z.nullable(z.int().check(z.nonnegative())),
  }),
  priorityZeroReceived: z.int().check(z.nonnegative()),
  priorityZeroSent: z.int().check(z.nonnegative()),
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
  host: z.nullable(z.string()),
  pid: z.nullable(z.int()),
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
    priority: z.int(),
    from: z.string(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('higher-priority-advert'),
    instance: z.string(),
    /** null in the 1.x form `Received advert with higher priority P, ours Q`. */
    from: z.nullable(z.string()),
    priority: z.int(),
    ours: z.int(),
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
    from: z.nullable(z.int()),
    to: z.int(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('script-result'),
    script: z.string(),
    result: z.enum(['succeeded', 'failed', 'timed_out']),
    /** e.g. `exited with status 1`. */
    detail: z.nullable(z.string()),
  }),
  z.object({
    ...eventBase,
    type: z.literal('fault-cause'),
    instance: z.string(),
    cause: z.enum(['script', 'interface', 'file', 'process', 'no-address', 'no-peers', 'other']),
    /** Script, interface, file or process name. */
    subject: z.nullable(z.string()),
  }),
  z.object({ ...eventBase, type: z.literal('interface'), interface: z.string(), up: z.boolean() }),
  /**
   * `Netlink reflector reports IP 192.0.2.102 removed from eth0` (VRRP, logged with -D: an address
   * of this director added or removed; a VIP removed while MASTER makes keepalived give up MASTER);
   * older and checker lines name no interface.
   */
  z.object({ ...eventBase, type: z.literal('address'), address: z.string(), added: z.boolean(), interface: z.nullable(z.string()) }),
  /** `(VI_1) setting VIPs.` / `(VI_1) removing VIPs.` (logged with -D / --log-detail). */
  z.object({ ...eventBase, type: z.literal('vips'), instance: z.string(), action: z.enum(['set', 'remove']) }),
  z.object({
    ...eventBase,
    type: z.literal('checker'),
    /** TCP_CHECK, HTTP_GET (HTTP or SSL), MISC_CHECK, FILE_CHECK, or null when the line does not say. */
    checker: z.nullable(z.string()),
    realServer: KeepalivedEndpoint,
    virtualServer: z.nullable(KeepalivedEndpoint),
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
    from: z.int(),
    to: z.int(),
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
    version: z.nullable(z.string()),
    /** child-started: the child's pid. */
    childPid: z.nullable(z.int()),
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
    priority: z.nullable(z.int()),
    raw: z.string(),
  }),
  z.object({
    type: z.literal('group'),
    name: z.string(),
    state: NotifyState,
    priority: z.nullable(z.int()),
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
