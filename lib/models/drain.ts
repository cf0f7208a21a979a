import { z } from 'zod/mini';

// Drain, restore and re-weight (issue #5): the request bodies the API accepts, the plan (impact and
// dry run) it computes, the intents it holds, the per-director results it reports, and drain progress.
// Shared by the server, the browser and lvsctl.

export const IntentKind = z.enum(['drain', 'weight']);
export type IntentKind = z.infer<typeof IntentKind>;

/** How a held weight is kept: `ipvsadm -e` re-applied on drift, or a keepalived FILE_CHECK track file (keepalived keeps it). */
export const HoldMechanism = z.enum(['ipvsadm', 'track-file']);
export type HoldMechanism = z.infer<typeof HoldMechanism>;

export const OnExpiry = z.enum(['restore', 'alert']);
export type OnExpiry = z.infer<typeof OnExpiry>;

export const Intent = z.object({
  id: z.string(),
  cluster: z.string(),
  /** MergedService key, e.g. "TCP 192.0.2.100:80". */
  service: z.string(),
  /** Real server key, e.g. "192.0.2.11:80". */
  realServer: z.string(),
  kind: IntentKind,
  /** The weight held on every director (0 for a drain). */
  weight: z.int().check(z.gte(0), z.lte(65535)),
  /** The weight a restore puts back. */
  restoreWeight: z.int().check(z.gte(0), z.lte(65535)),
  mechanism: HoldMechanism,
  actor: z.string(),
  reason: z.string(),
  ticket: z.nullable(z.string()),
  createdAt: z.number(),
  expiresAt: z.nullable(z.number()),
  onExpiry: z.nullable(OnExpiry),
  endedAt: z.nullable(z.number()),
  endedBy: z.nullable(z.string()),
  endReason: z.nullable(z.string()),
});
export type Intent = z.infer<typeof Intent>;

export const IntentList = z.object({ cluster: z.string(), intents: z.array(Intent) });
export type IntentList = z.infer<typeof IntentList>;

// ------------------------------------------------------------------ requests

/** `ADDR` (a host: every service it serves) or `ADDR:PORT` / `[V6]:PORT` (one real server). */
const Target = z.string().check(z.trim(), z.minLength(1, 'target is required'), z.maxLength(64));
/** "TCP 192.0.2.100:80", "192.0.2.100:80" (any protocol), "udp:192.0.2.101:5353", "FWM 1", "fwm:1". */
const ServiceSelector = z.string().check(z.trim(), z.minLength(1), z.maxLength(80));
const Reason = z.string().check(z.trim(), z.minLength(1, 'reason is required: say why (it goes to the audit log)'), z.maxLength(500));

const HoldOptions = {
  ticket: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  /** Lease: after this many minutes the hold is restored (onExpiry 'restore') or flagged ('alert'). */
  expiresInMinutes: z.optional(z.int().check(z.gte(1), z.lte(60 * 24 * 365))),
  onExpiry: z.optional(OnExpiry),
  /** Allow removing the last serving real server of a service. */
  force: z.optional(z.boolean()),
  /** Plan only: report what would run, change nothing. */
  dryRun: z.optional(z.boolean()),
};

export const DrainRequest = z.strictObject({ target: Target, service: z.optional(ServiceSelector), reason: Reason, ...HoldOptions });
export type DrainRequest = z.infer<typeof DrainRequest>;

export const WeightRequest = z.strictObject({
  target: Target,
  service: z.optional(ServiceSelector),
  weight: z.int().check(z.gte(0), z.lte(65535)),
  reason: Reason,
  ...HoldOptions,
});
export type WeightRequest = z.infer<typeof WeightRequest>;

export const RestoreRequest = z.strictObject({
  target: Target,
  service: z.optional(ServiceSelector),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  dryRun: z.optional(z.boolean()),
});
export type RestoreRequest = z.infer<typeof RestoreRequest>;

export const WaitRequest = z.strictObject({
  target: Target,
  service: z.optional(ServiceSelector),
  /** How long to wait for the drain to complete (server caps one call at 300 s). */
  timeoutSeconds: z._default(z.int().check(z.gte(0), z.lte(300)), 60),
});
export type WaitRequest = z.infer<typeof WaitRequest>;

// ------------------------------------------------------------------ plan (impact, dry run)

export const DrainAction = z.enum(['drain', 'restore', 'weight']);
export type DrainAction = z.infer<typeof DrainAction>;

export const PlanEntry = z.object({
  service: z.string(),
  realServer: z.string(),
  /** Live weight on the director holding the service's VIP (null when absent there). */
  currentWeight: z.nullable(z.int()),
  targetWeight: z.int(),
  /** What a later restore puts back. */
  restoreWeight: z.int(),
  mechanism: HoldMechanism,
  /** For track-file holds: the path and the number written. */
  trackFile: z.nullable(z.object({ path: z.string(), value: z.int() })),
  /** Share of the service's serving weight this real server carries now, and after the change (0..1). */
  shareBefore: z.number(),
  shareAfter: z.number(),
  /** Share the OTHER serving real servers carry after the change (what is left for clients). */
  remainingShare: z.number(),
  /** The change leaves the service with no serving real server (weight > 0 and healthy). */
  removesLastServer: z.boolean(),
  /** An open intent on this real server that this action replaces or ends. */
  existingIntentId: z.nullable(z.string()),
  /** Persistent service and expire_quiescent_template = 0 on some director: known clients keep coming. */
  persistenceWarning: z.nullable(z.string()),
});
export type PlanEntry = z.infer<typeof PlanEntry>;

export const PlannedCommand = z.object({
  /** The command as an operator would type it (display only). */
  display: z.string(),
  /** What it is for: "set" (change), "verify" (re-read). */
  role: z.enum(['set', 'verify']),
});
export type PlannedCommand = z.infer<typeof PlannedCommand>;

export const DirectorPlan = z.object({
  director: z.string(),
  commands: z.array(PlannedCommand),
  /** Real servers not in this director's table now (nothing to run; the hold applies when they return). */
  absent: z.array(z.string()),
});
export type DirectorPlan = z.infer<typeof DirectorPlan>;

export const DrainPlan = z.object({
  cluster: z.string(),
  action: DrainAction,
  target: z.string(),
  service: z.nullable(z.string()),
  entries: z.array(PlanEntry),
  directors: z.array(DirectorPlan),
  /** Plain-language reasons the action is refused unless forced (last serving server...). */
  refusals: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type DrainPlan = z.infer<typeof DrainPlan>;

// ------------------------------------------------------------------ results

export const VerifiedWeight = z.object({
  service: z.string(),
  realServer: z.string(),
  expected: z.int(),
  /** Weight re-read after the change; null when the real server is absent from the table. */
  actual: z.nullable(z.int()),
  ok: z.boolean(),
});
export type VerifiedWeight = z.infer<typeof VerifiedWeight>;

export const DirectorResult = z.object({
  director: z.string(),
  /** ok: every change verified; failed: the error says why (the intent still holds; the reconciler retries). */
  status: z.enum(['ok', 'failed', 'skipped']),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
  verified: z.array(VerifiedWeight),
  durationMs: z.number(),
});
export type DirectorResult = z.infer<typeof DirectorResult>;

export const ActionOutcome = z.enum(['ok', 'partial', 'failed']);
export type ActionOutcome = z.infer<typeof ActionOutcome>;

export const ActionResult = z.object({
  action: DrainAction,
  cluster: z.string(),
  dryRun: z.boolean(),
  /** ok: verified on every director; partial: some failed (retry, or let the reconciler finish); failed: none verified. */
  outcome: ActionOutcome,
  /** One plain sentence for people and scripts. */
  message: z.string(),
  plan: DrainPlan,
  /** Intents now open (drain/weight) or just ended (restore). */
  intents: z.array(Intent),
  /** True when an identical open intent already existed (a concurrent or repeated request). */
  alreadyHeld: z.boolean(),
  directors: z.array(DirectorResult),
  auditId: z.nullable(z.string()),
});
export type ActionResult = z.infer<typeof ActionResult>;

// ------------------------------------------------------------------ progress

export const ProgressPoint = z.object({
  t: z.number(),
  active: z.int(),
  inactive: z.int(),
  persistent: z.int(),
});
export type ProgressPoint = z.infer<typeof ProgressPoint>;

export const ProgressEntry = z.object({
  service: z.string(),
  realServer: z.string(),
  /** The director holding the service's VIP, whose counts these are. */
  director: z.nullable(z.string()),
  weight: z.nullable(z.int()),
  active: z.nullable(z.int()),
  inactive: z.nullable(z.int()),
  persistent: z.nullable(z.int()),
  /** draining: weight 0, connections remain; drained: weight 0 and no connections; serving: weight > 0; absent: not in the table. */
  state: z.enum(['draining', 'drained', 'serving', 'absent', 'unknown']),
  series: z.array(ProgressPoint),
});
export type ProgressEntry = z.infer<typeof ProgressEntry>;

export const ConnectionDetail = z.object({
  director: z.string(),
  /** -Lnc entries to the drained real server(s). */
  entries: z.int(),
  templates: z.int(),
  byState: z.record(z.string(), z.int()),
  /** Seconds until the last entry expires if nothing new arrives (ESTABLISHED entries refresh while traffic flows). */
  maxExpiresInSeconds: z.nullable(z.number()),
  /** Client addresses still holding the server (first 50). */
  clients: z.array(z.string()),
  distinctClients: z.int(),
  takenAt: z.number(),
  error: z.nullable(z.string()),
});
export type ConnectionDetail = z.infer<typeof ConnectionDetail>;

export const DrainProgress = z.object({
  cluster: z.string(),
  target: z.string(),
  service: z.nullable(z.string()),
  /** drained when every entry is; draining while any has connections; serving when any still has weight. */
  state: z.enum(['draining', 'drained', 'serving', 'unknown']),
  entries: z.array(ProgressEntry),
  /** Estimated seconds until zero (from -Lnc expiry timers), null when not asked for or unknown. */
  estimatedSecondsToZero: z.nullable(z.number()),
  /** Why the estimate is a lower bound, when it is (established connections with traffic refresh their timers). */
  estimateNote: z.nullable(z.string()),
  connections: z.array(ConnectionDetail),
  takenAt: z.number(),
  /** For the wait endpoint: true when it returned because time ran out. */
  timedOut: z.optional(z.boolean()),
});
export type DrainProgress = z.infer<typeof DrainProgress>;
