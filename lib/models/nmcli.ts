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
