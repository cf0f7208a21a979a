// lvsctl's command table and dispatcher. Help is answered here, from the table, for every command
// and subcommand (`lvsctl help CMD [SUB]`, `lvsctl CMD [SUB] -h|--help`) before a command sees its
// arguments; add a command by adding it to COMMANDS (its usage, and its subcommands' when it has
// verbs: main.test.ts walks them all).

import { auditCommand } from './audit';
import { backupCommand } from './backup';
import { helpText, wantsHelp, type LvsctlCommand } from './command';
import { directorCommand } from './director';
import { drainCommand, restoreCommand, weightCommand } from './drain';
import { parseCommand } from './parse';
import { historyCommand, hostCommand, servicesCommand, statusCommand } from './read';
import { rolloutCommand } from './rollout';
import { storeCommand } from './store';
import { tokenCommand } from './token';
import { userCommand } from './user';

export const COMMANDS: readonly LvsctlCommand[] = [
  parseCommand,
  statusCommand,
  servicesCommand,
  hostCommand,
  historyCommand,
  drainCommand,
  restoreCommand,
  weightCommand,
  directorCommand,
  rolloutCommand,
  userCommand,
  tokenCommand,
  auditCommand,
  backupCommand,
  storeCommand,
];

function help(out: (s: string) => void): void {
  out('usage: lvsctl <command> [arguments]\n\ncommands:\n');
  const width = Math.max(4, ...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) out(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  out(`  ${'help'.padEnd(width)}  show this help, or a command's usage: lvsctl help <command> [<subcommand>], lvsctl <command> --help\n`);
}

export interface MainIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const processIo: MainIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

export async function main(argv: string[], io: MainIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const { out, err } = io;
  if (name === undefined || name === '-h' || name === '--help') {
    help(name === undefined ? err : out);
    return name === undefined ? 2 : 0;
  }
  const target = name === 'help' ? rest[0] : name;
  if (target === undefined) {
    help(out);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === target);
  if (!cmd) {
    err(`lvsctl: unknown command "${target}"\n`);
    help(err);
    return 2;
  }
  // Help before the command sees its arguments: the same for every command and subcommand.
  if (name === 'help' || wantsHelp(rest)) {
    out(`${helpText(cmd, name === 'help' ? rest.slice(1) : rest)}\n`);
    return 0;
  }
  return cmd.run(rest);
}

