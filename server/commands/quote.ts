// How an argv becomes the one string an SSH exec request carries, and how a command is shown to an
// operator. Pure; used by server/ssh/exec.ts (what runs) and server/drain/plan.ts (what a plan shows).
//
// argv becomes the remote string by POSIX single-quoting every argument ('…', with ' written as
// '\''), never by interpolation; NUL cannot be represented and is refused.

export const SUDO_PREFIX = ['sudo', '-n', '--'] as const;

/** POSIX shell single-quoting of one argument. Throws on NUL, which no shell string can carry. */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('an argument contains a NUL byte, which cannot be passed to a remote command');
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The exact command string for argv: every argument quoted. */
export function toRemoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('empty argv');
  return argv.map(shQuote).join(' ');
}

/** How a command looks to an operator (quotes only where needed). Display only, never sent. */
export function displayCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9@%+=:,./_-]+$/.test(a) ? a : shQuote(a))).join(' ');
}

/** argv as run: behind `sudo -n --` (root), `sudo -n -u USER --` (another user), or bare. */
export function fullArgv(argv: readonly string[], sudo: boolean, runAs?: string): readonly string[] {
  if (runAs !== undefined) return ['sudo', '-n', '-u', runAs, '--', ...argv];
  return sudo ? [...SUDO_PREFIX, ...argv] : argv;
}
