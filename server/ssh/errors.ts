import 'server-only';

// The one error a remote call can end with, so callers handle one shape and the API maps one set of
// codes.
// A closed list of codes; each instance names the director, where it is, the command
// (when one was involved) and what the director said, in a message an operator can act
// on at 3 a.m. without reading code. Map `code` to an HTTP status in the API error table.

export const DIRECTOR_ERROR_CODES = [
  'host-key-mismatch',
  'host-key-unknown',
  'auth-failed',
  'connect-timeout',
  'connect-refused',
  /** DNS, no route, handshake/protocol failure, or any other failure to connect. */
  'unreachable',
  /** The connection was lost while a command was running (or was about to run). */
  'disconnected',
  'command-timeout',
  /** The command ran and exited non-zero (or was killed by a signal). */
  'command-failed',
  /** `sudo -n` refused: a password is required, or the user may not run this command. */
  'sudo-refused',
  'channel-open-failed',
  'output-too-large',
] as const;
export type DirectorErrorCode = (typeof DIRECTOR_ERROR_CODES)[number];

/** Codes that describe a connection problem worth retrying later without a config change. */
const TRANSIENT: ReadonlySet<DirectorErrorCode> = new Set<DirectorErrorCode>([
  'connect-timeout',
  'connect-refused',
  'unreachable',
  'disconnected',
  'channel-open-failed',
]);

/** Where a command was (to be) run. */
export interface DirectorTarget {
  director: string;
  host: string;
  port: number;
  user: string;
  /** Set when the failure concerns the jump host rather than the director itself. */
  jumpHost?: { host: string; port: number; user: string } | undefined;
}

/** A command as argv (what was asked) and as a display string (what an operator would type). */
export interface CommandRef {
  argv: readonly string[];
  display: string;
}

export interface DirectorErrorInit {
  code: DirectorErrorCode;
  target: DirectorTarget;
  command?: CommandRef | null;
  exitCode?: number | null;
  signal?: string | null;
  stderr?: string;
  /** Host-key errors: the fingerprint(s) the console trusts for this host (none if unknown). */
  expectedFingerprints?: readonly string[];
  /** Host-key errors: the fingerprint the host presented. */
  presentedFingerprint?: string | null;
  /** Host-key errors: where trust came from, e.g. "hostKey in the config" or a known_hosts path. */
  trustSource?: string;
  /** Which host a connect-phase failure concerns (default: the director). */
  side?: 'director' | 'jump-host';
  /** Free text with the underlying cause (socket error, ssh2 message, timeout value...). */
  detail?: string;
  cause?: unknown;
}

const STDERR_KEEP_HEAD = 3000;
const STDERR_KEEP_TAIL = 1000;

/** Keep the start (where sudo and most tools say what went wrong) and the end of long stderr. */
export function truncateStderr(s: string): string {
  if (s.length <= STDERR_KEEP_HEAD + STDERR_KEEP_TAIL + 40) return s;
  const dropped = s.length - STDERR_KEEP_HEAD - STDERR_KEEP_TAIL;
  return `${s.slice(0, STDERR_KEEP_HEAD)}\n… [${dropped} characters cut] …\n${s.slice(-STDERR_KEEP_TAIL)}`;
}

function firstLines(s: string, n = 3, max = 300): string {
  const t = s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(0, n)
    .join(' / ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function whereLabel(t: DirectorTarget): string {
  const base = `${t.director} (${fmtHostPort(t.host, t.port)})`;
  return t.jumpHost ? `${base} via jump host ${t.jumpHost.user}@${fmtHostPort(t.jumpHost.host, t.jumpHost.port)}` : base;
}

export function fmtHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function buildMessage(i: DirectorErrorInit): string {
  const where = whereLabel(i.target);
  const cmd = i.command ? `\`${i.command.display.length > 200 ? `${i.command.display.slice(0, 200)}…` : i.command.display}\`` : 'the command';
  const detail = i.detail ? ` (${i.detail})` : '';
  const stderrLine = i.stderr ? firstLines(i.stderr) : '';
  const expected = (i.expectedFingerprints ?? []).join(' or ') || '(none)';
  const presented = i.presentedFingerprint ?? '(unknown)';
  const keyHost =
    i.side === 'jump-host' && i.target.jumpHost ? `jump host ${fmtHostPort(i.target.jumpHost.host, i.target.jumpHost.port)}` : 'director';
  const who = i.side === 'jump-host' && i.target.jumpHost ? i.target.jumpHost.user : i.target.user;
  switch (i.code) {
    case 'host-key-mismatch': {
      const src = i.trustSource ?? 'hostKey in the config';
      return (
        `${where}: host key mismatch: expected ${expected}, presented ${presented}${detail} — nothing was sent. ` +
        `If the ${keyHost} was reinstalled, verify the new key out of band (on its console: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) ` +
        `and update ${src}; otherwise treat this as a possible man-in-the-middle`
      );
    }
    case 'host-key-unknown':
      return (
        `${where}: host key unknown: ${presented} is not listed in ${i.trustSource ?? 'known_hosts'} for this host${detail} — nothing was sent. ` +
        `Verify it out of band, then add it (ssh-keyscan -p PORT HOST >> known_hosts) or pin it as hostKey in the config`
      );
    case 'auth-failed':
      return (
        `${where}: authentication failed for user ${who} on the ${keyHost}${detail} — check that the console's public key is in ` +
        `~${who}/.ssh/authorized_keys on the ${keyHost} and that privateKeyPath / the agent hold the matching key`
      );
    case 'connect-timeout':
      return `${where}: no SSH handshake within the connect timeout${detail} — the host may be down, firewalled or overloaded; retrying with backoff`;
    case 'connect-refused':
      return `${where}: connection refused${detail} — nothing listens on that port (sshd stopped, or wrong port); retrying with backoff`;
    case 'unreachable':
      return `${where}: unreachable${detail} — check the host name, routing and firewalls; retrying with backoff`;
    case 'disconnected':
      return i.command
        ? `${where}: connection lost while running ${cmd}${detail} — unless it says it was not sent, it may or may not have taken effect; the console reconnects by itself`
        : `${where}: connection lost${detail} — the console reconnects by itself`;
    case 'command-timeout':
      return `${where}: ${cmd} did not finish in time${detail}; it was stopped (TERM sent, channel closed) and may have partly taken effect`;
    case 'command-failed': {
      const how = i.signal ? `was killed by signal ${i.signal}` : `failed with exit code ${i.exitCode ?? '?'}`;
      return `${where}: ${cmd} ${how}${stderrLine ? `: ${stderrLine}` : ''}${detail}`;
    }
    case 'sudo-refused':
      return (
        `${where}: sudo refused ${cmd} for user ${i.target.user}${stderrLine ? `: "${stderrLine}"` : ''} — ` +
        `allow exactly this command with NOPASSWD in /etc/sudoers.d/ on the director`
      );
    case 'channel-open-failed':
      return `${where}: could not open an SSH channel for ${cmd}${detail} — sshd's MaxSessions may be lower than ssh.maxChannelsPerDirector`;
    case 'output-too-large':
      return `${where}: ${cmd} printed more output than the console accepts${detail}; it was stopped — use the streaming variant for this command`;
  }
}

export class DirectorError extends Error {
  override readonly name = 'DirectorError';
  readonly code: DirectorErrorCode;
  /** Director name from the config. */
  readonly director: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** "host:port" ("[v6]:port"). */
  readonly address: string;
  readonly jumpHost: DirectorTarget['jumpHost'] | null;
  /** The argv asked for (before sudo was added), or null when no command was involved. */
  readonly command: readonly string[] | null;
  /** The command as it was sent, for display (with the sudo prefix if any). */
  readonly commandText: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The command's stderr, truncated. */
  readonly stderr: string;
  readonly expectedFingerprints: readonly string[];
  readonly presentedFingerprint: string | null;
  readonly trustSource: string | null;
  readonly side: 'director' | 'jump-host';
  readonly detail: string | null;
  /** True when retrying later without changing anything may succeed. */
  readonly transient: boolean;

  constructor(init: DirectorErrorInit) {
    super(buildMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.director = init.target.director;
    this.host = init.target.host;
    this.port = init.target.port;
    this.user = init.target.user;
    this.address = fmtHostPort(init.target.host, init.target.port);
    this.jumpHost = init.target.jumpHost ?? null;
    this.command = init.command?.argv ?? null;
    this.commandText = init.command?.display ?? null;
    this.exitCode = init.exitCode ?? null;
    this.signal = init.signal ?? null;
    this.stderr = truncateStderr(init.stderr ?? '');
    this.expectedFingerprints = init.expectedFingerprints ?? [];
    this.presentedFingerprint = init.presentedFingerprint ?? null;
    this.trustSource = init.trustSource ?? null;
    this.side = init.side ?? 'director';
    this.detail = init.detail ?? null;
    this.transient = TRANSIENT.has(init.code);
  }

  /** The same error re-addressed to another command (a connect failure seen by a queued exec). */
  withCommand(command: CommandRef | null, extraDetail?: string): DirectorError {
    return new DirectorError({
      code: this.code,
      target: {
        director: this.director,
        host: this.host,
        port: this.port,
        user: this.user,
        jumpHost: this.jumpHost ?? undefined,
      },
      command,
      exitCode: this.exitCode,
      signal: this.signal,
      stderr: this.stderr,
      expectedFingerprints: this.expectedFingerprints,
      presentedFingerprint: this.presentedFingerprint,
      trustSource: this.trustSource ?? undefined,
      side: this.side,
      detail: [this.detail, extraDetail].filter((s): s is string => !!s).join('; ') || undefined,
      cause: this.cause,
    });
  }

  /** A plain object for API responses and logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      director: this.director,
      address: this.address,
      user: this.user,
      jumpHost: this.jumpHost,
      command: this.command,
      commandText: this.commandText,
      exitCode: this.exitCode,
      signal: this.signal,
      stderr: this.stderr,
      expectedFingerprints: this.expectedFingerprints,
      presentedFingerprint: this.presentedFingerprint,
      side: this.side,
      transient: this.transient,
    };
  }
}

/** Human duration for details ("within 0.5 s"). */
export function fmtSeconds(ms: number): string {
  return seconds(ms);
}
