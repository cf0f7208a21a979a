// `lvsctl token create|list|revoke`: API tokens for automation (Authorization: Bearer TOKEN).
import { parseArgs } from 'node:util';
import { createTokenWith, listTokensWith, revokeTokenWith } from '@/server/auth/admin';
import type { LvsctlCommand } from '../lvsctl';
import { cliActor, guard, openLocal, processIo, splitList, UsageError, type Io } from './local';

const USAGE = `usage:
  lvsctl token create --name NAME --role viewer|operator|admin [--clusters a,b] [--config FILE]
  lvsctl token list [--config FILE]
  lvsctl token revoke NAME [--config FILE]

create prints the token once, on stdout; only its hash is kept. Send it as
"Authorization: Bearer TOKEN".`;

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

export function runToken(argv: string[], io: Io): Promise<number> {
  return guard(io, 'token', USAGE, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, role: { type: 'string' }, clusters: { type: 'string' }, config: { type: 'string' } },
    });
    const [verb, arg, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (verb !== 'create' && verb !== 'list' && verb !== 'revoke') throw new UsageError(verb ? `unknown verb "${verb}"` : 'say create, list or revoke');
    if (verb === 'create' && (!values.name || !values.role)) throw new UsageError('token create needs --name and --role');
    if (verb === 'revoke' && !arg) throw new UsageError('token revoke needs the token NAME');
    const local = openLocal(values.config);
    try {
      if (verb === 'list') {
        io.out('name\trole\tclusters\tcreated by\tcreated\tlast used\trevoked\n');
        for (const t of listTokensWith(local.auth, null)) {
          io.out(`${t.name}\t${t.role}\t${t.clusters?.join(',') ?? '*'}\t${t.createdBy}\t${when(t.createdAt)}\t${when(t.lastUsedAt)}\t${when(t.revokedAt)}\n`);
        }
        return 0;
      }
      if (verb === 'revoke') {
        revokeTokenWith(local.auth, arg ?? '', cliActor());
        io.out(`revoked token ${arg}\n`);
        return 0;
      }
      const { token, info } = createTokenWith(local.auth, { name: values.name, role: values.role, clusters: splitList(values.clusters) }, cliActor());
      io.err(`token ${info.name} (${info.role}) created; it is shown once:\n`);
      io.out(`${token}\n`);
      return 0;
    } finally {
      local.close();
    }
  });
}

export const tokenCommand: LvsctlCommand = {
  name: 'token',
  summary: 'create, list or revoke API tokens',
  usage: USAGE,
  run: (argv) => runToken(argv, processIo),
};
