import { z } from 'zod/mini';

// NetworkManager as `nmcli -t` / `nmcli -m multiline` prints it. A record maps the requested
// field names (as given to -f, upper-case for list commands: DEVICE, TYPE, ...) to their values;
// empty values (terse ``, `""`; multiline `--`) become "".

export const NmcliRecord = z.record(z.string(), z.string());
export type NmcliRecord = z.infer<typeof NmcliRecord>;

export const NmcliTable = z.object({
  fields: z.array(z.string()),
  records: z.array(NmcliRecord),
});
export type NmcliTable = z.infer<typeof NmcliTable>;

/** `nmcli -t -f DEVICE,TYPE,STATE,CONNECTION device`. */
export const NmcliDevice = z.object({
  device: z.string(),
  type: z.string(),
  /** connected, disconnected, unmanaged, unavailable, connecting (...), ... */
  state: z.string(),
  /** Active connection name, null when none. */
  connection: z.nullable(z.string()),
});
export type NmcliDevice = z.infer<typeof NmcliDevice>;

/** `nmcli -t -f NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT connection`. */
export const NmcliConnection = z.object({
  name: z.string(),
  uuid: z.string(),
  type: z.string(),
  device: z.nullable(z.string()),
  active: z.nullable(z.boolean()),
  /** activated, activating, deactivating, ... null when inactive. */
  state: z.nullable(z.string()),
  autoconnect: z.nullable(z.boolean()),
});
export type NmcliConnection = z.infer<typeof NmcliConnection>;

/** One NetworkManager profile (`nmcli -t -f connection.*,ipv4.*,ipv6.* connection show UUID`). */
export const NmProfile = z.object({
  name: z.string(),
  uuid: z.string(),
  type: z.string(),
  /** connection.interface-name: the device it is bound to, null when any device may take it. */
  interfaceName: z.nullable(z.string()),
  autoconnect: z.nullable(z.boolean()),
  /** manual, auto (DHCP / SLAAC), link-local, disabled, shared, ignore, ... */
  ipv4Method: z.nullable(z.string()),
  /** Addresses the profile sets, "192.0.2.3/24". */
  ipv4Addresses: z.array(z.string()),
  ipv4NeverDefault: z.nullable(z.boolean()),
  ipv6Method: z.nullable(z.string()),
  ipv6Addresses: z.array(z.string()),
});
export type NmProfile = z.infer<typeof NmProfile>;

/** A profile as a director has it: its settings and where it is active. */
export const NmProfileView = z.extend(NmProfile, {
  /** Device it is active on (null: not active). */
  device: z.nullable(z.string()),
  /** activated, activating, deactivating, ...; null when inactive. */
  state: z.nullable(z.string()),
});
export type NmProfileView = z.infer<typeof NmProfileView>;

/** One network device of a director: what the kernel has on it now and what NetworkManager says. */
export const NetworkInterfaceView = z.object({
  device: z.string(),
  /** Addresses on it now (ip addr, "192.0.2.3/24"). */
  addresses: z.array(z.string()),
  /** NetworkManager's device (null on a director without NetworkManager). */
  nm: z.nullable(NmcliDevice),
});
export type NetworkInterfaceView = z.infer<typeof NetworkInterfaceView>;

/** A director's network as NetworkManager sees it. */
export const DirectorNetwork = z.object({
  /** 'none': nmcli absent or NetworkManager not running (normal: the director is not managed by it). */
  manager: z.enum(['networkmanager', 'none']),
  /** When NetworkManager was last read (epoch ms). */
  readAt: z.number(),
  interfaces: z.array(NetworkInterfaceView),
  profiles: z.array(NmProfileView),
  /** Why the last read failed, when it did (the data shown is from readAt). */
  error: z.nullable(z.string()),
});
export type DirectorNetwork = z.infer<typeof DirectorNetwork>;
