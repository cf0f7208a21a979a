// `lvsctl audit verify|list`: check the audit log's hash chain, or print its newest entries.
import { UsageError } from './command';
import { localCommand, type Io } from './local';

export const auditCommand = localCommand({
  name: 'audit',
  summary: "verify the audit log's hash chain, or list its newest entries",
  options: { limit: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  maxArgs: 0,
  check: (values) => {
    if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError(`--limit needs a number, got "${values.limit}"`);
  },
  verbs: {
    verify: {
      synopsis: 'lvsctl audit verify [--config FILE]     exit 0: "audit chain intact: N entries"; exit 1 names the first bad row',
      run: ({ io, local }) => {
        const r = local().audit.verify();
        if (r.ok) {
          io.out(`audit chain intact: ${r.count} entries (head ${r.head.slice(0, 16)})\n`);
          return 0;
        }
        io.err(`audit chain BROKEN at row ${r.badId}: ${r.reason} (${r.count} entries before it verified)\n`);
        return 1;
      },
    },
    list: {
      synopsis: 'lvsctl audit list [--limit N] [--json] [--config FILE]',
      run: ({ values, io, local }) => {
        const entries = local().audit.list({ limit: values.limit === undefined ? 50 : Number(values.limit) });
        if (values.json) {
          io.out(`${JSON.stringify(entries, null, 2)}\n`);
          return 0;
        }
        for (const e of entries) {
          io.out(
            `${e.id}\t${new Date(e.at).toISOString()}\t${e.actor}\t${e.role ?? '-'}\t${e.source}\t${e.action}\t${[e.cluster, e.target].filter(Boolean).join(' ') || '-'}\t${e.outcome}\t${JSON.stringify(e.detail)}\n`,
          );
        }
        return 0;
      },
    },
  },
});

export const runAudit = (argv: string[], io: Io): Promise<number> => auditCommand.runWith(argv, io);
