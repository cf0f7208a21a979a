// What every lvsctl command is made of: its entry in the command table (name, summary, usage, its
// subcommands' usage), the one usage-error type, option parsing, and help. Help is answered by the
// dispatcher (bin/lvsctl.ts) from this table before a command runs, so every command and subcommand
// answers -h and --help the same way, and none parses them itself.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Subcommand {
  name: string;
  /** What `lvsctl <command> <name> --help` prints. */
  usage: string;
}

export interface LvsctlCommand {
  name: string;
  /** One line for `lvsctl help`. */
  summary: string;
  /** Full usage text, printed by `lvsctl help <name>`, `lvsctl <name> --help` and on usage errors. */
  usage: string;
  /** Verbs (`lvsctl token create`): each answers --help with its own synopsis. */
  subcommands?: readonly Subcommand[];
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/** Bad arguments: the command prints the message and its usage, and exits 2. */
export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs, strict, with its errors turned into a UsageError (without node's hint about
 * positionals starting with '-', which names a syntax lvsctl users do not need).
 */
export function parseOptions<const O extends Options, const P extends boolean = false>(argv: string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, '') : String(e));
  }
}

/** -h or --help anywhere before a `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}

/** The usage to show for `lvsctl <cmd> ARGS --help`: the first subcommand named in ARGS, else the command's. */
export function helpText(cmd: LvsctlCommand, argv: readonly string[] = []): string {
  for (const a of argv) {
    const sub = cmd.subcommands?.find((s) => s.name === a);
    if (sub) return sub.usage;
  }
  return cmd.usage;
}

/**
 * The usage of a command made of subcommands, from one synopsis line each ("lvsctl token revoke
 * NAME [--config FILE]") and notes shared by all: the command's lists every synopsis, each
 * subcommand's its own, both followed by the notes.
 */
export function subcommandUsage(synopses: Record<string, string>, notes?: string): { usage: string; subcommands: Subcommand[] } {
  const tail = notes ? `\n\n${notes}` : '';
  return {
    usage: `usage:\n${Object.values(synopses).map((s) => `  ${s}`).join('\n')}${tail}`,
    subcommands: Object.entries(synopses).map(([name, s]) => ({ name, usage: `usage: ${s}${tail}` })),
  };
}
