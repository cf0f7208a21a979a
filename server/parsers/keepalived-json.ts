// keepalived's JSON dump (/tmp/keepalived.json, signal `keepalived --signum=JSON`, only when built
// with --enable-json) -> KeepalivedJsonDump. The file is one JSON array of
// `{ "data": { iname, state, vrid, ... }, "stats": { advert_rcvd, ... } }`, VRRP instances only.
// The wire shape is validated with zod (unknown extra fields ignored) and converted in
// toKeepalivedJsonDump. Bad JSON or a wrong shape -> ParseError with line 0.

import { z } from 'zod';
import { type KeepalivedJsonDump, type KeepalivedVip, type VrrpState } from '@/lib/models/keepalived';
import { parseKeepalivedVip } from './keepalived-data';
import { parseJsonDocument, ParseError } from './parse-error';

const KIND = 'keepalived-json';

const uint = z.number().int().nonnegative();

const WireData = z.object({
  iname: z.string(),
  ifp_ifname: z.string().optional(),
  master_priority: uint,
  last_transition: z.number().nonnegative(),
  vrid: uint.max(255),
  base_priority: uint,
  effective_priority: uint,
  vipset: z.boolean(),
  adver_int: z.number().nonnegative(),
  master_adver_int: z.number().nonnegative(),
  nopreempt: z.boolean(),
  preempt_delay: z.number().nonnegative(),
  state: uint,
  wantstate: uint,
  version: uint,
  script_backup: z.string().optional(),
  script_master: z.string().optional(),
  script_fault: z.string().optional(),
  script_stop: z.string().optional(),
  script_deleted: z.string().optional(),
  script: z.string().optional(),
  script_master_rx_lower_pri: z.string().optional(),
  vips: z.array(z.string()).optional(),
  evips: z.array(z.string()).optional(),
  track_ifp: z.array(z.string()).optional(),
  track_script: z.array(z.string()).optional(),
});

const WireStats = z.object({
  advert_rcvd: uint,
  advert_sent: uint,
  become_master: uint,
  release_master: uint,
  packet_len_err: uint,
  advert_interval_err: uint,
  ip_ttl_err: uint,
  invalid_type_rcvd: uint,
  addr_list_err: uint,
  invalid_authtype: uint,
  authtype_mismatch: uint.optional(),
  auth_failure: uint.optional(),
  pri_zero_rcvd: uint,
  pri_zero_sent: uint,
});

const Wire = z.array(z.object({ data: WireData, stats: WireStats.optional() }));
type Wire = z.infer<typeof Wire>;

const STATES: Record<number, VrrpState> = { 0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT', 97: 'DELETED', 98: 'STOP' };

function vips(list: string[] | undefined, where: string): KeepalivedVip[] {
  return (list ?? []).map((text, i) => {
    const vip = parseKeepalivedVip(text, false);
    if (!vip) throw new ParseError(KIND, 0, text, `${where}[${i}]: expected "ADDRESS[/PREFIX] dev IF ..."`);
    return vip;
  });
}

const SCRIPT_KEYS = [
  ['script_backup', 'Backup'],
  ['script_master', 'Master'],
  ['script_fault', 'Fault'],
  ['script_stop', 'Stop'],
  ['script_deleted', 'Deleted'],
  ['script', 'Generic'],
  ['script_master_rx_lower_pri', 'Master rx lower pri'],
] as const;

/** Wire shape -> app shape (the one named conversion). */
export function toKeepalivedJsonDump(wire: Wire): KeepalivedJsonDump {
  return {
    instances: wire.map(({ data: d, stats: s }, i) => {
      const notifyScripts: Record<string, string> = {};
      for (const [key, label] of SCRIPT_KEYS) {
        const cmd = d[key];
        if (cmd !== undefined) notifyScripts[label] = cmd;
      }
      return {
        name: d.iname,
        state: STATES[d.state] ?? 'unknown',
        stateCode: d.state,
        wantState: STATES[d.wantstate] ?? 'unknown',
        interface: d.ifp_ifname ?? null,
        virtualRouterId: d.vrid,
        priority: d.base_priority,
        effectivePriority: d.effective_priority,
        masterPriority: d.master_priority,
        lastTransition: d.last_transition,
        version: d.version,
        advertIntervalSeconds: d.adver_int,
        masterAdvertIntervalSeconds: d.master_adver_int,
        preempt: !d.nopreempt,
        preemptDelaySeconds: d.preempt_delay,
        vipSet: d.vipset,
        vips: vips(d.vips, `[${i}].data.vips`),
        excludedVips: vips(d.evips, `[${i}].data.evips`),
        trackedInterfaces: d.track_ifp ?? [],
        trackedScriptCommands: d.track_script ?? [],
        notifyScripts,
        stats: s
          ? {
              advertRcvd: s.advert_rcvd,
              advertSent: s.advert_sent,
              becomeMaster: s.become_master,
              releaseMaster: s.release_master,
              packetLenErr: s.packet_len_err,
              advertIntervalErr: s.advert_interval_err,
              ipTtlErr: s.ip_ttl_err,
              invalidTypeRcvd: s.invalid_type_rcvd,
              addrListErr: s.addr_list_err,
              invalidAuthtype: s.invalid_authtype,
              authtypeMismatch: s.authtype_mismatch ?? null,
              authFailure: s.auth_failure ?? null,
              priZeroRcvd: s.pri_zero_rcvd,
              priZeroSent: s.pri_zero_sent,
            }
          : null,
      };
    }),
  };
}

export function parseKeepalivedJson(text: string): KeepalivedJsonDump {
  return toKeepalivedJsonDump(parseJsonDocument(KIND, text, Wire));
}
