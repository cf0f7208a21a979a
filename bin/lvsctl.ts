// lvsctl: the command-line client. Subcommands live in bin/commands/<name>.ts, each exporting one
// LvsctlCommand; add a command by adding it to COMMANDS below. Exit codes: 0 ok, 2 usage or bad
// input, anything else is the command's own.

// Server modules (database, audit, auth) import 'server-only'; in this CLI that is allowed.
import './server-only-shim';
import { auditCommand } from './commands/audit';
import { backupCommand } from './commands/backup';
import { drainCommand, restoreCommand, weightCommand } from './commands/drain';
import { parseCommand } from './commands/parse';
import { historyCommand, hostCommand, servicesCommand, statusCommand } from './commands/read';
import { tokenCommand } from './commands/token';
import { userCommand } from './commands/user';

export interface LvsctlCommand {
  name: string;
  /** One line for `lvsctl help`. */
  summary: string;
  /** Full usage text, printed by `lvsctl help <name>` and on usage errors. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

export const COMMANDS: LvsctlCommand[] = [
  parseCommand,
  statusCommand,
  servicesCommand,
  hostCommand,
  historyCommand,
  drainCommand,
  restoreCommand,
  weightCommand,
  userCommand,
  tokenCommand,
  auditCommand,
  backupCommand,
];

function help(out: (s: string) => void): void {
  out('usage: lvsctl <command> [arguments]\n\ncommands:\n');
  const width = Math.max(4, ...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) out(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  out(`  ${'help'.padEnd(width)}  show this help, or a command's usage: lvsctl help <command>\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const stdout = (s: string) => void process.stdout.write(s);
  const stderr = (s: string) => void process.stderr.write(s);
  if (name === undefined || name === '-h' || name === '--help') {
    help(name === undefined ? stderr : stdout);
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const target = rest[0];
    if (target === undefined) {
      help(stdout);
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === target);
    if (!cmd) {
      stderr(`lvsctl: unknown command "${target}"\n`);
      help(stderr);
      return 2;
    }
    stdout(`${cmd.usage}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    stderr(`lvsctl: unknown command "${name}"\n`);
    help(stderr);
    return 2;
  }
  return cmd.run(rest);
}

// Run when executed as `tsx bin/lvsctl.ts` (npm run lvsctl); bin/lvsctl.mjs imports main() instead.
if (/lvsctl\.ts$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`lvsctl: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
