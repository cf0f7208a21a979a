import { z } from 'zod';

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
  connection: z.string().nullable(),
});
export type NmcliDevice = z.infer<typeof NmcliDevice>;

/** `nmcli -t -f NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT connection`. */
export const NmcliConnection = z.object({
  name: z.string(),
  uuid: z.string(),
  type: z.string(),
  device: z.string().nullable(),
  active: z.boolean().nullable(),
  /** activated, activating, deactivating, ... null when inactive. */
  state: z.string().nullable(),
  autoconnect: z.boolean().nullable(),
});
export type NmcliConnection = z.infer<typeof NmcliConnection>;
