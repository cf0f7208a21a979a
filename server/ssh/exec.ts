import 'server-only';
import { randomBytes } from 'node:crypto';
import type { DirectorConfig } from '../config/schema';
import type { CatalogueCommand } from '../commands/catalogue';
import { displayCommand, fullArgv, toRemoteCommand } from '../commands/quote';
import type { ChannelPriority, RunRequest, StreamStats } from './connection';
import { DirectorError, type CommandRef } from './errors';
import { getSshPool, type SshPool } from './pool';

// THE one door to a director, so that every command sent is a known, validated catalogue entry
// and every failure comes back as one DirectorError. The rest of the app calls `exec` / `execSequence` /
// `execStream` with catalogue commands only; `execRaw` (any argv) is for tests.
//
// An SSH exec request carries ONE string that the remote login shell parses: argv quoted by
// server/commands/quote.ts.

export interface ExecOptions {
  /** Whole-call limit: waiting for a channel plus running (default ssh.commandTimeoutMs). */
  timeoutMs?: number;
  /** Cap on stdout+stderr bytes (default the pool's, 64 MiB). */
  maxOutputBytes?: number;
  /** The pool to use (default the app-wide one). */
  pool?: SshPool;
  /**
   * 'low' for reads on behalf of viewers (drain progress, HAProxy views, diagnostics): they share
   * at most max-2 of a director's channels and yield freed channels to normal commands, so the
   * collector's refreshes and operators' changes always find one. Default 'normal'.
   */
  priority?: ChannelPriority;
}

export interface RawExecOptions extends ExecOptions {
  stdin?: string | Buffer;
  /** Prefix `sudo -n --` (regardless of the director's `sudo` setting). */
  sudo?: boolean;
  /** Exit codes that are not failures (default [0]). */
  okExitCodes?: readonly number[];
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

/** Does this stderr say that sudo refused (rather than the command failing)? */
export function isSudoRefusal(stderr: string): boolean {
  return (
    /^sudo: (?:a password is required|a terminal is required|sorry, you must have a tty|no tty present)/im.test(stderr) ||
    /^Sorry, user \S+ (?:is not allowed to execute|may not run sudo)/im.test(stderr) ||
    /is not in the sudoers file/i.test(stderr) ||
    /^sudo: unknown user/im.test(stderr) ||
    /^sudo: .*(?:not allowed|permission denied|account validation failure)/im.test(stderr)
  );
}

interface Prepared {
  ref: CommandRef;
  full: readonly string[];
  sudo: boolean;
}

/** sudo: root through sudo; runAs: another user through sudo (both: refusals are sudo-refused). */
function prepare(argv: readonly string[], sudo: boolean, runAs?: string): Prepared {
  const full = fullArgv(argv, sudo, runAs);
  return { ref: { argv, display: displayCommand(full) }, full, sudo: sudo || runAs !== undefined };
}

function prepareCommand(director: DirectorConfig, command: CatalogueCommand): Prepared {
  return prepare(command.argv, usesSudo(director, command), command.runAs);
}

/** Extra time the director-side watchdog gives a command beyond the console's own limit. */
const REMOTE_TIMEOUT_MARGIN_S = 1;

/**
 * The string sent for one command: `exec timeout -k 5 SECS <quoted argv>`.
 * `exec` makes the command replace the login shell, so an SSH signal request (sent when our
 * timer fires) reaches it directly. But sshd refuses signal requests in sessions without
 * post-auth privilege separation (root logins), and a dead link delivers nothing, so
 * coreutils `timeout` on the director is the backstop: it kills the command's whole process
 * group (sudo relays the signal to its child) shortly after the console gave up. It wraps
 * `sudo`, never runs under it, so the directors' sudoers is unaffected.
 */
export function remoteCommand(full: readonly string[], timeoutMs: number): string {
  const secs = Math.ceil(timeoutMs / 1000) + REMOTE_TIMEOUT_MARGIN_S;
  return `exec ${toRemoteCommand(['timeout', '-k', '5', String(secs), ...full])}`;
}

/** Turn an exit status into the result or the typed error. */
function classify(
  director: DirectorConfig,
  p: Prepared,
  exitCode: number | null,
  signal: string | null,
  stderr: string,
  okExitCodes: readonly number[],
): DirectorError | null {
  if (exitCode !== null && okExitCodes.includes(exitCode)) return null;
  const target = { director: director.name, host: director.host, port: director.port, user: director.user };
  if (p.sudo && exitCode === 1 && isSudoRefusal(stderr)) {
    return new DirectorError({ code: 'sudo-refused', target, command: p.ref, exitCode, stderr });
  }
  return new DirectorError({ code: 'command-failed', target, command: p.ref, exitCode, signal, stderr });
}

async function runPrepared(
  director: DirectorConfig,
  p: Prepared,
  opts: ExecOptions & { stdin?: string | Buffer | undefined; okExitCodes?: readonly number[] | undefined },
): Promise<ExecResult> {
  const pool = opts.pool ?? getSshPool();
  const timeoutMs = opts.timeoutMs ?? pool.tuning.commandTimeoutMs;
  const req: RunRequest = {
    command: p.ref,
    remote: remoteCommand(p.full, timeoutMs),
    stdin: opts.stdin,
    timeoutMs,
    maxOutputBytes: opts.maxOutputBytes,
    priority: opts.priority,
  };
  const r = await pool.connection(director).run(req);
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  const e = classify(director, p, r.exitCode, r.signal, stderr, opts.okExitCodes ?? [0]);
  if (e) throw e;
  return { stdout, stderr, exitCode: r.exitCode ?? 0, durationMs: r.durationMs };
}

/** Does this director run this command through sudo? (needs root, and the director says sudo) */
export function usesSudo(director: DirectorConfig, command: CatalogueCommand): boolean {
  return command.sudo && director.sudo;
}

/**
 * Run one catalogue command on a director. Resolves for an accepted exit code (0, or the
 * command's okExitCodes); otherwise throws DirectorError (command-failed, sudo-refused,
 * command-timeout, output-too-large, or a connection code).
 */
export async function exec(director: DirectorConfig, command: CatalogueCommand, opts: ExecOptions = {}): Promise<ExecResult> {
  return await runPrepared(director, prepareCommand(director, command), {
    ...opts,
    stdin: command.stdin,
    okExitCodes: command.okExitCodes,
  });
}

/** Any argv. For tests and diagnostics only: application code goes through the catalogue. */
export async function execRaw(director: DirectorConfig, argv: readonly string[], opts: RawExecOptions = {}): Promise<ExecResult> {
  return await runPrepared(director, prepare(argv, opts.sudo ?? false), opts);
}

// ------------------------------------------------------------------ sequences

export interface StepResult {
  command: CatalogueCommand;
  stdout: string;
  stderr: string;
  /** null when the step did not report (the sequence was cut short). */
  exitCode: number | null;
  /** The step's failure as a value (command-failed, sudo-refused...), null when it succeeded. */
  error: DirectorError | null;
}

export interface SequenceResult {
  steps: StepResult[];
  durationMs: number;
}

/**
 * The wire format (the script runs as `exec timeout -k 5 SECS sh -c SCRIPT`). For a random nonce N (24 hex digits, split into halves A and B so the
 * script's own text never contains N), step i is emitted as
 *
 *   printf '\n@@%s%s:B:%d\n' 'A' 'B' i; printf '\n@@%s%s:B:%d\n' 'A' 'B' i >&2
 *   <step i, quoted argv> </dev/null
 *   printf '\n@@%s%s:E:%d:%s\n' 'A' 'B' i "$?"; printf '\n@@%s%s:E:%d\n' 'A' 'B' i >&2
 *
 * so stdout holds "\n@@N:B:i\n" OUT "\n@@N:E:i:RC\n" and stderr "\n@@N:B:i\n" ERR "\n@@N:E:i\n".
 * The leading "\n" of each marker belongs to the marker, so OUT and ERR are byte-exact.
 * Steps run one after another whatever their exit codes (no `set -e`).
 */
export function buildSequenceScript(steps: readonly Prepared[], nonce: string): string {
  const a = nonce.slice(0, nonce.length / 2);
  const b = nonce.slice(nonce.length / 2);
  const lines: string[] = [];
  steps.forEach((s, i) => {
    lines.push(
      `printf '\\n@@%s%s:B:%d\\n' '${a}' '${b}' ${i}; printf '\\n@@%s%s:B:%d\\n' '${a}' '${b}' ${i} >&2`,
      `${toRemoteCommand(s.full)} </dev/null`,
      `printf '\\n@@%s%s:E:%d:%s\\n' '${a}' '${b}' ${i} "$?"; printf '\\n@@%s%s:E:%d\\n' '${a}' '${b}' ${i} >&2`,
    );
  });
  return lines.join('\n');
}

interface Section {
  text: string;
  rc: number | null;
}

/** Split one stream of a sequence back into per-step sections; missing steps are null. */
export function splitSequenceOutput(text: string, nonce: string, count: number, withRc: boolean): Array<Section | null> {
  const res: Array<Section | null> = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const begin = `\n@@${nonce}:B:${i}\n`;
    const b = text.indexOf(begin, pos);
    if (b === -1) {
      res.push(null);
      continue;
    }
    const start = b + begin.length;
    const endMark = withRc ? `\n@@${nonce}:E:${i}:` : `\n@@${nonce}:E:${i}\n`;
    const e = text.indexOf(endMark, start);
    if (e === -1) {
      res.push({ text: text.slice(start), rc: null });
      pos = text.length;
      continue;
    }
    let rc: number | null = null;
    let next = e + endMark.length;
    if (withRc) {
      const nl = text.indexOf('\n', next);
      const digits = text.slice(next, nl === -1 ? undefined : nl);
      rc = /^\d{1,3}$/.test(digits) ? Number(digits) : null;
      next = nl === -1 ? text.length : nl + 1;
    }
    res.push({ text: text.slice(start, e), rc });
    pos = next;
  }
  return res;
}

/**
 * Run a fixed list of catalogue commands in ONE exec round trip (one channel, one shell),
 * each with its own sudo, and split the output back per step. One step failing does not
 * stop the others: its failure is in `steps[i].error`. Throws only when the whole
 * round trip fails (connection, timeout, output cap).
 */
export async function execSequence(director: DirectorConfig, steps: readonly CatalogueCommand[], opts: ExecOptions = {}): Promise<SequenceResult> {
  if (steps.length === 0) return { steps: [], durationMs: 0 };
  for (const s of steps) {
    if (s.stdin !== undefined) throw new TypeError(`execSequence: step ${s.name} reads stdin; run it with exec()`);
  }
  const prepared = steps.map((s) => prepareCommand(director, s));
  const nonce = randomBytes(12).toString('hex');
  const script = buildSequenceScript(prepared, nonce);
  const pool = opts.pool ?? getSshPool();
  const ref: CommandRef = {
    argv: ['sh', '-c', `(${steps.length} steps)`],
    display: `sequence of ${steps.length}: ${prepared.map((p) => p.ref.display).join('; ')}`,
  };
  const timeoutMs = opts.timeoutMs ?? pool.tuning.commandTimeoutMs;
  const r = await pool.connection(director).run({
    command: ref,
    // One `sh -c` under the same director-side watchdog as single commands.
    remote: remoteCommand(['sh', '-c', script], timeoutMs),
    timeoutMs,
    maxOutputBytes: opts.maxOutputBytes,
    priority: opts.priority,
  });
  const outs = splitSequenceOutput(r.stdout.toString('utf8'), nonce, steps.length, true);
  const errs = splitSequenceOutput(r.stderr.toString('utf8'), nonce, steps.length, false);
  const target = { director: director.name, host: director.host, port: director.port, user: director.user };
  const results = steps.map((command, i): StepResult => {
    const p = prepared[i] as Prepared;
    const o = outs[i] ?? null;
    const stderr = errs[i]?.text ?? '';
    const exitCode = o?.rc ?? null;
    let error: DirectorError | null = null;
    if (exitCode === null) {
      error = new DirectorError({ code: 'disconnected', target, command: p.ref, stderr, detail: 'the step did not report an exit status' });
    } else {
      error = classify(director, p, exitCode, null, stderr, command.okExitCodes);
    }
    return { command, stdout: o?.text ?? '', stderr, exitCode, error };
  });
  return { steps: results, durationMs: r.durationMs };
}

// ------------------------------------------------------------------ streaming

export interface ExecStream extends AsyncIterable<string> {
  /** Bytes and lines consumed so far, and bytes waiting in the buffer. */
  readonly stats: StreamStats;
}

/**
 * Run one catalogue command and yield stdout lines (without "\n") as they are consumed:
 * SSH flow control stops the director's output while the consumer is busy, so memory stays
 * bounded (about one SSH window, 2 MiB, plus one stream buffer). Breaking out of the loop
 * stops the remote command. A non-accepted exit code throws after the last line.
 */
export function execStream(
  director: DirectorConfig,
  command: CatalogueCommand,
  opts: ExecOptions = {},
): ExecStream {
  return streamPrepared(director, prepareCommand(director, command), command.okExitCodes, opts, command.stdin);
}

/** execStream for any argv: tests only. */
export function execStreamRaw(director: DirectorConfig, argv: readonly string[], opts: RawExecOptions = {}): ExecStream {
  return streamPrepared(director, prepare(argv, opts.sudo ?? false), opts.okExitCodes ?? [0], opts, opts.stdin);
}

function streamPrepared(
  director: DirectorConfig,
  p: Prepared,
  okExitCodes: readonly number[],
  opts: ExecOptions,
  stdin: string | Buffer | undefined,
): ExecStream {
  const pool = opts.pool ?? getSshPool();
  // Streams are long by nature: default to 10x the command timeout.
  const timeoutMs = opts.timeoutMs ?? pool.tuning.commandTimeoutMs * 10;
  const inner = pool.connection(director).stream({ command: p.ref, remote: remoteCommand(p.full, timeoutMs), stdin, timeoutMs, priority: opts.priority });
  async function* lines(): AsyncGenerator<string, void, undefined> {
    yield* inner;
    const x = inner.exit;
    if (x) {
      const e = classify(director, p, x.exitCode, x.signal, x.stderr, okExitCodes);
      if (e) throw e;
    }
  }
  return { stats: inner.stats, [Symbol.asyncIterator]: () => lines() };
}
