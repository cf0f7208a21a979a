// lvsctl: the command-line client. Commands live in bin/commands/<name>.ts, each exporting one
// LvsctlCommand (bin/commands/command.ts), listed in bin/commands/main.ts. Exit codes: 0 ok, 2 usage
// or bad input, anything else is the command's own.

// Server modules (database, audit, auth) import 'server-only'; in this CLI that is allowed.
import './server-only-shim';
import { main } from './commands/main';

export { main };

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
