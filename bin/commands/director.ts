// `lvsctl director maintenance | resume | status`: move the VIPs off a director through keepalived's
// VRRP track file (checked first, verified after, written back when the VIPs do not move), give it
// back, or show which directors are in maintenance, through the console's HTTP API. Exit codes as
// `lvsctl drain`: 0 ok, 1 failed or rolled back (or the console unreachable), 2 usage or a bad
// request (unknown cluster or director), 3 refused by the pre-flight, 5 not allowed.

import type { MaintenanceCheck, MaintenancePreflight, MaintenanceResult, MaintenanceStatus } from '@/lib/models/maintenance';
import { parseOptions, subcommandUsage, UsageError, type LvsctlCommand } from './command';
import { CONSOLE_OPTIONS, openConsole, processDeps, type ApiDeps, type ConsoleArgs } from './console-api';
import { answerApiFailure, EXIT } from './drain';

type Verb = 'maintenance' | 'resume' | 'status';

const { usage, subcommands } = subcommandUsage(
  {
    maintenance: 'lvsctl director maintenance --cluster C --director D --reason "..." [--ticket T] [--expires MINUTES] [--force] [--dry-run] [--wait] [--url URL] [--token-file FILE] [--json]',
    resume: 'lvsctl director resume --cluster C --director D [--reason "..."] [--force] [--dry-run] [--wait] [--url URL] [--token-file FILE] [--json]',
    status: 'lvsctl director status --cluster C [--url URL] [--token-file FILE] [--json]',
  },
  `maintenance writes 1 into the director's VRRP track file (/var/lib/lvs-console/track/vrrp-maint):
keepalived lowers its priority and its peer takes the VIPs. The pre-flight runs first (peers live and
out of FAULT, IPVS tables equal, checkers agree, what moves, connections that would break); any
refusal stops it (--force overrides table drift only). The command waits until ip addr shows the VIPs
on the peer (at most 30 s) and writes 0 back when they do not move; it always waits (--wait is accepted,
as for lvsctl drain). The answer names the failover and its no-master gap from keepalived's logs.
resume gives the director back the
same way. --expires MINUTES: a lease, after which the console gives the director back by itself
(checked like resume; a refused give back is retried every 5 minutes). --dry-run prints the
pre-flight and changes nothing.
Exit: 0 ok, 1 failed or rolled back, 2 usage or unknown cluster/director, 3 refused, 5 not allowed.`,
);

interface DirectorArgs extends ConsoleArgs {
  verb: Verb;
  cluster: string;
  director?: string;
  reason?: string;
  ticket?: string;
  expiresInMinutes?: number;
  force: boolean;
  dryRun: boolean;
  json: boolean;
}

const OPTIONS = {
  cluster: { type: 'string' },
  director: { type: 'string' },
  reason: { type: 'string' },
  ticket: { type: 'string' },
  expires: { type: 'string' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'boolean' },
  ...CONSOLE_OPTIONS,
} as const;

/** Pure: argv (after `director`) -> arguments, or UsageError naming the problem. */
export function parseDirectorArgs(argv: string[]): DirectorArgs {
  const [verb, ...rest] = argv;
  if (verb !== 'maintenance' && verb !== 'resume' && verb !== 'status') throw new UsageError(`expected maintenance, resume or status, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  const values: Record<string, string | boolean | undefined> = parseOptions(rest, OPTIONS).values;
  const s = (k: string) => (typeof values[k] === 'string' ? values[k].trim() : undefined);
  const b = (k: string) => values[k] === true;
  const cluster = s('cluster');
  if (!cluster) throw new UsageError('--cluster C is required');
  const director = s('director');
  if (verb !== 'status' && !director) throw new UsageError('--director D is required');
  const reason = s('reason');
  if (verb === 'maintenance' && !reason) throw new UsageError('--reason "..." is required: say why (it goes to the audit log)');
  for (const k of ['ticket', 'expires']) if (verb !== 'maintenance' && values[k] !== undefined) throw new UsageError(`--${k} is for director maintenance`);
  const expires = s('expires');
  if (expires !== undefined && (!/^\d+$/.test(expires) || Number(expires) < 1 || Number(expires) > 10_080)) throw new UsageError(`--expires needs whole minutes from 1 to 10080 (7 days), got "${expires}"`);
  if (verb === 'status') for (const k of ['director', 'reason', 'force', 'dry-run', 'wait']) if (values[k] !== undefined) throw new UsageError(`--${k} is not for director status`);
  return {
    verb,
    cluster,
    ...(director ? { director } : {}),
    ...(reason ? { reason } : {}),
    ...(s('ticket') ? { ticket: s('ticket') } : {}),
    ...(expires === undefined ? {} : { expiresInMinutes: Number(expires) }),
    force: b('force'),
    dryRun: b('dry-run'),
    ...(s('url') === undefined ? {} : { url: s('url') }),
    ...(s('token-file') === undefined ? {} : { tokenFile: s('token-file') }),
    json: b('json'),
  };
}

const MARK: Record<MaintenanceCheck['status'], string> = { ok: 'ok     ', warning: 'WARNING', refusal: 'REFUSED' };

export function formatPreflight(p: MaintenancePreflight): string[] {
  const lines = p.checks.map((c) => `  ${MARK[c.status]} ${c.title}: ${c.detail}`);
  if (p.configHint) lines.push('  add to keepalived.conf:', ...p.configHint.split('\n').map((l) => `    ${l}`));
  return lines;
}

export function formatMaintenance(r: MaintenanceResult): string {
  const head = `${r.cluster}: ${r.director}: ${r.action === 'enter' ? 'maintenance' : 'resume'}${r.dryRun ? ' (dry run)' : ''}: ${r.outcome.toUpperCase()} — ${r.message}`;
  return [head, ...formatPreflight(r.preflight)].join('\n');
}

export function formatStatus(s: MaintenanceStatus): string {
  return s.directors
    .map((d) => {
      const m = d.maintenance;
      const lease = m?.expiresAt ? `, given back at ${new Date(m.expiresAt).toISOString()}` : '';
      const state = m ? `in maintenance since ${new Date(m.createdAt).toISOString()} by ${m.actor} (${m.reason}${m.ticket ? `, ${m.ticket}` : ''})${lease}` : d.value ? `track file holds ${d.value} (not set by this console)` : 'in service';
      return `${s.cluster}: ${d.director.padEnd(12)} ${state}${d.trackFile ? '' : '; keepalived does not track the maintenance file'}`;
    })
    .join('\n');
}

export async function runDirector(argv: string[], deps: ApiDeps = processDeps()): Promise<number> {
  const { out, err } = deps;
  let a: DirectorArgs;
  try {
    a = parseDirectorArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`lvsctl director: ${e.message}\n\n${usage}`);
      return EXIT.usage;
    }
    throw e;
  }
  const conn = openConsole(a, deps, 'director');
  if (!conn) return EXIT.usage;
  const { base, client } = conn;
  try {
    if (a.verb === 'status') {
      const s = await client.getMaintenanceStatus(a.cluster);
      out(a.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      return EXIT.ok;
    }
    const action = a.verb === 'maintenance' ? 'enter' : 'exit';
    const body = {
      ...(a.reason ? { reason: a.reason } : {}),
      ...(a.ticket ? { ticket: a.ticket } : {}),
      ...(a.expiresInMinutes === undefined ? {} : { expiresInMinutes: a.expiresInMinutes }),
      ...(a.force ? { force: true } : {}),
      ...(a.dryRun ? { dryRun: true } : {}),
    };
    const r = await client.maintenance(a.cluster, a.director ?? '', action, body);
    out(a.json ? JSON.stringify(r, null, 2) : formatMaintenance(r));
    return r.outcome === 'ok' || r.outcome === 'planned' ? EXIT.ok : EXIT.failed;
  } catch (e) {
    return answerApiFailure(e, `director ${a.verb}`, base, { out, err, json: a.json }, (details) => {
      const preflight = (details as { preflight?: MaintenancePreflight } | undefined)?.preflight;
      return preflight ? [formatPreflight(preflight).join('\n')] : [];
    });
  }
}

export const directorCommand: LvsctlCommand = {
  name: 'director',
  summary: 'put a director in maintenance (its peer takes the VIPs, checked and verified), give it back, or list',
  usage,
  subcommands,
  run: (argv) => runDirector(argv),
};
