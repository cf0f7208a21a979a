// What `lvsctl rollout` and `lvsctl restore --ramp` share: the --ramp option, the start request
// checked with the API's own zod schema before anything is sent, and --wait (poll the rollout every
// 2 s, print each host's step as it changes, stop when it is done, stopped or waits for the operator's
// maintenance). Its own file so that drain.ts and rollout.ts both use it without importing each other.

import { z } from 'zod/mini';
import type { ApiClient } from '@/lib/api/client';
import { parseRampText, RolloutRequest, type Rollout, type RolloutHost, type RolloutRequestInput } from '@/lib/models/rollout';
import { UsageError } from './command';

/** Waits between polls (a fake in tests). */
export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const POLL_MS = 2000;

/** "10,25,50,100" -> [10, 25, 50, 100]; the order and the final 100 are checked with the request. */
export function parseRamp(text: string): number[] {
  const parts = parseRampText(text);
  if (parts === null) throw new UsageError(`--ramp needs whole percentages separated by commas, going up to 100 (e.g. 10,25,50,100), got "${text}"`);
  return parts;
}

/** The request field -> the option that sets it (for the schema's messages). */
const OPTION_OF: Record<string, string> = {
  kind: '--kind',
  hosts: '--hosts',
  batchSize: '--batch',
  batchPercent: '--batch-percent',
  reason: '--reason',
  ticket: '--ticket',
  drainDeadlineSeconds: '--deadline',
  onDeadline: '--on-deadline',
  maintenance: '--maintenance',
  maintenanceSeconds: '--maintenance-seconds',
  ramp: '--ramp',
  stepSeconds: '--step-seconds',
  checkSeconds: '--check-seconds',
  checkNewConnections: '--no-check-connections',
  callback: '--callback',
  dryRun: '--dry-run',
};

/** The body as given, checked with RolloutRequest (the API's schema); UsageError with its messages, one per option. */
export function checkRolloutRequest(body: RolloutRequestInput, options: Record<string, string> = {}): RolloutRequestInput {
  const r = z.safeParse(RolloutRequest, body);
  if (r.success) return body;
  const lines = [
    ...new Set(
      r.error.issues.map((i) => {
        const field = String(i.path[0] ?? '');
        return `${options[field] ?? OPTION_OF[field] ?? (field || 'request')}: ${i.message}`;
      }),
    ),
  ];
  throw new UsageError(lines.join('\n'));
}

/** A host's step as people read it: "ramping 25 %", "deadline (12 connections left)". */
export function stepLabel(h: RolloutHost, r: Pick<Rollout, 'options'>): string {
  if (h.step === 'ramping' && h.rampIndex >= 0) return `ramping ${r.options.ramp[h.rampIndex] ?? '?'} %`;
  if (h.step === 'deadline' && h.connectionsLeft !== null) return `deadline (${h.connectionsLeft} connections left)`;
  return h.step;
}

/** One line for a host whose step (or ramp step) changed. */
export function formatStepChange(r: Pick<Rollout, 'cluster' | 'id' | 'options'>, h: RolloutHost): string {
  return `${r.cluster}: rollout ${r.id}: ${h.host}: ${stepLabel(h, r)}${h.note ? ` — ${h.note}` : ''}`;
}

/** The command that ends a host's manual maintenance. */
export function doneCommand(r: Pick<Rollout, 'cluster' | 'id'>, host: string): string {
  return `lvsctl rollout done --cluster ${r.cluster} --id ${r.id} --host ${host}`;
}

export interface WatchOptions {
  sleep: Sleep;
  /** Each host's step as it changes (undefined: say nothing, for --json). */
  progress?: ((s: string) => void) | undefined;
  /** How it ended, in words (stdout, or stderr with --json). */
  say: (s: string) => void;
  /** Hosts whose maintenance the caller just ended (`done`): not waited for again. */
  ignoreMaintenance?: readonly string[];
  intervalMs?: number;
}

/**
 * done: every host done or skipped; maintenance: a host waits for the operator's `done` (manual
 * maintenance); stopped: paused (by an operator, or by the console: `stopped` says why); aborted.
 */
export type WatchEnd = 'done' | 'maintenance' | 'stopped' | 'aborted';

/** Polls the rollout from `first` on until it ends (see WatchEnd); resolves to how, and the last rollout seen. */
export async function watchRollout(client: Pick<ApiClient, 'getRollout'>, first: Rollout, o: WatchOptions): Promise<{ end: WatchEnd; rollout: Rollout }> {
  const key = (h: RolloutHost) => `${h.step}/${h.rampIndex}`;
  const ignore = new Set(o.ignoreMaintenance ?? []);
  // The first time: the hosts at work (not those waiting, finished or skipped, nor those just done).
  const quiet = new Set(['pending', 'done', 'skipped']);
  const seen = new Map(first.hosts.filter((h) => quiet.has(h.step) || ignore.has(h.host)).map((h) => [h.host, key(h)]));
  let r = first;
  for (;;) {
    for (const h of r.hosts) {
      if (seen.get(h.host) === key(h)) continue;
      seen.set(h.host, key(h));
      o.progress?.(formatStepChange(r, h));
    }
    const head = `${r.cluster}: rollout ${r.id}`;
    if (r.state === 'done') {
      o.say(`${head}: done — ${r.status}`);
      return { end: 'done', rollout: r };
    }
    if (r.state === 'aborted') {
      o.say(`${head}: aborted${r.endedBy ? ` by ${r.endedBy}` : ''} — ${r.status}`);
      return { end: 'aborted', rollout: r };
    }
    if (r.state === 'paused') {
      o.say(`${head}: stopped: ${r.stopped ?? 'paused by an operator'}`);
      return { end: 'stopped', rollout: r };
    }
    const waiting = r.kind === 'rollout' && r.options.maintenance === 'manual' ? r.hosts.filter((h) => h.step === 'maintenance' && !ignore.has(h.host)) : [];
    if (waiting.length > 0) {
      for (const h of waiting) o.say(`waiting for maintenance of ${h.host}: run \`${doneCommand(r, h.host)}\` when finished`);
      return { end: 'maintenance', rollout: r };
    }
    await o.sleep(o.intervalMs ?? POLL_MS);
    r = await client.getRollout(r.cluster, r.id);
  }
}
