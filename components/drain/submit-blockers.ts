// Why the drain dialog's submit button is disabled, in the words shown beside it (and read out as
// its description): an operator never has to guess what is missing.

export interface SubmitState {
  /** The plan (impact) has arrived. */
  planReady: boolean;
  /** Working out the plan failed. */
  planFailed: boolean;
  /** The reason is required for this action (drain, set weight). */
  needsReason: boolean;
  reason: string;
  /** The plan refuses (last serving real server) and Force is not ticked. */
  refusedWithoutForce: boolean;
  /** Set weight only: the typed weight is not a whole number 0–65535. */
  badWeight: boolean;
  /** The lease is neither empty nor whole minutes. */
  badLease: boolean;
  /** Drain everywhere with HAProxy ticked: its pools still being read, or not readable. */
  haproxyUnread?: 'reading' | 'failed' | null;
  /** Drain everywhere: HAProxy's own last-UP-server refusal, its force not ticked. */
  haproxyRefusedWithoutForce?: boolean;
}

/** Every reason the submit is disabled, most actionable first; empty when it may be pressed. */
export function submitBlockers(s: SubmitState): string[] {
  const out: string[] = [];
  if (s.needsReason && s.reason.trim() === '') out.push('reason required');
  if (s.badWeight) out.push('weight must be a whole number from 0 to 65535');
  if (s.badLease) out.push('lease must be whole minutes or empty');
  if (s.refusedWithoutForce) out.push('tick Force to take the last serving real server out');
  if (s.haproxyRefusedWithoutForce) out.push('HAProxy last UP server: tick its force');
  if (s.planFailed) out.push('the impact could not be worked out');
  else if (!s.planReady && !s.badWeight) out.push('working out the impact');
  if (s.haproxyUnread === 'failed') out.push('HAProxy not read: untick it to act on LVS only');
  else if (s.haproxyUnread === 'reading') out.push('reading HAProxy');
  return out;
}
