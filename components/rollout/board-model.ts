import { z } from 'zod/mini';
import { isApiError } from '@/lib/api/client';
import { currentBatch, heldHosts, rampWeight, rolloutActive, ROLLOUT_STEPS, type Rollout, type RolloutActionKind, type RolloutHost, type RolloutLogLine, type RolloutState, type RolloutStep } from '@/lib/models/rollout';
import type { Tone } from '@/components/ui/status-pill';

// The rollout board as data: hosts grouped by batch, one cell per step column (passed, current,
// upcoming), what each host may be told (done, proceed, skip), the ETA of its current step, the
// ramp's weights per server and the rollout's own controls. Pure: the page renders it, the tests
// read it.

export type CellState = 'passed' | 'current' | 'upcoming' | 'skipped';

export interface BoardCell {
  /** The column (one of ROLLOUT_STEPS). */
  column: RolloutStep;
  state: CellState;
}

export type HostAction = 'done' | 'proceed' | 'skip';

/** How long the current step has left: `what` reads before the duration ("deadline in", …). */
export interface Eta {
  what: string;
  ms: number;
}

export interface BoardRow {
  host: string;
  batch: number;
  step: RolloutStep;
  /** The column the host is in: a passed deadline is shown in draining, a skipped host in done. */
  column: RolloutStep;
  cells: BoardCell[];
  note: string | null;
  /** Set while the host waits at the drain deadline. */
  connectionsLeft: number | null;
  eta: Eta | null;
  /** The last ramp step applied and verified (1-based `step` of `of`), null before the first. */
  ramp: { step: number; of: number; pct: number } | null;
  actions: HostAction[];
}

export interface BoardBatch {
  batch: number;
  /** The batch being worked on. */
  current: boolean;
  rows: BoardRow[];
}

/** The column a step is shown in. */
export function stepColumn(step: RolloutStep): RolloutStep {
  if (step === 'deadline') return 'draining';
  if (step === 'skipped') return 'done';
  return step;
}

function cellsOf(h: RolloutHost): BoardCell[] {
  const at = ROLLOUT_STEPS.indexOf(stepColumn(h.step));
  return ROLLOUT_STEPS.map((column, i) => {
    if (h.step === 'skipped') return { column, state: column === 'done' ? 'current' : 'skipped' };
    return { column, state: i < at ? 'passed' : i === at ? 'current' : 'upcoming' };
  });
}

const SECOND = 1000;

/** What is left of a host's current step at `now` (null when it waits for nobody's clock, or the rollout is not running). */
export function stepEta(r: Pick<Rollout, 'state' | 'options'>, h: RolloutHost, now: number): Eta | null {
  if (r.state !== 'running' || h.stepStartedAt === null || now <= 0) return null;
  const o = r.options;
  const left = (end: number) => Math.max(0, end - now);
  switch (h.step) {
    case 'draining':
      return { what: 'deadline in', ms: left(h.stepStartedAt + o.drainDeadlineSeconds * SECOND) };
    case 'maintenance':
      if (o.maintenance !== 'timer' || o.maintenanceSeconds === null) return null;
      return { what: 'maintenance ends in', ms: left(h.stepStartedAt + o.maintenanceSeconds * SECOND) };
    case 'ramping': {
      const step = o.stepSeconds * SECOND;
      const remaining = o.ramp.length - 1 - h.rampIndex;
      if (remaining <= 0) return { what: 'ramp ends in about', ms: 0 };
      // The first step goes at once; each next one stepSeconds after the previous was verified.
      if (h.rampIndex < 0 || h.rampAt === null) return { what: 'ramp ends in about', ms: (o.ramp.length - 1) * step };
      return { what: 'ramp ends in about', ms: left(h.rampAt + step) + (remaining - 1) * step };
    }
    case 'checking':
      return { what: 'check gives up in', ms: left(h.stepStartedAt + o.checkSeconds * SECOND) };
    default:
      return null;
  }
}

/** What an operator may tell a host now (the server decides again). */
export function hostActions(r: Pick<Rollout, 'state'>, h: Pick<RolloutHost, 'step'>): HostAction[] {
  if (!rolloutActive(r)) return [];
  const out: HostAction[] = [];
  if (h.step === 'maintenance') out.push('done');
  if (h.step === 'deadline') out.push('proceed');
  if (h.step !== 'done' && h.step !== 'skipped') out.push('skip');
  return out;
}

export { heldHosts };

/** The rollout's own buttons: pause or resume, abort while active, restore-all once it ended with hosts still held. */
export function rolloutControls(r: Pick<Rollout, 'state' | 'hosts' | 'options'>): RolloutActionKind[] {
  const out: RolloutActionKind[] = [];
  if (r.state === 'running') out.push('pause');
  if (r.state === 'paused') out.push('resume');
  if (rolloutActive(r)) out.push('abort');
  if ((r.state === 'aborted' || r.state === 'done') && heldHosts(r).length > 0) out.push('restore-all');
  return out;
}

function rampReached(ramp: readonly number[], index: number): BoardRow['ramp'] {
  const pct = index >= 0 ? ramp[index] : undefined;
  return pct === undefined ? null : { step: index + 1, of: ramp.length, pct };
}

/** The board: batches in order, hosts in the rollout's order within each. */
export function boardBatches(r: Rollout, now: number): BoardBatch[] {
  const current = currentBatch(r);
  const byBatch = new Map<number, BoardRow[]>();
  for (const h of r.hosts) {
    const row: BoardRow = {
      host: h.host,
      batch: h.batch,
      step: h.step,
      column: stepColumn(h.step),
      cells: cellsOf(h),
      note: h.note,
      connectionsLeft: h.step === 'deadline' ? h.connectionsLeft : null,
      eta: stepEta(r, h, now),
      ramp: rampReached(r.options.ramp, h.rampIndex),
      actions: hostActions(r, h),
    };
    const rows = byBatch.get(h.batch);
    if (rows) rows.push(row);
    else byBatch.set(h.batch, [row]);
  }
  return [...byBatch.entries()].sort(([a], [b]) => a - b).map(([batch, rows]) => ({ batch, current: batch === current, rows }));
}

export interface RampServerPlan {
  host: string;
  service: string;
  realServer: string;
  restoreWeight: number;
  /** Each ramp step's weight; reached: applied and verified. */
  steps: { pct: number; weight: number; reached: boolean }[];
}

/** The ramp's weights per server of every host whose drain recorded its servers. */
export function rampPlan(r: Pick<Rollout, 'hosts' | 'options'>): RampServerPlan[] {
  return r.hosts.flatMap((h) =>
    h.servers.map((s) => ({
      host: h.host,
      service: s.service,
      realServer: s.realServer,
      restoreWeight: s.restoreWeight,
      steps: r.options.ramp.map((pct, i) => ({ pct, weight: rampWeight(s.restoreWeight, pct), reached: i <= h.rampIndex })),
    })),
  );
}

/** The log, newest first. */
export function logNewestFirst(log: readonly RolloutLogLine[]): RolloutLogLine[] {
  return [...log].reverse();
}

/** Hosts done, skipped, and in all. */
export function rolloutProgress(r: Pick<Rollout, 'hosts'>): { done: number; skipped: number; total: number } {
  let done = 0;
  let skipped = 0;
  for (const h of r.hosts) {
    if (h.step === 'done') done++;
    else if (h.step === 'skipped') skipped++;
  }
  return { done, skipped, total: r.hosts.length };
}

/** A rollout's state pill: paused by a failure is critical, by an operator a warning. */
export function stateTone(r: Pick<Rollout, 'state' | 'stopped'>): Tone {
  const tones: Record<RolloutState, Tone> = { running: 'info', paused: 'warning', done: 'ok', aborted: 'neutral' };
  return r.state === 'paused' && r.stopped ? 'critical' : tones[r.state];
}

/** Active rollouts first (newest first), then the ended ones (most recently ended first). */
export function sortRollouts(rollouts: readonly Rollout[]): { active: Rollout[]; recent: Rollout[] } {
  const active = rollouts.filter(rolloutActive).sort((a, b) => b.createdAt - a.createdAt);
  const recent = rollouts.filter((r) => !rolloutActive(r)).sort((a, b) => (b.endedAt ?? b.updatedAt) - (a.endedAt ?? a.updatedAt));
  return { active, recent };
}

const RefusalDetails = z.object({ refusals: z.array(z.string()) });

/** The capacity floor's refusals a 409 carries (details.refusals), verbatim; empty for any other error. */
export function refusalsOf(error: unknown): string[] {
  if (!isApiError(error) || error.status !== 409) return [];
  const parsed = RefusalDetails.safeParse(error.details);
  return parsed.success ? parsed.data.refusals : [];
}
