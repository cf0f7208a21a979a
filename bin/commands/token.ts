// `lvsctl token create|list|revoke`: API tokens for automation (Authorization: Bearer TOKEN).
import { parseArgs } from 'node:util';
import { createTokenWith, listTokensWith, revokeTokenWith } from '@/server/auth/admin';
import type { LvsctlCommand } from '../lvsctl';
import { cliActor, guard, openLocal, processIo, splitList, UsageError, type Io } from './local';

const USAGE = `usage:
  lvsctl token create --name NAME --role viewer|operator|admin [--clusters a,b] [--expires 30d] [--config FILE]
  lvsctl token list [--config FILE]
  lvsctl token revoke NAME [--config FILE]

create prints the token once, on stdout; only its hash is kept. Send it as
"Authorization: Bearer TOKEN". It stops working after --expires days (default and
maximum: auth.tokenMaxDays, 365 unless configured).`;

/** "--expires 30d": whole days. */
function parseExpires(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^([1-9][0-9]{0,4})d$/.exec(v.trim());
  if (!m) throw new UsageError(`--expires takes a number of days like 30d, not "${v}"`);
  return Number(m[1]);
}

function expiry(t: { expiresAt: number | null; expired: boolean }): string {
  if (t.expiresAt === null) return 'never';
  return `${t.expired ? 'EXPIRED ' : ''}${new Date(t.expiresAt).toISOString()}`;
}

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

export function runToken(argv: string[], io: Io): Promise<number> {
  return guard(io, 'token', USAGE, () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, role: { type: 'string' }, clusters: { type: 'string' }, expires: { type: 'string' }, config: { type: 'string' } },
    });
    const [verb, arg, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (verb !== 'create' && verb !== 'list' && verb !== 'revoke') throw new UsageError(verb ? `unknown verb "${verb}"` : 'say create, list or revoke');
    if (verb === 'create' && (!values.name || !values.role)) throw new UsageError('token create needs --name and --role');
    if (verb === 'revoke' && !arg) throw new UsageError('token revoke needs the token NAME');
    if (verb !== 'create' && values.expires !== undefined) throw new UsageError('--expires goes with token create');
    const expiresInDays = parseExpires(values.expires);
    const local = openLocal(values.config);
    try {
      if (verb === 'list') {
        io.out('name\trole\tclusters\tcreated by\tcreated\tlast used\trevoked\texpires\n');
        for (const t of listTokensWith(local.auth, null)) {
          io.out(`${t.name}\t${t.role}\t${t.clusters?.join(',') ?? '*'}\t${t.createdBy}\t${when(t.createdAt)}\t${when(t.lastUsedAt)}\t${when(t.revokedAt)}\t${expiry(t)}\n`);
        }
        return 0;
      }
      if (verb === 'revoke') {
        revokeTokenWith(local.auth, arg ?? '', cliActor());
        io.out(`revoked token ${arg}\n`);
        return 0;
      }
      const { token, info } = createTokenWith(local.auth, { name: values.name, role: values.role, clusters: splitList(values.clusters), expiresInDays }, cliActor());
      io.err(`token ${info.name} (${info.role}) created, expires ${expiry(info)}; it is shown once:\n`);
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
