// `lvsctl user add|list|remove|hash`: local accounts in the console's database (or a hash for the
// configuration file). Passwords come from a terminal prompt or stdin, never from argv.
import { parseArgs } from 'node:util';
import { addUserWith, listUsersWith, removeUserWith } from '@/server/auth/admin';
import { hashPassword } from '@/server/auth/password';
import type { LvsctlCommand } from '../lvsctl';
import { cliActor, guard, openLocal, processIo, readPassword, splitList, UsageError, type Io } from './local';

const USAGE = `usage:
  lvsctl user add NAME --role viewer|operator|admin [--clusters a,b] [--password-stdin] [--config FILE]
  lvsctl user list [--config FILE]
  lvsctl user remove NAME [--config FILE]
  lvsctl user hash [--password-stdin]     print a password hash for auth.users[].passwordHash

The password is prompted for on a terminal, or read from the first line of stdin
(printf %s "$PW" | lvsctl user add ...). It is never taken from the command line.`;

export async function runUser(argv: string[], io: Io): Promise<number> {
  return guard(io, 'user', USAGE, async () => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { role: { type: 'string' }, clusters: { type: 'string' }, config: { type: 'string' }, 'password-stdin': { type: 'boolean' }, password: { type: 'string' } },
    });
    if (values.password !== undefined) throw new UsageError('--password is not accepted: a password on the command line is visible to every user (ps, shell history); use --password-stdin');
    const [verb, name, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (verb === 'hash') {
      io.out(`${await hashPassword(await readPassword(io, true))}\n`);
      return 0;
    }
    if (verb !== 'add' && verb !== 'list' && verb !== 'remove') throw new UsageError(verb ? `unknown verb "${verb}"` : 'say add, list, remove or hash');
    if (verb !== 'list' && !name) throw new UsageError(`user ${verb} needs a NAME`);
    const local = openLocal(values.config);
    try {
      if (verb === 'list') {
        for (const u of listUsersWith(local.auth, null)) io.out(`${u.name}\t${u.role}\t${u.clusters?.join(',') ?? '*'}\t${u.from}\n`);
        return 0;
      }
      if (verb === 'remove') {
        removeUserWith(local.auth, name ?? '', cliActor());
        io.out(`removed user ${name} (and ended their sessions)\n`);
        return 0;
      }
      if (!values.role) throw new UsageError('user add needs --role viewer|operator|admin');
      const password = await readPassword(io, true);
      const u = await addUserWith(local.auth, { name, password, role: values.role, clusters: splitList(values.clusters) }, cliActor());
      io.out(`added user ${u.name} (${u.role}${u.clusters ? ` on ${u.clusters.join(', ')}` : ''})\n`);
      return 0;
    } finally {
      local.close();
    }
  });
}

export const userCommand: LvsctlCommand = {
  name: 'user',
  summary: 'add, list or remove console accounts; print a password hash for the config',
  usage: USAGE,
  run: (argv) => runUser(argv, processIo),
};
