// `lvsctl rollout start | status | done | pause | resume | abort | skip | proceed | restore-all`:
// rolling maintenance of a list of hosts, one batch at a time (drain, wait, maintenance, restore in
// weight steps, check), driven by the console (server/rollout/) through its HTTP API. Exit codes as
// `lvsctl drain`: 0 ok, 1 failed or stopped (or the console unreachable), 2 usage or a bad request
// (unknown cluster, rollout or host), 3 refused (the capacity floor, a host already in a rollout),
// 5 not allowed.

import { AddressError, parseHostTarget } from '@/lib/address';
import { formatDuration } from '@/lib/format';
import { currentBatch, type Rollout, type RolloutActionKind, type RolloutList, type RolloutRequestInput, type RolloutStartResult } from '@/lib/models/rollout';
import { parseOptions, subcommandUsage, UsageError, type LvsctlCommand } from './command';
import { CONSOLE_OPTIONS, openConsole, processDeps, type ApiDeps, type ConsoleArgs } from './console-api';
import { answerApiFailure, EXIT, refusalLines } from './drain';
import { checkRolloutRequest, parseRamp, sleep, stepLabel, watchRollout, type Sleep, type WatchEnd } from './rollout-watch';

const ACTIONS = ['done', 'pause', 'resume', 'abort', 'skip', 'proceed', 'restore-all'] as const satisfies readonly RolloutActionKind[];
type Verb = 'start' | 'status' | RolloutActionKind;
const VERBS: readonly Verb[] = ['start', 'status', ...ACTIONS];

const TAIL = '[--url URL] [--token-file FILE] [--json]';

const { usage, subcommands } = subcommandUsage(
  {
    start: `lvsctl rollout start --cluster C --hosts ADDR[,ADDR...] --reason "..." [--ticket T] [--batch N | --batch-percent P] [--deadline SECONDS] [--on-deadline wait|proceed] [--maintenance manual|timer] [--maintenance-seconds S] [--ramp 10,25,50,100] [--step-seconds S] [--check-seconds S] [--no-check-connections] [--callback] [--dry-run] [--wait] ${TAIL}`,
    status: `lvsctl rollout status --cluster C [--id ID] [--all] ${TAIL}`,
    done: `lvsctl rollout done --cluster C --id ID [--host ADDR] [--reason "..."] [--wait] ${TAIL}`,
    pause: `lvsctl rollout pause --cluster C --id ID [--reason "..."] ${TAIL}`,
    resume: `lvsctl rollout resume --cluster C --id ID [--reason "..."] [--wait] ${TAIL}`,
    abort: `lvsctl rollout abort --cluster C --id ID [--reason "..."] ${TAIL}`,
    skip: `lvsctl rollout skip --cluster C --id ID --host ADDR [--reason "..."] ${TAIL}`,
    proceed: `lvsctl rollout proceed --cluster C --id ID [--host ADDR] [--reason "..."] ${TAIL}`,
    'restore-all': `lvsctl rollout restore-all --cluster C --id ID [--reason "..."] ${TAIL}`,
  },
  `start patches the hosts one batch at a time (--batch N hosts, or --batch-percent P of them; default
1). Per host: drain (every service it serves, on every director); wait until no connection is left,
at most --deadline seconds (default 900), then wait for proceed (--on-deadline wait, the default) or
go on; maintenance: until done (--maintenance manual, the default) or for --maintenance-seconds S
(--maintenance timer); restore the weight in --ramp steps (percent of the weight it had, going up to
100; default 10,25,50,100), one every --step-seconds (default 30), each verified on every director;
check (at most --check-seconds, default 120): keepalived's checker says up on every director and,
unless --no-check-connections, new connections reach the host. The capacity floor is checked before
each batch: a refusal stops the start (exit 3) or pauses the rollout. --dry-run checks everything and
changes nothing. start prints the batches and the rollout's id. --callback: the rollout gets a secret
(printed once, with the curl line) a patching pipeline can use, without an account, to say a host's
maintenance is done.
--wait (start, resume, done) polls every 2 s and prints each host's step as it changes, until the
rollout is done (exit 0), paused or aborted (exit 1, with why), or a host waits for its manual
maintenance (exit 0: do the work, then run done for it, with --wait to go on).
status lists the cluster's active rollouts (--all: the last 50 as well); with --id, one: each host's
step and note, why it stopped, the last log lines.
done: the maintenance is finished (every host in maintenance, or --host); proceed: go on past the
drain deadline (every host at its deadline, or --host); skip: leave a host as it is; pause; resume:
go on (a stopped rollout tries the failed step again); abort: stop for good (every host stays as it
is); restore-all: restore every host the rollout holds (once it is aborted or done).
Exit: 0 ok, 1 failed or stopped, 2 usage or unknown cluster/rollout/host, 3 refused, 5 not allowed.`,
);

const OPTIONS = {
  cluster: { type: 'string' },
  id: { type: 'string' },
  all: { type: 'boolean' },
  hosts: { type: 'string' },
  host: { type: 'string' },
  reason: { type: 'string' },
  ticket: { type: 'string' },
  batch: { type: 'string' },
  'batch-percent': { type: 'string' },
  deadline: { type: 'string' },
  'on-deadline': { type: 'string' },
  maintenance: { type: 'string' },
  'maintenance-seconds': { type: 'string' },
  ramp: { type: 'string' },
  'step-seconds': { type: 'string' },
  'check-seconds': { type: 'string' },
  'no-check-connections': { type: 'boolean' },
  callback: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'boolean' },
  ...CONSOLE_OPTIONS,
} as const;

/** The options of each verb (besides --cluster, --url, --token-file, --json). */
const START_OPTIONS = ['hosts', 'reason', 'ticket', 'batch', 'batch-percent', 'deadline', 'on-deadline', 'maintenance', 'maintenance-seconds', 'ramp', 'step-seconds', 'check-seconds', 'no-check-connections', 'callback', 'dry-run', 'wait'];
const ALLOWED: Record<Verb, readonly string[]> = {
  start: START_OPTIONS,
  status: ['id', 'all'],
  done: ['id', 'host', 'reason', 'wait'],
  pause: ['id', 'reason'],
  resume: ['id', 'reason', 'wait'],
  abort: ['id', 'reason'],
  skip: ['id', 'host', 'reason'],
  proceed: ['id', 'host', 'reason'],
  'restore-all': ['id', 'reason'],
};

export interface RolloutArgs extends ConsoleArgs {
  verb: Verb;
  cluster: string;
  id?: string;
  all: boolean;
  /** For done, skip, proceed: canonical. */
  host?: string;
  reason?: string;
  /** For start: checked with the API's schema, as given (the console fills the defaults). */
  request?: RolloutRequestInput;
  wait: boolean;
  json: boolean;
}

/** A host address (no port), canonical; UsageError naming the option otherwise. */
export function hostAddress(text: string, option: string): string {
  let t;
  try {
    t = parseHostTarget(text);
  } catch (e) {
    if (e instanceof AddressError) throw new UsageError(`${option}: ${e.message}`);
    throw e;
  }
  if (t.port !== null) throw new UsageError(`${option} takes host addresses (every service the host serves), not ADDR:PORT ("${text.trim()}")`);
  return t.address;
}

function whole(v: string | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${option} needs a whole number, got "${v}"`);
  return Number(v);
}

/** Pure: the options of `rollout start` -> the request body, checked with RolloutRequest. */
function startRequest(s: (k: string) => string | undefined, b: (k: string) => boolean): RolloutRequestInput {
  const hostsText = s('hosts');
  if (hostsText === undefined) throw new UsageError('--hosts ADDR[,ADDR...] is required');
  const hosts = hostsText.split(',').map((h) => h.trim()).filter((h) => h !== '').map((h) => hostAddress(h, '--hosts'));
  if (s('batch') !== undefined && s('batch-percent') !== undefined) throw new UsageError('give --batch N or --batch-percent P, not both');
  const percent = s('batch-percent');
  if (percent !== undefined && !/^\d+(\.\d+)?$/.test(percent)) throw new UsageError(`--batch-percent needs a percentage (e.g. 25), got "${percent}"`);
  const onDeadline = s('on-deadline');
  if (onDeadline !== undefined && onDeadline !== 'wait' && onDeadline !== 'proceed') throw new UsageError(`--on-deadline must be wait or proceed, got "${onDeadline}"`);
  const maintenance = s('maintenance');
  if (maintenance !== undefined && maintenance !== 'manual' && maintenance !== 'timer') throw new UsageError(`--maintenance must be manual or timer, got "${maintenance}"`);
  const maintenanceSeconds = whole(s('maintenance-seconds'), 'maintenance-seconds');
  if (maintenance === 'timer' && maintenanceSeconds === undefined) throw new UsageError('--maintenance timer needs --maintenance-seconds S (how long the work takes)');
  if (maintenance !== 'timer' && maintenanceSeconds !== undefined) throw new UsageError('--maintenance-seconds goes with --maintenance timer');
  const ramp = s('ramp');
  const num = (k: string, key: keyof RolloutRequestInput) => {
    const n = whole(s(k), k);
    return n === undefined ? {} : { [key]: n };
  };
  const body: RolloutRequestInput = {
    kind: 'rollout',
    hosts,
    reason: s('reason') ?? '',
    ...(s('ticket') === undefined ? {} : { ticket: s('ticket') }),
    ...num('batch', 'batchSize'),
    ...(percent === undefined ? {} : { batchPercent: Number(percent) }),
    ...num('deadline', 'drainDeadlineSeconds'),
    ...(onDeadline === undefined ? {} : { onDeadline }),
    ...(maintenance === undefined ? {} : { maintenance }),
    ...(maintenanceSeconds === undefined ? {} : { maintenanceSeconds }),
    ...(ramp === undefined ? {} : { ramp: parseRamp(ramp) }),
    ...num('step-seconds', 'stepSeconds'),
    ...num('check-seconds', 'checkSeconds'),
    ...(b('no-check-connections') ? { checkNewConnections: false } : {}),
    ...(b('callback') ? { callback: true } : {}),
    ...(b('dry-run') ? { dryRun: true } : {}),
  };
  return checkRolloutRequest(body);
}

/** Pure: argv (after `rollout`) -> arguments, or UsageError naming the problem. */
export function parseRolloutArgs(argv: string[]): RolloutArgs {
  const [verb, ...rest] = argv;
  if (!VERBS.includes(verb as Verb)) throw new UsageError(`expected ${VERBS.slice(0, -1).join(', ')} or ${VERBS[VERBS.length - 1] ?? ''}, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  const v = verb as Verb;
  const values: Record<string, string | boolean | undefined> = parseOptions(rest, OPTIONS).values;
  const s = (k: string) => (typeof values[k] === 'string' ? values[k].trim() : undefined);
  const b = (k: string) => values[k] === true;
  const cluster = s('cluster');
  if (!cluster) throw new UsageError('--cluster C is required');
  for (const k of Object.keys(values)) {
    if (k === 'cluster' || k in CONSOLE_OPTIONS || ALLOWED[v].includes(k)) continue;
    throw new UsageError(`--${k} is not for rollout ${v}`);
  }
  const id = s('id');
  if (v !== 'start' && v !== 'status' && !id) throw new UsageError('--id ID is required (lvsctl rollout status lists them)');
  const hostText = s('host');
  if (v === 'skip' && !hostText) throw new UsageError('--host ADDR is required: the host to skip');
  const host = hostText ? hostAddress(hostText, '--host') : undefined;
  const reason = s('reason');
  return {
    verb: v,
    cluster,
    ...(id ? { id } : {}),
    all: b('all'),
    ...(host ? { host } : {}),
    ...(reason && v !== 'start' ? { reason } : {}),
    ...(v === 'start' ? { request: startRequest(s, b) } : {}),
    wait: b('wait'),
    ...(s('url') === undefined ? {} : { url: s('url') }),
    ...(s('token-file') === undefined ? {} : { tokenFile: s('token-file') }),
    json: b('json'),
  };
}

// ------------------------------------------------------------------ output

const iso = (at: number) => new Date(at).toISOString();

function who(r: Rollout): string {
  return `by ${r.actor}: ${r.reason}${r.ticket ? ` (${r.ticket})` : ''}`;
}

function batchOf(r: Rollout): string {
  const last = Math.max(0, ...r.hosts.map((h) => h.batch));
  const cur = currentBatch(r);
  return cur === null ? `${last} batch${last === 1 ? '' : 'es'}` : `batch ${cur} of ${last}`;
}

export function formatStart(cluster: string, r: RolloutStartResult): string {
  const head = r.rollout ? `${cluster}: rollout ${r.rollout.id} started` : `${cluster}: rollout${r.dryRun ? ' (dry run)' : ''}`;
  const lines = [`${head} — ${r.message}`];
  r.batches.forEach((hosts, i) => lines.push(`  batch ${i + 1}: ${hosts.join(', ')}`));
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const x of r.refusals) lines.push(`  refused: ${x}`);
  if (r.rollout) lines.push(`  follow it: lvsctl rollout status --cluster ${cluster} --id ${r.rollout.id}`);
  if (r.callback) {
    lines.push(`  callback secret (shown once; keep it in the pipeline's secrets): ${r.callback.secret}`);
    lines.push(`  maintenance done: curl -fsS -X POST -H '${r.callback.header}: <secret>' -H 'content-type: application/json' -d '{"host":"ADDR"}' CONSOLE_URL${r.callback.path}`);
  }
  return lines.join('\n');
}

/** The cluster's rollouts: a header line each, its hosts' steps, what it is doing. */
export function formatList(l: RolloutList, all: boolean): string {
  if (l.rollouts.length === 0) return `${l.cluster}: no ${all ? '' : 'active '}rollouts${all ? '' : ' (--all lists the last 50 as well)'}`;
  return l.rollouts
    .flatMap((r) => [
      `${l.cluster}: rollout ${r.id}  ${r.state}  ${r.kind === 'ramp' ? 'ramp, ' : ''}${batchOf(r)}  ${who(r)}, ${iso(r.createdAt)}`,
      `  ${r.hosts.map((h) => `${h.host} ${stepLabel(h, r)}`).join(', ')}`,
      `  ${r.status}`,
    ])
    .join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

/** One rollout: its options, hosts × step with notes, why it stopped, the last 10 log lines. */
export function formatRollout(r: Rollout, now: number): string {
  const o = r.options;
  const lines = [
    `${r.cluster}: rollout ${r.id}${r.kind === 'ramp' ? ' (ramp)' : ''}: ${r.state}, ${batchOf(r)} — ${r.status}`,
    `  ${who(r)}, ${iso(r.createdAt)}${r.endedAt ? `; ended ${iso(r.endedAt)}${r.endedBy ? ` by ${r.endedBy}` : ''}` : ''}`,
    `  batches of ${o.batchSize}; drain deadline ${o.drainDeadlineSeconds} s, then ${o.onDeadline === 'wait' ? 'wait for proceed' : 'proceed'}; maintenance ${o.maintenance === 'timer' ? `${o.maintenanceSeconds ?? 0} s` : 'until done'}; ramp ${o.ramp.join(',')} % every ${o.stepSeconds} s; check ${o.checkSeconds} s${o.checkNewConnections ? ' with new connections' : ''}`,
  ];
  if (r.stopped) lines.push(`  stopped: ${r.stopped}`);
  lines.push(
    '',
    ...table([
      ['BATCH', 'HOST', 'STEP', 'SINCE', 'NOTE'],
      ...r.hosts.map((h) => [String(h.batch), h.host, stepLabel(h, r), h.stepStartedAt === null ? '-' : formatDuration(now - h.stepStartedAt), h.note ?? '']),
    ]),
  );
  const log = r.log.slice(-10);
  if (log.length > 0) {
    lines.push('', `  log${r.log.length > log.length ? ` (last ${log.length} of ${r.log.length})` : ''}:`);
    for (const l of log) lines.push(`    ${iso(l.at)}  ${l.host ? `${l.host}: ` : ''}${l.text}`);
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------ running

export interface RolloutDeps extends ApiDeps {
  sleep: Sleep;
}

export const rolloutDeps = (): RolloutDeps => ({ ...processDeps(), sleep });

/** How a --wait ended -> the exit code. */
export function exitForWatch(end: WatchEnd): number {
  return end === 'done' || end === 'maintenance' ? EXIT.ok : EXIT.failed;
}

export async function runRollout(argv: string[], deps: RolloutDeps = rolloutDeps()): Promise<number> {
  const { out, err } = deps;
  let a: RolloutArgs;
  try {
    a = parseRolloutArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      const sub = subcommands.find((c) => c.name === argv[0]);
      err(`lvsctl rollout${sub ? ` ${sub.name}` : ''}: ${e.message}\n\n${sub?.usage ?? usage}`);
      return EXIT.usage;
    }
    throw e;
  }
  const conn = openConsole(a, deps, 'rollout');
  if (!conn) return EXIT.usage;
  const { base, client } = conn;
  const watch = async (first: Rollout, ignoreMaintenance: readonly string[] = []): Promise<number> => {
    const w = await watchRollout(client, first, { sleep: deps.sleep, progress: a.json ? undefined : out, say: a.json ? err : out, ignoreMaintenance });
    if (a.json) out(JSON.stringify(w.rollout, null, 2));
    return exitForWatch(w.end);
  };
  try {
    if (a.verb === 'status') {
      if (a.id) {
        const r = await client.getRollout(a.cluster, a.id);
        out(a.json ? JSON.stringify(r, null, 2) : formatRollout(r, deps.now()));
      } else {
        const l = await client.getRollouts(a.cluster, a.all);
        out(a.json ? JSON.stringify(l, null, 2) : formatList(l, a.all));
      }
      return EXIT.ok;
    }
    if (a.verb === 'start') {
      const r = await client.startRollout(a.cluster, a.request ?? { hosts: [], reason: '' });
      if (r.rollout && a.wait) {
        if (!a.json) out(formatStart(a.cluster, r));
        return await watch(r.rollout);
      }
      out(a.json ? JSON.stringify(r, null, 2) : formatStart(a.cluster, r));
      return r.refusals.length > 0 ? EXIT.refused : EXIT.ok;
    }
    const r = await client.rolloutAction(a.cluster, a.id ?? '', { action: a.verb, ...(a.host ? { host: a.host } : {}), ...(a.reason ? { reason: a.reason } : {}) });
    if (a.wait) {
      if (!a.json) out(`${a.cluster}: rollout ${r.rollout.id}: ${a.verb} — ${r.message}`);
      const done = a.verb === 'done' ? (a.host ? [a.host] : r.rollout.hosts.filter((h) => h.step === 'maintenance').map((h) => h.host)) : [];
      return await watch(r.rollout, done);
    }
    out(a.json ? JSON.stringify(r, null, 2) : `${a.cluster}: rollout ${r.rollout.id}: ${a.verb} — ${r.message}\n  ${r.rollout.state}: ${r.rollout.status}`);
    return EXIT.ok;
  } catch (e) {
    return answerApiFailure(e, `rollout ${a.verb}`, base, { out, err, json: a.json }, refusalLines);
  }
}

export const rolloutCommand: LvsctlCommand = {
  name: 'rollout',
  summary: 'rolling maintenance: drain, patch and restore (in weight steps, checked) a list of hosts, one batch at a time',
  usage,
  subcommands,
  run: (argv) => runRollout(argv),
};
