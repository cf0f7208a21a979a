// `lvsctl drain | restore | weight`: drain, restore and re-weight through the console's HTTP API
// (every director, verified, held until restored), for maintenance scripts. Prints one line per
// director; exit codes: 0 ok, 1 failed or partial (or the console unreachable), 2 usage or a bad
// request, 3 refused (the last serving real server, without --force), 4 --wait timed out,
// 5 not allowed (no or bad token, role too low). `restore --ramp` restores a host in weight steps
// through a rollout of kind 'ramp' (bin/commands/rollout-watch.ts waits for it).

import { AddressError, parseHostTarget } from '@/lib/address';
import { isApiError, type ActionBody, type ApiClient } from '@/lib/api/client';
import type { ActionResult, DirectorResult, DrainProgress } from '@/lib/models/drain';
import type { RolloutRequestInput, RolloutStartResult } from '@/lib/models/rollout';
import { parseOptions, UsageError, type LvsctlCommand } from './command';
import { CONSOLE_OPTIONS, failureMessage, openConsole, processDeps, type ApiDeps, type ConsoleArgs } from './console-api';
import { checkRolloutRequest, parseRamp, sleep, watchRollout, type Sleep } from './rollout-watch';

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, timeout: 4, denied: 5 } as const;

export type Verb = 'drain' | 'restore' | 'weight';

export interface DrainArgs extends ConsoleArgs {
  verb: Verb;
  clusters: string[] | 'all';
  target: string;
  service?: string;
  reason?: string;
  ticket?: string;
  weight?: number;
  expiresInMinutes?: number;
  onExpiry?: 'restore' | 'alert';
  force: boolean;
  dryRun: boolean;
  wait: boolean;
  timeoutSeconds: number;
  /** restore --ramp: the weight back in these steps (percent), through a rollout of kind 'ramp'. */
  ramp?: number[];
  stepSeconds?: number;
  json: boolean;
}

const USAGE: Record<Verb, string> = {
  drain: `usage: lvsctl drain --cluster C|--all-clusters --host ADDR[:PORT] [--service VIP:PORT] --reason "..."
                    [--ticket T] [--expires MINUTES [--on-expiry restore|alert]] [--force] [--dry-run]
                    [--wait [--timeout SECONDS]] [--url URL] [--token-file FILE] [--json]
  Sets weight 0 for ADDR:PORT (or every real server of host ADDR) in every service of the cluster (or
  only --service), on every director, verifies it, and holds it (re-applied after checker flaps,
  keepalived restarts and failovers) until \`lvsctl restore\`. --wait then waits until no connection
  is left on the director holding the VIP (default timeout 600 s).
  Token: $LVS_CONSOLE_TOKEN or --token-file; console: --url, $LVS_CONSOLE_URL or the config's listen.
  Exit: 0 ok, 1 failed/partial, 2 usage, 3 refused (last serving server; --force), 4 wait timed out, 5 not allowed.`,
  restore: `usage: lvsctl restore --cluster C|--all-clusters --host ADDR[:PORT] [--service VIP:PORT] [--reason "..."]
                      [--dry-run] [--url URL] [--token-file FILE] [--json]
       lvsctl restore --cluster C --host ADDR --ramp 10,25,50,100 [--step-seconds S] [--reason "..."]
                      [--dry-run] [--url URL] [--token-file FILE] [--json]
  Puts back the weight held before the drain (or re-weight) on every director and ends the hold.
  --ramp: puts it back in steps instead, for a whole host (every service it serves; one cluster):
  percentages of the weight it had, going up to 100, one step every --step-seconds (default 30),
  each verified on every director, then checked (keepalived's checker up, new connections). It runs
  as a rollout of kind ramp (see \`lvsctl rollout\`); the command prints each step and waits until
  it is done. Exit: 0 done, 1 failed or stopped, 2 usage, 3 refused (nothing held, or in a rollout), 5 not allowed.`,
  weight: `usage: lvsctl weight --cluster C|--all-clusters --host ADDR[:PORT] [--service VIP:PORT] --weight N --reason "..."
                     [--ticket T] [--expires MINUTES [--on-expiry restore|alert]] [--force] [--dry-run]
                     [--url URL] [--token-file FILE] [--json]
  Sets weight N (0-65535) on every director and holds it until \`lvsctl restore\`.`,
};

function int(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const OPTIONS = {
  cluster: { type: 'string' },
  'all-clusters': { type: 'boolean' },
  host: { type: 'string' },
  target: { type: 'string' },
  service: { type: 'string' },
  reason: { type: 'string' },
  ticket: { type: 'string' },
  weight: { type: 'string' },
  expires: { type: 'string' },
  'on-expiry': { type: 'string' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  ramp: { type: 'string' },
  'step-seconds': { type: 'string' },
  ...CONSOLE_OPTIONS,
} as const;

/** Pure: argv (after the verb) -> arguments, or UsageError naming the problem. */
export function parseDrainArgs(verb: Verb, argv: string[]): DrainArgs {
  const values: Record<string, string | boolean | undefined> = parseOptions(argv, OPTIONS).values;
  const s = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const b = (k: string) => values[k] === true;
  const cluster = s('cluster');
  if (cluster === undefined && !b('all-clusters')) throw new UsageError('--cluster C (or --all-clusters) is required');
  if (cluster !== undefined && b('all-clusters')) throw new UsageError('give --cluster or --all-clusters, not both');
  const target = s('host') ?? s('target');
  if (target === undefined || target.trim() === '') throw new UsageError('--host ADDR or ADDR:PORT is required');
  const reason = s('reason');
  if (verb !== 'restore' && (reason === undefined || reason.trim() === '')) throw new UsageError('--reason "..." is required: say why (it goes to the audit log)');
  const weight = int(s('weight'), 'weight', 0, 65535);
  if (verb === 'weight' && weight === undefined) throw new UsageError('--weight N (0-65535) is required');
  if (verb !== 'weight' && weight !== undefined) throw new UsageError(`--weight is for lvsctl weight, not ${verb}`);
  const onExpiry = s('on-expiry');
  if (onExpiry !== undefined && onExpiry !== 'restore' && onExpiry !== 'alert') throw new UsageError('--on-expiry must be restore or alert');
  const expires = int(s('expires'), 'expires', 1, 60 * 24 * 365);
  if (onExpiry !== undefined && expires === undefined) throw new UsageError('--on-expiry needs --expires MINUTES');
  if (verb === 'restore') {
    for (const k of ['ticket', 'expires', 'on-expiry']) if (values[k] !== undefined) throw new UsageError(`--${k} is not for restore`);
    if (b('force')) throw new UsageError('--force is not for restore');
  }
  if (b('wait') && verb !== 'drain') throw new UsageError('--wait is for lvsctl drain');
  if (values.timeout !== undefined && !b('wait')) throw new UsageError('--timeout goes with --wait');
  const ramp = s('ramp');
  if (ramp !== undefined && verb !== 'restore') throw new UsageError(`--ramp is for lvsctl restore, not ${verb}`);
  if (values['step-seconds'] !== undefined && ramp === undefined) throw new UsageError('--step-seconds goes with --ramp');
  if (ramp !== undefined) {
    if (s('service') !== undefined) throw new UsageError('--ramp restores a whole host (every service it serves): it does not take --service');
    if (cluster === undefined || cluster.split(',').filter((c) => c !== '').length !== 1) throw new UsageError('--ramp needs one cluster: --cluster C');
    let port: number | null;
    try {
      port = parseHostTarget(target).port;
    } catch (e) {
      if (e instanceof AddressError) throw new UsageError(e.message);
      throw e;
    }
    if (port !== null) throw new UsageError('--ramp restores a whole host: give --host ADDR, without a port');
  }
  return {
    verb,
    clusters: cluster === undefined ? 'all' : cluster.split(',').filter((c) => c !== ''),
    target: target.trim(),
    ...(s('service') === undefined ? {} : { service: s('service') }),
    ...(reason === undefined ? {} : { reason }),
    ...(s('ticket') === undefined ? {} : { ticket: s('ticket') }),
    ...(weight === undefined ? {} : { weight }),
    ...(expires === undefined ? {} : { expiresInMinutes: expires }),
    ...(onExpiry === undefined ? {} : { onExpiry }),
    force: b('force'),
    dryRun: b('dry-run'),
    wait: b('wait'),
    timeoutSeconds: int(s('timeout'), 'timeout', 0, 7 * 24 * 3600) ?? 600,
    ...(ramp === undefined ? {} : { ramp: parseRamp(ramp), stepSeconds: int(s('step-seconds'), 'step-seconds', 1, 3600) ?? 30 }),
    ...(s('url') === undefined ? {} : { url: s('url') }),
    ...(s('token-file') === undefined ? {} : { tokenFile: s('token-file') }),
    json: b('json'),
  };
}

/** The request body the API takes for this verb (pure). */
export function requestBody(a: DrainArgs): ActionBody {
  const body: ActionBody = { target: a.target };
  if (a.service !== undefined) body.service = a.service;
  if (a.reason !== undefined) body.reason = a.reason;
  if (a.dryRun) body.dryRun = true;
  if (a.verb === 'restore') return body;
  if (a.ticket !== undefined) body.ticket = a.ticket;
  if (a.verb === 'weight') body.weight = a.weight;
  if (a.expiresInMinutes !== undefined) body.expiresInMinutes = a.expiresInMinutes;
  if (a.onExpiry !== undefined) body.onExpiry = a.onExpiry;
  if (a.force) body.force = true;
  return body;
}

/** restore --ramp: the rollout (kind 'ramp') it starts, checked with the API's schema (pure). */
export function rampRequest(a: DrainArgs): RolloutRequestInput {
  return checkRolloutRequest({
    kind: 'ramp',
    hosts: [parseHostTarget(a.target).address],
    reason: a.reason?.trim() ? a.reason : 'restore in steps',
    ramp: a.ramp ?? [],
    stepSeconds: a.stepSeconds ?? 30,
    ...(a.dryRun ? { dryRun: true } : {}),
  });
}

export function exitForStatus(status: number): number {
  if (status === 409) return EXIT.refused;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 400 || status === 404 || status === 422) return EXIT.usage;
  return EXIT.failed;
}

/**
 * A failed call to the console, as every command answers it: `lvsctl WHAT: why` on stderr, then
 * `more(details)` lines (a refusal list, a preflight) unless --json, the console's own answer on stdout
 * with --json, and the exit code for its status. Anything that is not an ApiError is thrown on.
 */
export function answerApiFailure(e: unknown, what: string, base: string, io: { out: (s: string) => void; err: (s: string) => void; json: boolean }, more?: (details: unknown) => string[]): number {
  if (!isApiError(e)) throw e;
  io.err(`lvsctl ${what}: ${failureMessage(e, base)}`);
  if (!io.json && more) for (const line of more(e.details)) io.err(line);
  if (io.json && e.body !== undefined) io.out(JSON.stringify(e.body, null, 2));
  return e.status === 0 ? EXIT.failed : exitForStatus(e.status);
}

/** The `refused: …` lines of an answer's details (a 409's refusals), for answerApiFailure. */
export function refusalLines(details: unknown): string[] {
  const refusals = (details as { refusals?: unknown } | undefined)?.refusals;
  return Array.isArray(refusals) ? refusals.map((x) => `  refused: ${String(x)}`) : [];
}

/** One line per director (pure; exported for tests). */
export function formatDirector(d: DirectorResult): string {
  const status = d.status === 'ok' ? 'ok' : d.status === 'skipped' ? 'skipped (not in its table)' : 'FAILED';
  const weights = d.verified.map((v) => `${v.realServer} ${v.actual === null ? 'absent' : `w=${v.actual}`}${v.ok ? '' : ` (expected ${v.expected})`}`).join(', ');
  const err = d.error ? ` — ${d.error.code}: ${d.error.message}` : '';
  return `  ${d.director.padEnd(12)} ${status}${weights ? `  ${weights}` : ''}  ${Math.round(d.durationMs)} ms${err}`;
}

export function formatResult(r: ActionResult): string {
  const lines = [`${r.cluster}: ${r.action}${r.dryRun ? ' (dry run)' : ''}: ${r.outcome.toUpperCase()} — ${r.message}`];
  if (r.dryRun) {
    for (const e of r.plan.entries) {
      lines.push(
        `  ${e.realServer} in ${e.service}: weight ${e.currentWeight ?? 'absent'} -> ${e.targetWeight} via ${e.mechanism}; share ${(e.shareBefore * 100).toFixed(0)}% -> ${(e.shareAfter * 100).toFixed(0)}%${e.removesLastServer ? ' (LAST serving server)' : ''}`,
      );
    }
    for (const d of r.plan.directors) {
      lines.push(`  on ${d.director}:`);
      for (const c of d.commands) lines.push(`    ${c.display}`);
      for (const a of d.absent) lines.push(`    (absent: ${a})`);
    }
    for (const x of r.plan.refusals) lines.push(`  refused: ${x}`);
  } else {
    for (const d of r.directors) lines.push(formatDirector(d));
    for (const i of r.intents) lines.push(`  intent #${i.id}: ${i.realServer} in ${i.service} ${i.kind} w=${i.weight} (restore ${i.restoreWeight}) via ${i.mechanism}${i.endedAt ? ' — ended' : ''}`);
  }
  for (const w of r.plan.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export function formatProgress(p: DrainProgress): string {
  const sum = (k: 'active' | 'inactive' | 'persistent') => p.entries.reduce((a, e) => a + (e[k] ?? 0), 0);
  const est = p.estimatedSecondsToZero === null ? '' : `, ~${p.estimatedSecondsToZero} s to zero`;
  const clients = p.connections.flatMap((c) => c.clients).slice(0, 5);
  return `${p.cluster}: ${p.target}: ${p.state} (active ${sum('active')}, inactive ${sum('inactive')}, persistent ${sum('persistent')}${est})${clients.length ? `; clients ${clients.join(', ')}` : ''}`;
}

export async function runVerb(verb: Verb, argv: string[], deps: ApiDeps & { sleep?: Sleep } = processDeps()): Promise<number> {
  const { out, err } = deps;
  let a: DrainArgs;
  let ramp: RolloutRequestInput | undefined;
  try {
    a = parseDrainArgs(verb, argv);
    if (a.ramp) ramp = rampRequest(a);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`lvsctl ${verb}: ${e.message}\n\n${USAGE[verb]}`);
      return EXIT.usage;
    }
    throw e;
  }
  const conn = openConsole(a, deps, verb);
  if (!conn) return EXIT.usage;
  const { base, client } = conn;
  if (ramp) return restoreInSteps(client, base, a, ramp, deps);
  try {
    const clusters = a.clusters === 'all' ? (await client.getClusters()).clusters.map((c) => c.name) : a.clusters;
    let code: number = EXIT.ok;
    let acted = 0;
    const results: unknown[] = [];
    for (const cluster of clusters) {
      let r: ActionResult;
      try {
        r = await client.postAction(cluster, verb, requestBody(a));
      } catch (e) {
        if (!isApiError(e) || e.status === 0 || e.code === 'invalid-response') throw e;
        if (e.status === 404 && a.clusters === 'all') continue; // the host is not in this cluster
        const details = e.details as { refusals?: string[] } | undefined;
        err(`lvsctl ${verb}: ${cluster}: ${failureMessage(e, base)}`);
        if (a.json) results.push(e.body);
        for (const x of details?.refusals ?? []) err(`  refused: ${x}`);
        code = Math.max(code, exitForStatus(e.status));
        continue;
      }
      acted++;
      results.push(r);
      if (!a.json) out(formatResult(r));
      if (r.outcome !== 'ok') code = Math.max(code, EXIT.failed);
      if (a.wait && !a.dryRun && r.outcome !== 'failed') {
        const w = await waitDrained(client, cluster, a, deps, a.json ? () => undefined : out);
        if (a.json) results.push(w.progress);
        if (w.timedOut) code = Math.max(code, EXIT.timeout);
      }
    }
    if (acted === 0 && a.clusters === 'all') {
      err(`lvsctl ${verb}: no cluster has a real server ${a.target}`);
      code = Math.max(code, EXIT.usage);
    }
    if (a.json) out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
    return code;
  } catch (e) {
    return answerApiFailure(e, verb, base, { out, err, json: false });
  }
}

/** restore --ramp: starts a rollout of kind 'ramp' for the host and waits until it is done, printing each step. */
async function restoreInSteps(client: ApiClient, base: string, a: DrainArgs, body: RolloutRequestInput, deps: ApiDeps & { sleep?: Sleep }): Promise<number> {
  const { out, err } = deps;
  const cluster = a.clusters === 'all' ? '' : (a.clusters[0] ?? '');
  try {
    const r: RolloutStartResult = await client.startRollout(cluster, body);
    const head = `${cluster}: restore ${a.target} in steps of ${(a.ramp ?? []).join(',')} % every ${a.stepSeconds ?? 30} s${r.dryRun ? ' (dry run)' : ''}${r.rollout ? ` (rollout ${r.rollout.id})` : ''} — ${r.message}`;
    if (!a.json) {
      out(head);
      for (const w of r.warnings) out(`  warning: ${w}`);
      for (const x of r.refusals) out(`  refused: ${x}`);
    }
    if (!r.rollout) {
      if (a.json) out(JSON.stringify(r, null, 2));
      return r.refusals.length > 0 ? EXIT.refused : EXIT.ok;
    }
    const w = await watchRollout(client, r.rollout, { sleep: deps.sleep ?? sleep, progress: a.json ? undefined : out, say: a.json ? err : out });
    if (a.json) out(JSON.stringify(w.rollout, null, 2));
    return w.end === 'done' ? EXIT.ok : EXIT.failed;
  } catch (e) {
    return answerApiFailure(e, `restore: ${cluster}`, base, { out, err, json: a.json }, refusalLines);
  }
}

/** Long-polls the progress endpoint (at most 60 s per call) until drained or the timeout. */
async function waitDrained(client: ApiClient, cluster: string, a: DrainArgs, deps: ApiDeps, out: (s: string) => void): Promise<{ timedOut: boolean; progress: DrainProgress | null }> {
  const deadline = deps.now() + a.timeoutSeconds * 1000;
  let last: DrainProgress | null = null;
  for (;;) {
    const left = Math.max(0, Math.ceil((deadline - deps.now()) / 1000));
    last = await client.getDrainProgress(cluster, { target: a.target, ...(a.service ? { service: a.service } : {}) }, { waitSeconds: Math.min(60, left) });
    out(formatProgress(last));
    if (last.state === 'drained') return { timedOut: false, progress: last };
    if (last.state === 'serving') {
      out(`${cluster}: ${a.target} takes new connections again (weight > 0): not waiting`);
      return { timedOut: false, progress: last };
    }
    if (deps.now() >= deadline) {
      out(`${cluster}: timed out after ${a.timeoutSeconds} s waiting for ${a.target} to drain`);
      return { timedOut: true, progress: last };
    }
  }
}

function command(verb: Verb, summary: string): LvsctlCommand {
  return { name: verb, summary, usage: USAGE[verb], run: (argv) => runVerb(verb, argv) };
}

export const drainCommand = command('drain', 'drain a real server or a host on every director, held until restored (--wait for connections to end)');
export const restoreCommand = command('restore', 'put back the weight a drain or re-weight replaced, on every director (--ramp: in checked steps)');
export const weightCommand = command('weight', 'set a real server weight on every director, held until restored');
