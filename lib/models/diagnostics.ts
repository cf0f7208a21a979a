import { z } from 'zod/mini';

// "Check this cluster": read-only checks of the directors, each with what is wrong and the exact fix.

export const CheckStatus = z.enum(['ok', 'problem', 'warning', 'unknown', 'not-applicable']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const DiagnosticCheck = z.object({
  /** Stable: "<check>:<director or service/real server>". */
  id: z.string(),
  check: z.enum([
    'ip-forward', 'conntrack', 'expire-quiescent-template', 'expire-nodest-conn', 'keepalived-config', 'runtime-weights', 'tables-compared', 'director-reachable',
    'director-maintenance',
    // NetworkManager on the directors (lib/network-manager-issues.ts)
    'networkmanager', 'nm-vip-in-profile', 'nm-device-not-connected', 'nm-managed-inconsistent', 'nm-dhcp-on-vrrp',
    // On real servers reached over SSH (clusters[].realServerHosts):
    'rs-reachable', 'rs-dr-vip', 'rs-dr-arp', 'rs-nat-route', 'rs-rp-filter', 'rs-tun-device', 'rs-tun-vip', 'rs-tun-arp',
  ]),
  title: z.string(),
  status: CheckStatus,
  director: z.nullable(z.string()),
  /** For checks on a real server: its configured host name. */
  host: z.optional(z.string()),
  /** What was found, in one or two plain sentences. */
  detail: z.string(),
  /** The exact fix (commands to run on the director, or the step to take); null when nothing to do. */
  fix: z.nullable(z.string()),
});
export type DiagnosticCheck = z.infer<typeof DiagnosticCheck>;

export const DiagnosticsReport = z.object({
  cluster: z.string(),
  ranAt: z.number(),
  durationMs: z.number(),
  /** When the data the checks read was taken (the refresh this run asked for). */
  snapshotAt: z.number(),
  checks: z.array(DiagnosticCheck),
  counts: z.object({ problem: z.int(), warning: z.int(), ok: z.int(), unknown: z.int() }),
});
export type DiagnosticsReport = z.infer<typeof DiagnosticsReport>;
