// What the commands that work on this host's console database share (user, token, audit, backup):
// the console's configuration and database (LVS_CONSOLE_CONFIG or --config), the audit identity of
// the person running lvsctl, I/O that tests can replace, and one way to build a command of verbs.
import os from 'node:os';
import { text as streamText } from 'node:stream/consumers';
import { z } from 'zod';
import { ApiError } from '@/server/api/errors';
import { isDomainError } from '@/server/errors';
import { auditKeyForWriting, loadAuditKey } from '@/server/audit/key';
import { AuditLog, newestKeyedRow } from '@/server/audit/log';
import type { ChangedBy } from '@/server/api/admin';
import { createAuthService, type AuthService } from '@/server/auth/service';
import { describeIssues, loadConfigFile, readEnvironment } from '@/server/config/load';
import type { ConsoleConfig } from '@/server/config/schema';
import { openStore, type Db } from '@/server/db';
import { parseOptions, subcommandUsage, UsageError, type LvsctlCommand, type Options } from './command';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** All of stdin (for passwords: never on the command line, where `ps` and shell history see it). */
  readStdin: () => Promise<string>;
  /** True when stdin is a terminal (then the password is prompted for, unechoed). */
  stdinIsTty: boolean;
  promptHidden: (prompt: string) => Promise<string>;
}

export const processIo: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  readStdin: () => streamText(process.stdin),
  stdinIsTty: process.stdin.isTTY,
  promptHidden: (prompt) =>
    new Promise((resolve, reject) => {
      const stdin = process.stdin;
      process.stderr.write(prompt);
      stdin.setRawMode(true);
      stdin.resume();
      let value = '';
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            done();
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            done();
            reject(new UsageError('cancelled'));
            return;
          }
          if (ch === '\u007f') value = value.slice(0, -1);
          else value += ch;
        }
      };
      const done = () => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        process.stderr.write('\n');
      };
      stdin.on('data', onData);
    }),
};

export interface Local {
  config: ConsoleConfig;
  db: Db;
  auth: AuthService;
  audit: AuditLog;
  close: () => void;
}

/**
 * The console's configuration and database on this host. `key`: 'create' (commands that write
 * audit rows: the audit key is read, or made as the console would), 'read' (verifying: a missing
 * key file stays missing), 'none' (listing needs no key).
 */
export function openLocal(configPath: string | undefined, key: 'create' | 'read' | 'none' = 'create'): Local {
  const config = loadConfigFile(configPath ?? readEnvironment().configPath);
  const db = openStore(config);
  let auditKey;
  try {
    auditKey = key === 'none' ? null : key === 'read' ? loadAuditKey(config, { create: false }) : auditKeyForWriting(config, newestKeyedRow(db));
  } catch (e) {
    db.close();
    throw e;
  }
  const audit = new AuditLog(db, { key: auditKey });
  return { config, db, audit, auth: createAuthService(config.auth, db, audit), close: () => db.close() };
}

/** The person running lvsctl, as the audit log names them. */
export function cliActor(): ChangedBy {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  // The console host's own user: every cluster (whoever can run lvsctl here can read the database).
  return { name: `cli:${user}`, role: null, source: `local:${os.hostname()}`, clusters: null };
}

/** A password: prompted twice on a terminal, else the first line of stdin. */
export async function readPassword(io: Io, confirm: boolean): Promise<string> {
  if (io.stdinIsTty) {
    const a = await io.promptHidden('Password: ');
    if (confirm && (await io.promptHidden('Again: ')) !== a) throw new UsageError('the passwords differ');
    return a;
  }
  const first = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (first === '') throw new UsageError('no password on stdin (pipe it in: printf %s "$PW" | lvsctl ...)');
  return first;
}

/** Runs a command body, turning the errors it may throw into a message and an exit code. */
export async function guard(io: Io, name: string, usage: string, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lvsctl ${name}: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    // Classic zod's ZodError and zod/mini's (lib/models schemas) are both $ZodErrors.
    if (e instanceof z.core.$ZodError) {
      io.err(`lvsctl ${name}: ${describeIssues(e.issues)}\n`);
      return 2;
    }
    if (isDomainError(e)) {
      io.err(`lvsctl ${name}: ${e.message}\n`);
      return e.kind === 'not-found' || e.kind === 'conflict' ? 1 : 2;
    }
    if (e instanceof ApiError) {
      io.err(`lvsctl ${name}: ${e.message}\n`);
      return e.code === 'not-found' || e.code === 'conflict' ? 1 : 2;
    }
    io.err(`lvsctl ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

export function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

type Values<O extends Options> = ReturnType<typeof parseOptions<O, true>>['values'];

export interface VerbContext<V> {
  values: V;
  /** The arguments after the verb. */
  args: string[];
  io: Io;
  /**
   * The console's configuration and database on this host: opened on first use, closed when the
   * verb ends. `key`: how the audit key is needed (default 'create': a verb that writes audit rows).
   */
  local: (key?: 'create' | 'read' | 'none') => Local;
}

export interface Verb<V> {
  /** "lvsctl token revoke NAME [--config FILE]" */
  synopsis: string;
  run: (ctx: VerbContext<V>) => Promise<number> | number;
}

export interface LocalCommand extends LvsctlCommand {
  /** run() with the given I/O (tests). */
  runWith(argv: string[], io: Io): Promise<number>;
}

/**
 * `lvsctl NAME VERB [ARG...] [--options]`: parses the options (shared by every verb), refuses an
 * unknown verb or more than `maxArgs` arguments after it, runs the verb and closes the database it
 * opened. Usage errors exit 2 with the usage; other failures as guard() says.
 */
export function localCommand<const O extends Options>(spec: {
  name: string;
  summary: string;
  options: O;
  maxArgs: number;
  /** Checks that apply whatever the verb, made before it is looked at. */
  check?: (values: Values<O>) => void;
  verbs: Record<string, Verb<Values<O>>>;
  notes?: string;
}): LocalCommand {
  const names = Object.keys(spec.verbs);
  const { usage, subcommands } = subcommandUsage(Object.fromEntries(Object.entries(spec.verbs).map(([n, v]) => [n, v.synopsis])), spec.notes);
  const say = `say ${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
  const runWith = (argv: string[], io: Io): Promise<number> =>
    guard(io, spec.name, usage, async () => {
      const { values, positionals } = parseOptions(argv, spec.options, true);
      spec.check?.(values);
      const [verbName, ...args] = positionals;
      if (args.length > spec.maxArgs) throw new UsageError(`unexpected argument "${args[spec.maxArgs] ?? ''}"`);
      const verb = verbName !== undefined && Object.hasOwn(spec.verbs, verbName) ? spec.verbs[verbName] : undefined;
      if (!verb) throw new UsageError(verbName ? `unknown verb "${verbName}"` : say);
      let opened: Local | null = null;
      const config = (values as { config?: unknown }).config;
      try {
        return await verb.run({ values, args, io, local: (key) => (opened ??= openLocal(typeof config === 'string' ? config : undefined, key)) });
      } finally {
        (opened as Local | null)?.close();
      }
    });
  return { name: spec.name, summary: spec.summary, usage, subcommands, run: (argv) => runWith(argv, processIo), runWith };
}
