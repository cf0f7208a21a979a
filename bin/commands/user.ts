// `lvsctl user add|list|remove|hash`: local accounts in the console's database (or a hash for the
// configuration file). Passwords come from a terminal prompt or stdin, never from argv.
import { addUserWith, listUsersWith, removeUserWith } from '@/server/api/admin';
import { hashPassword } from '@/server/auth/password';
import { UsageError } from './command';
import { cliActor, localCommand, readPassword, splitList, type Io } from './local';

export const userCommand = localCommand({
  name: 'user',
  summary: 'add, list or remove console accounts; print a password hash for the config',
  options: { role: { type: 'string' }, clusters: { type: 'string' }, config: { type: 'string' }, 'password-stdin': { type: 'boolean' }, password: { type: 'string' } },
  maxArgs: 1,
  check: (values) => {
    if (values.password !== undefined) throw new UsageError('--password is not accepted: a password on the command line is visible to every user (ps, shell history); use --password-stdin');
  },
  verbs: {
    add: {
      synopsis: 'lvsctl user add NAME --role viewer|operator|admin [--clusters a,b] [--password-stdin] [--config FILE]',
      run: async ({ values, args: [name], io, local }) => {
        if (!name) throw new UsageError('user add needs a NAME');
        const auth = local().auth;
        if (!values.role) throw new UsageError('user add needs --role viewer|operator|admin');
        const password = await readPassword(io, true);
        const u = await addUserWith(auth, { name, password, role: values.role, clusters: splitList(values.clusters) }, cliActor());
        io.out(`added user ${u.name} (${u.role}${u.clusters ? ` on ${u.clusters.join(', ')}` : ''})\n`);
        return 0;
      },
    },
    list: {
      synopsis: 'lvsctl user list [--config FILE]',
      run: ({ io, local }) => {
        for (const u of listUsersWith(local().auth, null)) io.out(`${u.name}\t${u.role}\t${u.clusters?.join(',') ?? '*'}\t${u.from}\n`);
        return 0;
      },
    },
    remove: {
      synopsis: 'lvsctl user remove NAME [--config FILE]',
      run: ({ args: [name], io, local }) => {
        if (!name) throw new UsageError('user remove needs a NAME');
        removeUserWith(local().auth, name, cliActor());
        io.out(`removed user ${name} (and ended their sessions)\n`);
        return 0;
      },
    },
    hash: {
      synopsis: 'lvsctl user hash [--password-stdin]     print a password hash for auth.users[].passwordHash',
      run: async ({ io }) => {
        io.out(`${await hashPassword(await readPassword(io, true))}\n`);
        return 0;
      },
    },
  },
  notes: `The password is prompted for on a terminal, or read from the first line of stdin
(printf %s "$PW" | lvsctl user add ...). It is never taken from the command line.`,
});

export const runUser = (argv: string[], io: Io): Promise<number> => userCommand.runWith(argv, io);
