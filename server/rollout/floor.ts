import type { ClusterSnapshot } from '@/lib/models/cluster';
import type { Intent, PlanEntry } from '@/lib/models/drain';
import { overlayVerified, planAction, type PlanContext } from '@/server/drain/plan';

// Pure: whether draining a batch of hosts together keeps every service above its capacity floor
// (and never takes its last serving server). Each host is planned as a drain on the snapshot as it
// would be after the hosts before it in the batch were drained (their weights 0 on every director,
// their weights held), so the floor judges the batch as a whole, counting servers already drained,
// down or held by someone else.

export interface BatchJudgement {
  /** Plain-language refusals with the numbers (drain.plan's words), each naming its host. */
  refusals: string[];
  warnings: string[];
  /** Per host, the drain plan's entries (what it would hold, and the weight a restore gives back). */
  entries: Map<string, PlanEntry[]>;
}

/** After this, a verified weight overlays any snapshot (see overlayVerified). */
const HYPOTHETICAL = Number.MAX_SAFE_INTEGER;

export function judgeBatch(ctx: PlanContext, hosts: readonly string[]): BatchJudgement {
  let snapshot: ClusterSnapshot = ctx.snapshot;
  let intents: Intent[] = [...ctx.intents];
  const refusals: string[] = [];
  const warnings: string[] = [];
  const entries = new Map<string, PlanEntry[]>();
  const directors = ctx.snapshot.directors.map((d) => d.name);
  for (const host of hosts) {
    const plan = planAction({ ...ctx, snapshot, intents }, { action: 'drain', target: host });
    for (const r of plan.view.refusals) refusals.push(`${host}: ${r}`);
    for (const w of plan.view.warnings) if (!warnings.includes(w)) warnings.push(w);
    entries.set(host, plan.view.entries);
    snapshot = overlayVerified(
      snapshot,
      plan.view.entries.flatMap((e) => directors.map((director) => ({ at: HYPOTHETICAL, director, service: e.service, realServer: e.realServer, weight: 0 }))),
    );
    const held = new Set(plan.view.entries.map((e) => `${e.service}|${e.realServer}`));
    intents = [
      ...intents.filter((i) => !held.has(`${i.service}|${i.realServer}`)),
      ...plan.view.entries.map((e): Intent => hypotheticalHold(ctx.snapshot.name, e)),
    ];
  }
  return { refusals, warnings, entries };
}

function hypotheticalHold(cluster: string, e: PlanEntry): Intent {
  return {
    id: `batch:${e.service}|${e.realServer}`,
    cluster,
    service: e.service,
    realServer: e.realServer,
    kind: 'drain',
    weight: 0,
    restoreWeight: e.restoreWeight,
    mechanism: e.mechanism,
    actor: 'rollout',
    reason: 'batch',
    ticket: null,
    createdAt: 0,
    expiresAt: null,
    onExpiry: null,
    endedAt: null,
    endedBy: null,
    endReason: null,
  };
}
