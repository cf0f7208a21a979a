// `lvsctl audit verify|list`: check the audit log's hash chain, or print its newest entries.
import { parseArgs } from 'node:util';
import type { AuditEntry } from '@/lib/models/audit';
import type { LvsctlCommand } from '../lvsctl';
import { guard, openLocal, processIo, UsageError, type Io } from './local';

const USAGE = `usage:
  lvsctl audit verify [--config FILE]     exit 0: "audit chain intact: N entries"; exit 1 names the first bad row
  lvsctl audit list [--limit N] [--json] [--config FILE]`;

export function runAudit(argv: string[], io: Io): Promise<number> {
  return guard(io, 'audit', USAGE, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { limit: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
    });
    const [verb, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (verb !== 'verify' && verb !== 'list') throw new UsageError(verb ? `unknown verb "${verb}"` : 'say verify or list');
    if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError(`--limit needs a number, got "${values.limit}"`);
    const local = openLocal(values.config);
    try {
      if (verb === 'verify') {
        const r = local.audit.verify();
        if (r.ok) {
          io.out(`audit chain intact: ${r.count} entries (head ${r.head.slice(0, 16)})\n`);
          // Not a break in the chain: an action that started and has no outcome row (running, or the console stopped).
          if (r.unfinished.length > 0) io.out(`${r.unfinished.length} attempted action(s) with no outcome recorded: #${r.unfinished.slice(0, 20).join(', #')}${r.unfinished.length > 20 ? ', …' : ''}\n`);
          return 0;
        }
        io.err(`audit chain BROKEN at row ${r.badId}: ${r.reason} (${r.count} entries before it verified)\n`);
        return 1;
      }
      const entries = local.audit.list({ limit: values.limit === undefined ? 50 : Number(values.limit) });
      if (values.json) {
        io.out(`${JSON.stringify(entries, null, 2)}\n`);
        return 0;
      }
      for (const e of entries) {
        io.out(
          `${e.id}\t${new Date(e.at).toISOString()}\t${e.actor}\t${e.role ?? '-'}\t${e.source}\t${e.action}\t${[e.cluster, e.target].filter(Boolean).join(' ') || '-'}\t${outcomeText(e)}\t${JSON.stringify(e.detail)}\n`,
        );
      }
      return 0;
    } finally {
      local.close();
    }
  });
}

/** "attempted (no outcome recorded)", "attempted -> #12", "ok (of #11)", or the outcome. */
export function outcomeText(e: AuditEntry): string {
  if (e.outcome === 'attempted') return e.outcomeId === null ? 'attempted (no outcome recorded)' : `attempted -> #${e.outcomeId}`;
  return e.attemptId === null ? e.outcome : `${e.outcome} (of #${e.attemptId})`;
}

export const auditCommand: LvsctlCommand = {
  name: 'audit',
  summary: "verify the audit log's hash chain, or list its newest entries",
  usage: USAGE,
  run: (argv) => runAudit(argv, processIo),
};
