// `lvsctl token create|list|revoke`: API tokens for automation (Authorization: Bearer TOKEN).
import { createTokenWith, listTokensWith, revokeTokenWith } from '@/server/api/admin';
import { UsageError } from './command';
import { cliActor, localCommand, splitList, type Io } from './local';

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

export const tokenCommand = localCommand({
  name: 'token',
  summary: 'create, list or revoke API tokens',
  options: { name: { type: 'string' }, role: { type: 'string' }, clusters: { type: 'string' }, expires: { type: 'string' }, config: { type: 'string' } },
  maxArgs: 1,
  verbs: {
    create: {
      synopsis: 'lvsctl token create --name NAME --role viewer|operator|admin [--clusters a,b] [--expires 30d] [--config FILE]',
      run: ({ values, io, local }) => {
        if (!values.name || !values.role) throw new UsageError('token create needs --name and --role');
        const expiresInDays = parseExpires(values.expires);
        const { token, info } = createTokenWith(local().auth, { name: values.name, role: values.role, clusters: splitList(values.clusters), expiresInDays }, cliActor());
        io.err(`token ${info.name} (${info.role}) created, expires ${expiry(info)}; it is shown once:\n`);
        io.out(`${token}\n`);
        return 0;
      },
    },
    list: {
      synopsis: 'lvsctl token list [--config FILE]',
      run: ({ values, io, local }) => {
        if (values.expires !== undefined) throw new UsageError('--expires goes with token create');
        io.out('name\trole\tclusters\tcreated by\tcreated\tlast used\trevoked\texpires\n');
        for (const t of listTokensWith(local().auth, null)) {
          io.out(`${t.name}\t${t.role}\t${t.clusters?.join(',') ?? '*'}\t${t.createdBy}\t${when(t.createdAt)}\t${when(t.lastUsedAt)}\t${when(t.revokedAt)}\t${expiry(t)}\n`);
        }
        return 0;
      },
    },
    revoke: {
      synopsis: 'lvsctl token revoke NAME [--config FILE]',
      run: ({ values, args: [name], io, local }) => {
        if (!name) throw new UsageError('token revoke needs the token NAME');
        if (values.expires !== undefined) throw new UsageError('--expires goes with token create');
        revokeTokenWith(local().auth, name, cliActor());
        io.out(`revoked token ${name}\n`);
        return 0;
      },
    },
  },
  notes: `create prints the token once, on stdout; only its hash is kept. Send it as
"Authorization: Bearer TOKEN". It stops working after --expires days (default and
maximum: auth.tokenMaxDays, 365 unless configured).`,
});

export const runToken = (argv: string[], io: Io): Promise<number> => tokenCommand.runWith(argv, io);
