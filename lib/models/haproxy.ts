import { z } from 'zod';

// HAProxy beside LVS: what the console reads from each HAProxy instance's admin socket (`show stat`)
// and the actions it sends there (`set server B/S state drain|maint|ready`, `set server B/S weight N`).

/** A backend or server name as HAProxy allows them in the configuration (and as the console sends them). */
export const HaproxyName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits and _ . : - (not first), at most 64');
/** Where HAProxy admin sockets live: under /run, /var/run or /var/lib/haproxy, plain path characters. */
export const HaproxySocketPath = z
  .string()
  .max(200)
  .regex(/^\/(?:run|var\/run|var\/lib\/haproxy)\/(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]+$/, 'an absolute path under /run, /var/run or /var/lib/haproxy')
  .refine((p) => !p.split('/').includes('..') && !p.split('/').includes('.'), 'no . or .. in the path');

export const HaproxyServer = z.object({
  name: z.string(),
  /** "ip:port" as HAProxy reports it (`addr`), null when not reported. */
  address: z.string().nullable(),
  /** UP, DOWN, DRAIN, MAINT, NOLB, "UP 1/2" (going down)... verbatim. */
  status: z.string(),
  weight: z.number().int().nullable(),
  currentSessions: z.number().int().nullable(),
  totalSessions: z.number().int().nullable(),
  /** L4OK, L4CON, L4TOUT, ... ('' when checks are off). */
  checkStatus: z.string(),
  checkDurationMs: z.number().int().nullable(),
  /** Seconds since the last status change. */
  lastChangeS: z.number().int().nullable(),
});
export type HaproxyServer = z.infer<typeof HaproxyServer>;

/** What `show stat` gives a frontend, and a backend besides its servers. */
const ProxyFields = {
  name: z.string(),
  status: z.string(),
  currentSessions: z.number().int().nullable(),
  totalSessions: z.number().int().nullable(),
};

export const HaproxyBackend = z.object({ ...ProxyFields, servers: z.array(HaproxyServer) });
export type HaproxyBackend = z.infer<typeof HaproxyBackend>;

export const HaproxyFrontend = z.object(ProxyFields);
export type HaproxyFrontend = z.infer<typeof HaproxyFrontend>;

export const HaproxyStats = z.object({ frontends: z.array(HaproxyFrontend), backends: z.array(HaproxyBackend) });
export type HaproxyStats = z.infer<typeof HaproxyStats>;

export const HaproxyInstanceView = z.object({
  name: z.string(),
  director: z.string(),
  /** When this read answered (epoch ms); null when it failed. */
  readAt: z.number().nullable(),
  error: z.string().nullable(),
  frontends: z.array(HaproxyFrontend),
  backends: z.array(HaproxyBackend),
});
export type HaproxyInstanceView = z.infer<typeof HaproxyInstanceView>;

/**
 * A hold: what an operator set on a server, kept on every instance until ended. HAProxy forgets
 * runtime-API changes when it is reloaded or restarted (the server comes back as the configuration
 * says), so the console re-applies an open hold wherever it drifted, audited as "system".
 * aspect "state": drain or maint (ended by ready); aspect "weight": a weight (ended by release).
 */
export const HaproxyHoldAspect = z.enum(['state', 'weight']);
export type HaproxyHoldAspect = z.infer<typeof HaproxyHoldAspect>;
export const HaproxyHold = z.object({
  id: z.string(),
  cluster: z.string(),
  backend: z.string(),
  server: z.string(),
  aspect: HaproxyHoldAspect,
  /** For aspect "state". */
  state: z.enum(['drain', 'maint']).nullable(),
  /** For aspect "weight". */
  weight: z.number().int().nullable(),
  actor: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  /** Times the console re-applied it after it drifted, and when last. */
  reapplied: z.number().int(),
  lastReappliedAt: z.number().nullable(),
  /** The last re-apply's error while it keeps failing, else null. */
  lastError: z.string().nullable(),
});
export type HaproxyHold = z.infer<typeof HaproxyHold>;

export const HaproxyView = z.object({ cluster: z.string(), instances: z.array(HaproxyInstanceView), holds: z.array(HaproxyHold) });
export type HaproxyView = z.infer<typeof HaproxyView>;

/** drain / maint / ready / weight act on HAProxy and open or end holds; release only ends this server's holds. */
export const HaproxyActionKind = z.enum(['drain', 'maint', 'ready', 'weight', 'release']);
export type HaproxyActionKind = z.infer<typeof HaproxyActionKind>;

export const HaproxyActionRequest = z
  .object({
    action: HaproxyActionKind,
    backend: HaproxyName,
    server: HaproxyName,
    /** For action "weight": HAProxy's 0..256. */
    weight: z.number().int().min(0).max(256).optional(),
    reason: z.string().max(500).default(''),
  })
  .strict()
  .refine((r) => (r.action === 'weight') === (r.weight !== undefined), { message: 'weight is required for action "weight", and only for it', path: ['weight'] });
export type HaproxyActionRequest = z.infer<typeof HaproxyActionRequest>;

const ServerState = z.object({ status: z.string(), weight: z.number().int().nullable() });

export const HaproxyInstanceOutcome = z.object({
  instance: z.string(),
  director: z.string(),
  ok: z.boolean(),
  /** Status and weight before and after (after = re-read from the socket). */
  before: ServerState.nullable(),
  after: ServerState.nullable(),
  error: z.string().nullable(),
});
export type HaproxyInstanceOutcome = z.infer<typeof HaproxyInstanceOutcome>;

export const HaproxyActionResult = z.object({
  cluster: z.string(),
  action: HaproxyActionKind,
  backend: z.string(),
  server: z.string(),
  weight: z.number().int().nullable(),
  ok: z.boolean(),
  auditId: z.string(),
  instances: z.array(HaproxyInstanceOutcome),
  /** This server's open holds after the action. */
  holds: z.array(HaproxyHold),
});
export type HaproxyActionResult = z.infer<typeof HaproxyActionResult>;
