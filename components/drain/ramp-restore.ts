import { hasPort } from '@/lib/address';
import { DEFAULT_RAMP, RampSteps, type RolloutRequestInput } from '@/lib/models/rollout';
import { parseRamp } from '@/components/rollout/form-model';

// "Bring it back in steps" in the restore dialog: instead of the restore (the held weight back at
// once), a rollout of kind 'ramp' for the one host: its weight back in verified steps (each on
// every director), then the check. Offered for a whole host only (an address without a port, no
// service): a ramp works on the hosts the console holds. Pure: the dialog renders it, the tests
// read it.

export interface RampRestoreForm {
  /** The box is ticked: the submit starts the ramp instead of the restore. */
  on: boolean;
  /** Percentages as typed ("10,25,50,100"). */
  ramp: string;
  /** Seconds between steps, as typed. */
  stepSeconds: string;
}

export const DEFAULT_RAMP_RESTORE: RampRestoreForm = { on: false, ramp: DEFAULT_RAMP.join(','), stepSeconds: '30' };

/** The dialog offers the steps: a restore of a whole host (no port, no service). */
export function canRampRestore(r: { action: string; target: string; service?: string | undefined }): boolean {
  return r.action === 'restore' && !r.service && !hasPort(r.target);
}

export interface RampRestoreProblems {
  /** What is wrong with the ramp text (the RampSteps schema's own words), or null. */
  ramp: string | null;
  /** What is wrong with the seconds between steps, or null. */
  stepSeconds: string | null;
}

const STEP_SECONDS_MAX = 3600;

/** The ramp and its seconds as numbers, or what is wrong with each (null when right). */
export function rampRestoreFields(form: Pick<RampRestoreForm, 'ramp' | 'stepSeconds'>): { ramp: number[] | null; stepSeconds: number | null; problems: RampRestoreProblems } {
  let ramp: number[] | null = null;
  let rampProblem: string | null = null;
  const parsed = parseRamp(form.ramp);
  if (parsed === null) rampProblem = 'percentages separated by commas, e.g. 10,25,50,100';
  else {
    const checked = RampSteps.safeParse(parsed);
    if (checked.success) ramp = checked.data;
    else rampProblem = checked.error.issues[0]?.message ?? 'not a valid ramp';
  }
  const t = form.stepSeconds.trim();
  const n = /^\d+$/.test(t) ? Number(t) : null;
  const stepSeconds = n !== null && n >= 1 && n <= STEP_SECONDS_MAX ? n : null;
  return {
    ramp,
    stepSeconds,
    problems: { ramp: rampProblem, stepSeconds: stepSeconds === null ? `a whole number of seconds from 1 to ${STEP_SECONDS_MAX}` : null },
  };
}

/** What keeps the steps from being started, as the dialog's blockers word them (the reason is the dialog's own). */
export function rampRestoreBlockers(form: Pick<RampRestoreForm, 'ramp' | 'stepSeconds'>): string[] {
  const { problems } = rampRestoreFields(form);
  const out: string[] = [];
  if (problems.ramp) out.push(`ramp: ${problems.ramp}`);
  if (problems.stepSeconds) out.push(`seconds between steps: ${problems.stepSeconds}`);
  return out;
}

export type RampRestoreRequest = { ok: true; body: RolloutRequestInput } | { ok: false; problems: string[] };

/** The body of POST /api/clusters/:cluster/rollouts for the host, or what is missing. */
export function rampRestoreRequest(address: string, reason: string, form: Pick<RampRestoreForm, 'ramp' | 'stepSeconds'>): RampRestoreRequest {
  const f = rampRestoreFields(form);
  const problems = [...(reason.trim() === '' ? ['reason required'] : []), ...rampRestoreBlockers(form)];
  if (problems.length > 0 || f.ramp === null || f.stepSeconds === null) return { ok: false, problems };
  return {
    ok: true,
    body: { kind: 'ramp', hosts: [address], reason: reason.trim(), ramp: f.ramp, stepSeconds: f.stepSeconds, checkNewConnections: false },
  };
}
