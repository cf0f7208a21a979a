// `lvsctl audit verify|list`: check the audit log's hash chain (keyed rows with the audit key, and
// against anchors the console exported), or print its newest entries.
import fs from 'node:fs';
import type { AuditEntry } from '@/lib/models/audit';
import { parseAnchorArg, parseAnchors } from '@/server/audit/anchor';
import type { AuditAnchor } from '@/server/audit/log';
import { UsageError } from './command';
import { localCommand, type Io } from './local';

/** The anchors of --anchor ID:HASH (repeatable) and --anchor-file FILE. */
function readAnchors(values: { anchor?: string[] | undefined; 'anchor-file'?: string | undefined }): AuditAnchor[] {
  const anchors: AuditAnchor[] = [];
  for (const a of values.anchor ?? []) {
    const parsed = parseAnchorArg(a);
    if (!parsed) throw new UsageError(`--anchor needs ID:HASH (the row id, and at least 16 hex digits of its hash), got "${a}"`);
    anchors.push(parsed);
  }
  const file = values['anchor-file'];
  if (file !== undefined) {
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
  return anchors;
}

/** "attempted (no outcome recorded)", "attempted -> #12", "ok (of #11)", or the outcome. */
export function outcomeText(e: AuditEntry): string {
  if (e.outcome === 'attempted') return e.outcomeId === null ? 'attempted (no outcome recorded)' : `attempted -> #${e.outcomeId}`;
  return e.attemptId === null ? e.outcome : `${e.outcome} (of #${e.attemptId})`;
}

export const auditCommand = localCommand({
  name: 'audit',
  summary: "verify the audit log's hash chain, or list its newest entries",
  options: {
    limit: { type: 'string' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    anchor: { type: 'string', multiple: true },
    'anchor-file': { type: 'string' },
  },
  maxArgs: 0,
  check: (values) => {
    if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError(`--limit needs a number, got "${values.limit}"`);
  },
  verbs: {
    verify: {
      synopsis:
        'lvsctl audit verify [--anchor ID:HASH]... [--anchor-file FILE] [--config FILE]\n' +
        '                      exit 0: "audit chain intact: N entries"; exit 1 names the first bad row',
      run: ({ values, io, local }) => {
        const anchors = readAnchors(values);
        const l = local('read');
        const r = l.audit.verify({ anchors });
        if (r.ok) {
          io.out(`audit chain intact: ${r.count} entries (head #${r.count} ${r.head.slice(0, 16)})\n`);
          if (r.count > r.unkeyed) io.out(`rows #${r.unkeyed + 1}-#${r.count} keyed (HMAC-SHA256, key id ${l.audit.keyId ?? '?'})\n`);
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
      },
    },
    list: {
      synopsis: 'lvsctl audit list [--limit N] [--json] [--config FILE]',
      run: ({ values, io, local }) => {
        if ((values.anchor?.length ?? 0) > 0 || values['anchor-file'] !== undefined) throw new UsageError('--anchor and --anchor-file are for verify');
        const entries = local('none').audit.list({ limit: values.limit === undefined ? 50 : Number(values.limit) });
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
      },
    },
  },
  notes:
    'Keyed rows are checked with the audit key (audit.key, or the key file, default stateDir/audit.key):\n' +
    'run as the console\'s user. An anchor is a head the console exported earlier (its log line\n' +
    '"[audit] head id=N hash=H", or a webhook with auditHead): the chain must still reach row N with\n' +
    'hash H (H: at least its first 16 hex digits), so removed newest rows and rewritten rows are caught.\n' +
    "--anchor-file reads every \"id=N hash=H\" in a file (e.g. journalctl -u lvs-console | grep '\\[audit\\] head').",
});

export const runAudit = (argv: string[], io: Io): Promise<number> => auditCommand.runWith(argv, io);
