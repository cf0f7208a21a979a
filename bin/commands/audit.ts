// `lvsctl audit verify|list`: check the audit log's hash chain (keyed rows with the audit key, and
// against anchors the console exported), or print its newest entries.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { AuditEntry } from '@/lib/models/audit';
import { parseAnchorArg, parseAnchors } from '@/server/audit/anchor';
import type { AuditAnchor } from '@/server/audit/log';
import type { LvsctlCommand } from '../lvsctl';
import { guard, openLocal, processIo, UsageError, type Io } from './local';

const USAGE = `usage:
  lvsctl audit verify [--anchor ID:HASH]... [--anchor-file FILE] [--config FILE]
                        exit 0: "audit chain intact: N entries"; exit 1 names the first bad row
  lvsctl audit list [--limit N] [--json] [--config FILE]

Keyed rows are checked with the audit key (audit.key, or the key file, default stateDir/audit.key):
run as the console's user. An anchor is a head the console exported earlier (its log line
"[audit] head id=N hash=H", or a webhook with auditHead): the chain must still reach row N with
hash H (H: at least its first 16 hex digits), so removed newest rows and rewritten rows are caught.
--anchor-file reads every "id=N hash=H" in a file (e.g. journalctl -u lvs-console | grep '\\[audit\\] head').`;

export function runAudit(argv: string[], io: Io): Promise<number> {
  return guard(io, 'audit', USAGE, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        limit: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        anchor: { type: 'string', multiple: true },
        'anchor-file': { type: 'string' },
      },
    });
    const [verb, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (verb !== 'verify' && verb !== 'list') throw new UsageError(verb ? `unknown verb "${verb}"` : 'say verify or list');
    if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError(`--limit needs a number, got "${values.limit}"`);
    const anchors: AuditAnchor[] = [];
    for (const a of values.anchor ?? []) {
      const parsed = parseAnchorArg(a);
      if (!parsed) throw new UsageError(`--anchor needs ID:HASH (the row id, and at least 16 hex digits of its hash), got "${a}"`);
      anchors.push(parsed);
    }
    if (values['anchor-file'] !== undefined) {
      const file = values['anchor-file'];
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read --anchor-file ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const found = parseAnchors(text);
      if (found.length === 0) throw new UsageError(`--anchor-file ${file} has no "id=N hash=H" anchor`);
      anchors.push(...found);
    }
    if (verb === 'list' && anchors.length > 0) throw new UsageError('--anchor and --anchor-file are for verify');
    const local = openLocal(values.config, verb === 'verify' ? 'read' : 'none');
    try {
      if (verb === 'verify') {
        const r = local.audit.verify({ anchors });
        if (r.ok) {
          io.out(`audit chain intact: ${r.count} entries (head #${r.count} ${r.head.slice(0, 16)})\n`);
          if (r.count > r.unkeyed) io.out(`rows #${r.unkeyed + 1}-#${r.count} keyed (HMAC-SHA256, key id ${local.audit.keyId ?? '?'})\n`);
          if (r.unkeyed > 0) io.out(`rows #1-#${r.unkeyed} unkeyed (SHA-256, written before the audit key)\n`);
          io.out(
            anchors.length > 0
              ? `reaches ${r.anchors} anchor(s), the newest #${Math.max(...anchors.map((a) => a.id))}\n`
              : 'no anchor given: removing the newest rows would not show; pass --anchor ID:HASH or --anchor-file\n',
          );
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
