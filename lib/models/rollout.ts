import { z } from 'zod/mini';

// Rolling maintenance (issue #18): a list of hosts patched one batch at a time. Per host: drain
// (every service it serves, every director) -> wait until drained (or the deadline) -> maintenance
// (the operator's "done", or a fixed time) -> restore with ramp-up (weight steps, each verified on
// every director) -> check (keepalived's checker says up on every director; new connections reach
// it) -> done. A ramp alone (kind 'ramp') is a restore in steps of a host already drained. Shared
// by the server (server/rollout/), the browser and lvsctl.

/** Where a host is. `deadline`: its drain passed the deadline with connections left; the operator decides. */
export const RolloutStep = z.enum(['pending', 'draining', 'deadline', 'maintenance', 'ramping', 'checking', 'done', 'skipped']);
export type RolloutStep = z.infer<typeof RolloutStep>;

/** The steps a host goes through, in order (the board's columns). */
export const ROLLOUT_STEPS: readonly RolloutStep[] = ['pending', 'draining', 'maintenance', 'ramping', 'checking', 'done'];

/**
 * running: the console drives it; paused: by an operator, or stopped by a failure or a refusal
 * (`stopped` says why; resume tries the step again); done: every host done or skipped; aborted: an
 * operator stopped it for good (hosts stay as they are).
 */
export const RolloutState = z.enum(['running', 'paused', 'done', 'aborted']);
export type RolloutState = z.infer<typeof RolloutState>;

export const RolloutKind = z.enum(['rollout', 'ramp']);
export type RolloutKind = z.infer<typeof RolloutKind>;

/** One real server of a host: what its drain held and what the ramp gives back (100 %). */
export const RolloutServer = z.object({
  /** MergedService key, e.g. "TCP 192.0.2.100:80". */
  service: z.string(),
  /** Real server key, e.g. "192.0.2.11:80". */
  realServer: z.string(),
  restoreWeight: z.int(),
});
export type RolloutServer = z.infer<typeof RolloutServer>;

export const RolloutHost = z.object({
  /** The host's address (canonical). */
  host: z.string(),
  /** 1-based batch number. */
  batch: z.int(),
  step: RolloutStep,
  /** When the current step began (epoch ms); null while pending. */
  stepStartedAt: z.nullable(z.number()),
  /** Filled by its drain (or, for a ramp, from its open holds). */
  servers: z.array(RolloutServer),
  /** Index in `ramp` of the last step applied and verified; -1 before the first. */
  rampIndex: z.int(),
  /** When the last ramp step was verified (the next waits stepSeconds from it). */
  rampAt: z.nullable(z.number()),
  /** Per director, its servers' total connections (ipvsadm --stats Conns, summed) when its check
   *  began: new connections are the growth on any director (the VIP holder may change). */
  connsAtCheck: z.nullable(z.record(z.string(), z.number())),
  /** What it waits for now, or what went wrong (plain language). */
  note: z.nullable(z.string()),
  /** Connections left when its drain passed the deadline (what the page shows). */
  connectionsLeft: z.nullable(z.int()),
  finishedAt: z.nullable(z.number()),
});
export type RolloutHost = z.infer<typeof RolloutHost>;

export const MaintenanceWait = z.enum(['manual', 'timer']);
export type MaintenanceWait = z.infer<typeof MaintenanceWait>;

export const RolloutOptions = z.object({
  /** Hosts per batch (resolved from a count or a percentage). */
  batchSize: z.int(),
  /** A drain not at zero connections after this many seconds hits the deadline. */
  drainDeadlineSeconds: z.int(),
  /** At the deadline: wait for the operator ("proceed"), or go on to maintenance. */
  onDeadline: z.enum(['wait', 'proceed']),
  /** manual: wait for "done" (button, lvsctl rollout done, or the API); timer: maintenanceSeconds. */
  maintenance: MaintenanceWait,
  maintenanceSeconds: z.nullable(z.int()),
  /** Ramp-up: percentages of the weight each server had, ascending, ending at 100. */
  ramp: z.array(z.int()),
  /** Seconds between ramp steps. */
  stepSeconds: z.int(),
  /** How long the check after the restore may take before the rollout stops. */
  checkSeconds: z.int(),
  /** The check also wants new connections to reach the host (its connection counter grows). */
  checkNewConnections: z.boolean(),
});
export type RolloutOptions = z.infer<typeof RolloutOptions>;

export const RolloutLogLine = z.object({ at: z.number(), host: z.nullable(z.string()), text: z.string() });
export type RolloutLogLine = z.infer<typeof RolloutLogLine>;

export const Rollout = z.object({
  id: z.string(),
  cluster: z.string(),
  kind: RolloutKind,
  state: RolloutState,
  /** Why it is paused when the console stopped it (a failed check, a refusal...); null otherwise. */
  stopped: z.nullable(z.string()),
  hosts: z.array(RolloutHost),
  options: RolloutOptions,
  actor: z.string(),
  reason: z.string(),
  ticket: z.nullable(z.string()),
  createdAt: z.number(),
  updatedAt: z.number(),
  endedAt: z.nullable(z.number()),
  endedBy: z.nullable(z.string()),
  /** A pipeline may say "maintenance done" with the rollout's own secret (POST …/rollouts/ID/callback). */
  callback: z._default(z.boolean(), false),
  /** What it is doing, in one sentence. */
  status: z.string(),
  /** What happened, oldest first (the last 200 lines). */
  log: z.array(RolloutLogLine),
});
export type Rollout = z.infer<typeof Rollout>;

export const RolloutList = z.object({ cluster: z.string(), rollouts: z.array(Rollout) });
export type RolloutList = z.infer<typeof RolloutList>;

// ------------------------------------------------------------------ requests

/** An address (a host: every service it serves). */
const Host = z.string().check(z.trim(), z.minLength(1, 'a host address is required'), z.maxLength(64));

export const DEFAULT_RAMP = [10, 25, 50, 100] as const;

/** Percentages, ascending, each 1..100, ending at 100. */
export const RampSteps = z.array(z.int().check(z.gte(1, 'a ramp step is a percentage from 1 to 100'), z.lte(100, 'a ramp step is a percentage from 1 to 100'))).check(
  z.minLength(1, 'the ramp needs at least one step (100)'),
  z.maxLength(20, 'at most 20 ramp steps'),
  z.refine((r) => r.every((v, i) => i === 0 || v > (r[i - 1] ?? 0)), 'ramp steps must go up (e.g. 10,25,50,100)'),
  z.refine((r) => r[r.length - 1] === 100, 'the last ramp step must be 100 (the weight it had)'),
);

/** "10,25,50,100" (commas, spaces or semicolons) -> [10, 25, 50, 100]; null when a part is not a whole number. RampSteps checks the rest. */
export function parseRampText(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number);
}

export const RolloutRequest = z.strictObject({
  /** rollout: drain, maintenance, ramp, check; ramp: a restore in steps of hosts already drained. */
  kind: z._default(RolloutKind, 'rollout'),
  hosts: z.array(Host).check(z.minLength(1, 'name at least one host'), z.maxLength(256, 'at most 256 hosts in one rollout')),
  /** Hosts per batch (default 1). */
  batchSize: z.optional(z.int().check(z.gte(1, 'batch size must be at least 1'), z.lte(256))),
  /** Or a share of the hosts per batch (rounded down, at least 1). */
  batchPercent: z.optional(z.number().check(z.gt(0, 'batch percent must be above 0'), z.lte(100, 'batch percent is at most 100'))),
  reason: z.string().check(z.trim(), z.minLength(1, 'reason is required: say why (it goes to the audit log)'), z.maxLength(500)),
  ticket: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  drainDeadlineSeconds: z._default(z.int().check(z.gte(1), z.lte(7 * 86400)), 900),
  onDeadline: z._default(z.enum(['wait', 'proceed']), 'wait'),
  maintenance: z._default(MaintenanceWait, 'manual'),
  /** For maintenance 'timer'. */
  maintenanceSeconds: z.optional(z.int().check(z.gte(0), z.lte(7 * 86400))),
  ramp: z._default(RampSteps, [...DEFAULT_RAMP]),
  stepSeconds: z._default(z.int().check(z.gte(1), z.lte(3600)), 30),
  checkSeconds: z._default(z.int().check(z.gte(5), z.lte(3600)), 120),
  checkNewConnections: z._default(z.boolean(), true),
  /**
   * Give the rollout a secret a patching pipeline can use, without an account, to say a host's
   * maintenance is done (POST /api/clusters/C/rollouts/ID/callback with X-Rollout-Secret). The
   * secret is in the start's answer only; the console keeps its hash.
   */
  callback: z._default(z.boolean(), false),
  /** Check everything (hosts, floor, conflicts) and change nothing. */
  dryRun: z.optional(z.boolean()),
});
export type RolloutRequest = z.infer<typeof RolloutRequest>;
export type RolloutRequestInput = z.input<typeof RolloutRequest>;

/**
 * pause / resume (a stopped rollout: try the failed step again); skip HOST (leaves it as it is);
 * abort (every host stays as it is); done [HOST] (maintenance finished: every host of the current
 * batch in maintenance, or the one named); proceed HOST (go on past the drain deadline);
 * restore-all (restore every host this rollout still holds; allowed once it is aborted or done).
 */
/** The header that carries a rollout's callback secret. */
export const ROLLOUT_SECRET_HEADER = 'x-rollout-secret';

/** The body of the callback: the host whose maintenance is done (default: every host waiting for it). */
export const RolloutCallbackRequest = z.strictObject({ host: z.optional(Host) });
export type RolloutCallbackRequest = z.infer<typeof RolloutCallbackRequest>;

export const RolloutActionKind = z.enum(['pause', 'resume', 'skip', 'abort', 'done', 'proceed', 'restore-all']);
export type RolloutActionKind = z.infer<typeof RolloutActionKind>;

export const RolloutActionRequest = z.strictObject({
  action: RolloutActionKind,
  host: z.optional(Host),
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});
export type RolloutActionRequest = z.infer<typeof RolloutActionRequest>;

export const RolloutActionResult = z.object({
  rollout: Rollout,
  /** One plain sentence: what changed (and, for abort, what is left held). */
  message: z.string(),
  auditId: z.nullable(z.string()),
});
export type RolloutActionResult = z.infer<typeof RolloutActionResult>;

export const RolloutStartResult = z.object({
  /** Null for a dry run. */
  rollout: z.nullable(Rollout),
  dryRun: z.boolean(),
  message: z.string(),
  /** The batches as planned: host addresses per batch. */
  batches: z.array(z.array(z.string())),
  /** Refusals of the first batch (capacity floor), with the numbers; a start with any is refused. */
  refusals: z.array(z.string()),
  warnings: z.array(z.string()),
  auditId: z.nullable(z.string()),
  /** With `callback: true`: where and with what a pipeline says "done" (shown once, never stored). */
  callback: z.optional(z.object({ path: z.string(), header: z.literal(ROLLOUT_SECRET_HEADER), secret: z.string() })),
});
export type RolloutStartResult = z.infer<typeof RolloutStartResult>;

/** Active = the console still drives it or may again (running or paused). */
export function rolloutActive(r: Pick<Rollout, 'state'>): boolean {
  return r.state === 'running' || r.state === 'paused';
}

/** The batch being worked on: the lowest batch with a host not done or skipped (null when none is left). */
export function currentBatch(r: Pick<Rollout, 'hosts'>): number | null {
  let b: number | null = null;
  for (const h of r.hosts) if (h.step !== 'done' && h.step !== 'skipped' && (b === null || h.batch < b)) b = h.batch;
  return b;
}

/**
 * The hosts a rollout still holds (drained, or part way back): what an abort leaves as it is and
 * "restore all" gives back. Skipped ones count unless their ramp had reached 100 %.
 */
export function heldHosts(r: Pick<Rollout, 'hosts' | 'options'>): RolloutHost[] {
  return r.hosts.filter((h) => h.servers.length > 0 && h.step !== 'pending' && h.step !== 'done' && !(h.step === 'skipped' && h.rampIndex >= r.options.ramp.length - 1));
}

/** Hosts per batch for n hosts: a count, or a share rounded down (at least 1); default 1. */
export function resolveBatchSize(n: number, req: { batchSize?: number | undefined; batchPercent?: number | undefined }): number {
  if (req.batchSize !== undefined) return Math.min(req.batchSize, Math.max(1, n));
  if (req.batchPercent !== undefined) return Math.max(1, Math.floor((n * req.batchPercent) / 100));
  return 1;
}

/** The weight of ramp step `pct` for a server whose full weight is `full` (at least 1 while ramping). */
export function rampWeight(full: number, pct: number): number {
  if (pct >= 100 || full <= 0) return full;
  return Math.max(1, Math.round((full * pct) / 100));
}
