import { z } from 'zod/mini';
import { canonicalIP, isIP, splitEndpoint } from '../address';

// HAProxy beside LVS: what the console reads from each HAProxy instance's admin socket (`show stat`)
// and the actions it sends there (`set server B/S state drain|maint|ready`, `set server B/S weight N`).

/** A backend or server name as HAProxy allows them in the configuration (and as the console sends them). */
export const HaproxyName = z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits and _ . : - (not first), at most 64'));
/** Where HAProxy admin sockets live: under /run, /var/run or /var/lib/haproxy, plain path characters. */
export const HaproxySocketPath = z.string().check(
  z.maxLength(200),
  z.regex(/^\/(?:run|var\/run|var\/lib\/haproxy)\/(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]+$/, 'an absolute path under /run, /var/run or /var/lib/haproxy'),
  z.refine((p) => !p.split('/').includes('..') && !p.split('/').includes('.'), 'no . or .. in the path'),
);

export const HaproxyServer = z.object({
  name: z.string(),
  /** "ip:port" as HAProxy reports it (`addr`), null when not reported. */
  address: z.nullable(z.string()),
  /** UP, DOWN, DRAIN, MAINT, NOLB, "UP 1/2" (going down)... verbatim. */
  status: z.string(),
  weight: z.nullable(z.int()),
  currentSessions: z.nullable(z.int()),
  totalSessions: z.nullable(z.int()),
  /** L4OK, L4CON, L7OK, L7STS, ... ('' when checks are off). */
  checkStatus: z.string(),
  /** The layer-7 code of the last check (an HTTP status; a MySQL check's server error number, e.g. 4151), null when none. */
  checkCode: z.nullable(z.int()),
  /** HAProxy's `last_chk`: what the last check got, verbatim ("Connection refused", a MySQL server's error), '' when none. */
  checkDetail: z.string(),
  /** HAProxy's `check_desc`: its words for the check status ("Layer7 check passed", "Layer7 wrong status"). */
  checkDescription: z.string(),
  checkDurationMs: z.nullable(z.int()),
  /** Seconds since the last status change. */
  lastChangeS: z.nullable(z.int()),
});
export type HaproxyServer = z.infer<typeof HaproxyServer>;

/** What `show stat` gives a frontend, and a backend besides its servers. */
const ProxyFields = {
  name: z.string(),
  status: z.string(),
  currentSessions: z.nullable(z.int()),
  totalSessions: z.nullable(z.int()),
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
  readAt: z.nullable(z.number()),
  error: z.nullable(z.string()),
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
  state: z.nullable(z.enum(['drain', 'maint'])),
  /** For aspect "weight". */
  weight: z.nullable(z.int()),
  actor: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  /** Times the console re-applied it after it drifted, and when last. */
  reapplied: z.int(),
  lastReappliedAt: z.nullable(z.number()),
  /** The last re-apply's error while it keeps failing, else null. */
  lastError: z.nullable(z.string()),
});
export type HaproxyHold = z.infer<typeof HaproxyHold>;

export const HaproxyView = z.object({ cluster: z.string(), instances: z.array(HaproxyInstanceView), holds: z.array(HaproxyHold) });
export type HaproxyView = z.infer<typeof HaproxyView>;

/** GET /api/clusters/:cluster/haproxy/holds: the open holds alone, from the console's store. */
export const HaproxyHoldList = z.object({ cluster: z.string(), holds: z.array(HaproxyHold) });
export type HaproxyHoldList = z.infer<typeof HaproxyHoldList>;

/** drain / maint / ready / weight act on HAProxy and open or end holds; release only ends this server's holds. */
export const HaproxyActionKind = z.enum(['drain', 'maint', 'ready', 'weight', 'release']);
export type HaproxyActionKind = z.infer<typeof HaproxyActionKind>;

/** Actions that need a typed reason (it goes to the audit log): the ones that take or hold something. */
export const HAPROXY_REASON_REQUIRED: readonly HaproxyActionKind[] = ['drain', 'maint', 'weight'];

export const HaproxyActionRequest = z
  .strictObject({
    action: HaproxyActionKind,
    backend: HaproxyName,
    server: HaproxyName,
    /** For action "weight": HAProxy's 0..256. */
    weight: z.optional(z.int().check(z.gte(0), z.lte(256))),
    /** Why (written in the audit log): required for drain, maint and weight; optional for ready and release. */
    reason: z._default(z.string().check(z.trim(), z.maxLength(500)), ''),
    /** Allow taking the last serving (UP) server of a backend out (drain, maint, weight 0) on some instance. */
    force: z.optional(z.boolean()),
  })
  .check(
    z.refine((r) => (r.action === 'weight') === (r.weight !== undefined), { message: 'weight is required for action "weight", and only for it', path: ['weight'] }),
    z.refine((r) => !HAPROXY_REASON_REQUIRED.includes(r.action) || r.reason !== '', {
      message: 'reason is required for drain, maint and weight: say why (it goes to the audit log)',
      path: ['reason'],
    }),
  );
export type HaproxyActionRequest = z.infer<typeof HaproxyActionRequest>;

const ServerState = z.object({ status: z.string(), weight: z.nullable(z.int()) });

export const HaproxyInstanceOutcome = z.object({
  instance: z.string(),
  director: z.string(),
  ok: z.boolean(),
  /** Status and weight before and after (after = re-read from the socket). */
  before: z.nullable(ServerState),
  after: z.nullable(ServerState),
  error: z.nullable(z.string()),
});
export type HaproxyInstanceOutcome = z.infer<typeof HaproxyInstanceOutcome>;

export const HaproxyActionResult = z.object({
  cluster: z.string(),
  action: HaproxyActionKind,
  backend: z.string(),
  server: z.string(),
  weight: z.nullable(z.int()),
  ok: z.boolean(),
  auditId: z.string(),
  instances: z.array(HaproxyInstanceOutcome),
  /** This server's open holds after the action. */
  holds: z.array(HaproxyHold),
});
export type HaproxyActionResult = z.infer<typeof HaproxyActionResult>;

// ------------------------------------------------------------------ impact and the last-server rule

/** A server that takes new sessions: HAProxy says UP (also "UP 1/2", going down) and its weight is not 0. */
export function haproxyServing(s: Pick<HaproxyServer, 'status' | 'weight'>): boolean {
  return /^UP\b/i.test(s.status.trim()) && s.weight !== 0;
}

/** Does this action take the server out of rotation (no new sessions)? */
export function haproxyTakesOut(action: HaproxyActionKind, weight?: number | null): boolean {
  return action === 'drain' || action === 'maint' || (action === 'weight' && weight === 0);
}

/** One instance's view of the action on one server: what it serves now and who is left. */
export interface HaproxyInstanceImpact {
  instance: string;
  director: string;
  /** The server on this instance, or null when the instance does not answer or does not have it. */
  server: HaproxyServer | null;
  /** Sessions on the server now (null when unknown). */
  sessionsNow: number | null;
  /** The backend's other servers that take new sessions on this instance. */
  otherServing: string[];
  /** This action would leave the backend with no serving server on this instance. */
  lastServing: boolean;
}

export interface HaproxyImpact {
  backend: string;
  server: string;
  instances: HaproxyInstanceImpact[];
  /** Plain-language refusals (the last serving server, per instance): refused unless forced. */
  refusals: string[];
}

/**
 * The impact of an action on `backend/server` over every instance's `show stat`: sessions now,
 * the other serving servers, and the last-server refusals. The server refuses the same way (it
 * computes this from a fresh read just before acting); the dialog shows it first.
 */
export function haproxyImpact(
  instances: readonly Pick<HaproxyInstanceView, 'name' | 'director' | 'error' | 'backends'>[],
  backend: string,
  server: string,
  action: HaproxyActionKind,
  weight?: number | null,
): HaproxyImpact {
  const out: HaproxyInstanceImpact[] = instances.map((inst) => {
    const b = inst.error === null ? inst.backends.find((x) => x.name === backend) : undefined;
    const s = b?.servers.find((x) => x.name === server) ?? null;
    const otherServing = (b?.servers ?? []).filter((x) => x.name !== server && haproxyServing(x)).map((x) => x.name);
    const lastServing = s !== null && haproxyTakesOut(action, weight) && haproxyServing(s) && otherServing.length === 0;
    return { instance: inst.name, director: inst.director, server: s, sessionsNow: s?.currentSessions ?? null, otherServing, lastServing };
  });
  const refusals = out
    .filter((i) => i.lastServing)
    .map((i) => `${backend}/${server} is the last UP server of backend ${backend} on ${i.instance} (on ${i.director}): ${action === 'weight' ? 'weight 0' : action} would leave it no server for new sessions (force to do it anyway)`);
  return { backend, server, instances: out, refusals };
}

/** One server of a backend across instances: the table's row (a cell per instance). */
export interface HaproxyServerRow {
  backend: string;
  server: string;
  address: string | null;
  /** Instance name -> its copy of the server (absent: not on that instance or not read). */
  cells: Record<string, HaproxyServer | undefined>;
}

/** Backends (in first-seen order) with their servers across every instance, one row per server. */
export function haproxyRows(instances: readonly Pick<HaproxyInstanceView, 'name' | 'backends'>[]): { backend: string; rows: HaproxyServerRow[] }[] {
  const backends = new Map<string, Map<string, HaproxyServerRow>>();
  for (const inst of instances) {
    for (const b of inst.backends) {
      let rows = backends.get(b.name);
      if (!rows) backends.set(b.name, (rows = new Map<string, HaproxyServerRow>()));
      for (const s of b.servers) {
        let row = rows.get(s.name);
        if (!row) rows.set(s.name, (row = { backend: b.name, server: s.name, address: s.address, cells: {} }));
        row.cells[inst.name] = s;
        if (row.address === null) row.address = s.address;
      }
    }
  }
  return [...backends].map(([backend, rows]) => ({ backend, rows: [...rows.values()] }));
}

/**
 * The host part of HAProxy's `addr` column ("192.0.2.11:8080"; IPv6 has brackets around the
 * address, "[2001:db8::11]:8080", per HAProxy's management guide), canonical; null when it is not
 * an address (a name, "unix", empty).
 */
export function haproxyAddressHost(addr: string | null): string | null {
  if (addr === null || addr === '') return null;
  const { address } = splitEndpoint(addr);
  return isIP(address) !== 0 ? canonicalIP(address) : null;
}

/** The host page's HAProxy memberships: the backends' rows whose server is at this address. */
export function haproxyRowsOfHost(
  instances: readonly Pick<HaproxyInstanceView, 'name' | 'backends'>[],
  address: string,
): { backend: string; rows: HaproxyServerRow[] }[] {
  const wanted = isIP(address) !== 0 ? canonicalIP(address) : address;
  return haproxyRows(instances)
    .map(({ backend, rows }) => ({ backend, rows: rows.filter((r) => haproxyAddressHost(r.address) === wanted) }))
    .filter((b) => b.rows.length > 0);
}

/** One HAProxy server of a host that a host-wide drain or restore acts on too ("drain everywhere"). */
export interface HostHaproxyTarget {
  backend: string;
  server: string;
  /** Sessions on it now, over every instance (null: no instance answered for it). */
  sessionsNow: number | null;
}

/**
 * What a host-wide drain (or restore) does in HAProxy beside LVS: drain every server of the host in
 * every backend, refusing (unless forced) where it is a backend's last UP server; restore = ready
 * every server of the host the console holds in drain or maint (a server taken out by hand is left
 * as it is). The server checks the last-UP rule again on a fresh read before each action.
 */
export function hostHaproxyPlan(
  instances: readonly Pick<HaproxyInstanceView, 'name' | 'director' | 'error' | 'backends'>[],
  holds: readonly Pick<HaproxyHold, 'backend' | 'server' | 'aspect'>[],
  address: string,
  action: 'drain' | 'restore',
): { action: 'drain' | 'ready'; targets: HostHaproxyTarget[]; refusals: string[] } {
  const kind = action === 'drain' ? 'drain' : 'ready';
  const targets: HostHaproxyTarget[] = [];
  const refusals: string[] = [];
  for (const { backend, rows } of haproxyRowsOfHost(instances, address)) {
    for (const row of rows) {
      if (kind === 'ready' && !holds.some((h) => h.backend === backend && h.server === row.server && h.aspect === 'state')) continue;
      const impact = haproxyImpact(instances, backend, row.server, kind);
      const known = impact.instances.filter((i) => i.sessionsNow !== null);
      targets.push({ backend, server: row.server, sessionsNow: known.length > 0 ? known.reduce((n, i) => n + (i.sessionsNow ?? 0), 0) : null });
      refusals.push(...impact.refusals);
    }
  }
  return { action: kind, targets, refusals };
}
