import 'server-only';
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import type { DirectorConfig, SshTuning } from '../config/schema';
import { DirectorError, fmtSeconds, type CommandRef, type DirectorErrorCode, type DirectorErrorInit, type DirectorTarget } from './errors';
import {
  checkKnownHosts,
  fingerprintSha256,
  hostKeyAlgorithmsFor,
  knownKeyTypesFor,
  normalizeFingerprint,
  parseKnownHosts,
  type ParsedKnownHosts,
} from './host-key';

// One persistent SSH connection to one director (optionally through a jump host), shared
// by all commands: channels are multiplexed over it, capped by a small semaphore. The
// host key is checked in hostVerifier before authentication; a refused key means the
// handshake is aborted and no command is ever sent. A dropped connection is re-opened at
// once, then with exponential backoff and jitter; while in backoff, commands fail fast
// with the last connect error (the UI shows it) instead of piling up. A refused host key or
// login is terminal ('failed'): no automatic retries, only reconnectNow().

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'backoff' | 'failed' | 'closed';

export interface ConnectionStatus {
  director: string;
  /** The director's cluster (null for a director built without one). */
  cluster: string | null;
  /** "host:port" of the director. */
  address: string;
  state: ConnectionState;
  lastError: { code: DirectorErrorCode; message: string; at: string } | null;
  /** ISO time the current connection became ready, or null. */
  connectedSince: string | null;
  /** ISO time a command last completed (whatever its exit code). */
  lastExecOkAt: string | null;
  /** Connect attempts since the last command that completed. */
  reconnectAttempts: number;
  /** ISO time of the next scheduled reconnect, when in backoff ('failed' is terminal: none). */
  nextAttemptAt: string | null;
  /** The delay that reconnect was scheduled with (the backoff step now), when in backoff. */
  backoffMs: number | null;
  /** SHA256 fingerprint of the director's host key, once verified. */
  hostKeyFingerprint: string | null;
  activeChannels: number;
  /** Of activeChannels, those held by low-priority (viewer) reads. */
  lowPriorityChannels: number;
  queuedCommands: number;
  /** Exec channels opened over this director's connections since start (one per command or sequence). */
  channelsOpened: number;
  /** The compression the director's sshd agreed for what it sends ('none', 'zlib@openssh.com'), once connected. */
  compression: string | null;
}

export interface ConnectionOptions {
  tuning: SshTuning;
  /** ssh-agent socket path (the app passes $SSH_AUTH_SOCK read in server/config). */
  agentSocket?: string | undefined;
  /** Cap on stdout+stderr bytes of one buffered command. */
  maxOutputBytes: number;
  /** Missed keepalives before the connection is declared dead. */
  keepaliveCountMax: number;
  /** Turns a configured passphrase (e.g. "env:NAME") into the secret; identity by default. */
  resolvePassphrase?: ((value: string) => string) | undefined;
  /** Source of randomness for backoff jitter (tests pin it). */
  random?: (() => number) | undefined;
  /** Called as each exec channel is requested (SshPool.onChannel: counts for tests and numbers). */
  onChannel?: ((command: CommandRef) => void) | undefined;
}

/**
 * 'low': a read on behalf of a page or API viewer (drain progress -Lnc, HAProxy show stat,
 * diagnostics). Low-priority commands hold at most `lowPriorityChannelCap(max)` channels of a
 * director, and a freed channel goes to a waiting normal command first, so a flood of viewer reads
 * never takes the channels the collector's refresh and an operator's change need.
 */
export type ChannelPriority = 'normal' | 'low';

/** Channels of a director kept free of low-priority commands (when the cap allows more than one). */
export const RESERVED_CHANNELS = 2;

/** How many channels low-priority commands may hold at once: max - RESERVED_CHANNELS, at least 1. */
export function lowPriorityChannelCap(maxChannels: number): number {
  return Math.max(1, maxChannels - RESERVED_CHANNELS);
}

export interface RunRequest {
  command: CommandRef;
  /** Default 'normal'. */
  priority?: ChannelPriority | undefined;
  /** The exact string sent in the SSH exec request (built by exec.ts, already quoted). */
  remote: string;
  stdin?: string | Buffer | undefined;
  timeoutMs: number;
  maxOutputBytes?: number | undefined;
}

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
}

export interface StreamExit {
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  durationMs: number;
}

/** Lines of a command's stdout, pulled with backpressure; `exit` is set once it is exhausted. */
export interface StreamStats {
  /** Bytes taken from the channel so far. */
  bytes: number;
  lines: number;
  /** Bytes received but not yet consumed (bounded by SSH flow control). */
  readonly buffered: number;
}

export interface LineStream extends AsyncIterable<string> {
  readonly stats: StreamStats;
  /** Exit status, available after the iteration finished normally. */
  readonly exit: StreamExit | null;
}

const STREAM_STDERR_KEEP = 256 * 1024;
const MAX_LINE_CHARS = 4 * 1024 * 1024;

interface SlotWaiter {
  low: boolean;
  grant: () => void;
}

/**
 * The channel cap of one connection, with a reserve: low-priority holders never exceed `lowMax`,
 * and a freed channel goes to the oldest normal waiter before any low one (then to the oldest low
 * waiter that fits).
 */
export class ChannelSlots {
  private active = 0;
  private activeLow = 0;
  private readonly waiters: SlotWaiter[] = [];
  constructor(
    private readonly max: number,
    private readonly lowMax: number = lowPriorityChannelCap(max),
  ) {}
  get inUse(): number {
    return this.active;
  }
  get inUseLow(): number {
    return this.activeLow;
  }
  get queued(): number {
    return this.waiters.length;
  }
  private fits(low: boolean): boolean {
    return this.active < this.max && (!low || this.activeLow < this.lowMax);
  }
  private take(low: boolean): () => void {
    this.active++;
    if (low) this.activeLow++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      if (low) this.activeLow--;
      this.pump();
    };
  }
  private pump(): void {
    for (;;) {
      const i = this.waiters.findIndex((w) => !w.low && this.fits(false));
      const j = i >= 0 ? i : this.waiters.findIndex((w) => w.low && this.fits(true));
      if (j < 0) return;
      const [w] = this.waiters.splice(j, 1);
      w?.grant();
    }
  }
  /** Wait for a slot until `deadline` (epoch ms); on expiry reject with `onTimeout()`. */
  acquire(deadline: number, onTimeout: () => Error, priority: ChannelPriority = 'normal'): Promise<() => void> {
    const low = priority === 'low';
    // Normal commands never queue behind low ones; low ones keep their order among themselves.
    const ahead = low ? this.waiters.length > 0 : this.waiters.some((w) => !w.low);
    if (!ahead && this.fits(low)) return Promise.resolve(this.take(low));
    return new Promise((resolve, reject) => {
      const w: SlotWaiter = {
        low,
        grant: () => {
          clearTimeout(timer);
          resolve(this.take(low));
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(onTimeout());
      }, Math.max(0, deadline - Date.now()));
      this.waiters.push(w);
    });
  }
}

interface SshError extends Error {
  level?: string;
  code?: unknown;
  reason?: unknown;
}

type Trust =
  | { kind: 'pin'; fingerprint: string; source: string }
  | { kind: 'known-hosts'; path: string; parsed: ParsedKnownHosts; source: string };

interface Live {
  client: Client;
  jump: Client | null;
}

interface Side {
  side: 'director' | 'jump-host';
  host: string;
  port: number;
  user: string;
  privateKeyPath: string | undefined;
  passphrase: string | undefined;
  agent: boolean;
  hostKey: string | undefined;
  knownHostsPath: string | undefined;
  /** Config key names for messages. */
  hostKeyKey: string;
}

/** Errors of commands whose exec request certainly never reached the director. */
const NOT_SENT = new WeakSet<DirectorError>();
/** Channel opens the server refused (nothing ran); retried once after CHANNEL_RETRY_MS. */
const CHANNEL_REFUSED = new WeakSet<DirectorError>();
const CHANNEL_RETRY_MS = 200;

/**
 * Send a signal request on a session channel. ssh2's Channel.signal() is a no-op once our
 * side has sent EOF (which we do right after exec, so commands never wait on stdin), so we
 * use its protocol object directly while the channel is still open on the remote side.
 */
/** What ssh2 told us about a channel, recorded from the moment it opened (see openChannel). */
interface ChannelState {
  exit: { code: number | null; signal: string | null } | null;
  closed: boolean;
}
const CHANNEL_STATE = new WeakMap<ClientChannel, ChannelState>();

function channelState(ch: ClientChannel): ChannelState {
  return CHANNEL_STATE.get(ch) ?? { exit: null, closed: false };
}

/** Ask the remote command to stop (SIGTERM) and close the channel (which may already be gone). */
function stopChannel(ch: ClientChannel | null): void {
  if (!ch) return;
  sendSignal(ch, 'TERM');
  try {
    ch.close();
  } catch {
    /* channel already gone */
  }
}

function sendSignal(ch: ClientChannel, name: string): void {
  const c = ch as unknown as {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  const id = c.outgoing?.id;
  const state = c.outgoing?.state;
  const proto = c._client?._protocol;
  try {
    if (typeof id === 'number' && (state === 'open' || state === 'eof') && typeof proto?.signal === 'function') {
      proto.signal(id, name);
    } else {
      ch.signal(name);
    }
  } catch {
    /* the channel is already gone */
  }
}

/** The last error ssh2 reported on a client (e.g. "Keepalive timeout"), to explain a drop. */
const lastErrorOf = new WeakMap<Client, string>();

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export class DirectorConnection {
  private state: ConnectionState = 'idle';
  private live: Live | null = null;
  private connecting: Promise<Live> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError: DirectorError | null = null;
  private lastErrorAt: number | null = null;
  private connectedSince: number | null = null;
  private compression: string | null = null;
  private lastExecOkAt: number | null = null;
  private attempts = 0;
  private tried = false;
  private nextAttemptAt: number | null = null;
  private backoffMs: number | null = null;
  private hostKeyFingerprint: string | null = null;
  private channelsOpened = 0;
  private readonly sem: ChannelSlots;
  private readonly target: DirectorTarget;
  private readonly random: () => number;

  constructor(
    readonly director: DirectorConfig,
    private readonly opts: ConnectionOptions,
  ) {
    this.sem = new ChannelSlots(opts.tuning.maxChannelsPerDirector);
    this.random = opts.random ?? Math.random;
    const j = director.jumpHost;
    this.target = {
      director: director.name,
      host: director.host,
      port: director.port,
      user: director.user,
      jumpHost: j ? { host: j.host, port: j.port, user: j.user } : undefined,
    };
  }

  status(): ConnectionStatus {
    return {
      director: this.director.name,
      cluster: this.director.cluster ?? null,
      address: this.target.host.includes(':') ? `[${this.target.host}]:${this.target.port}` : `${this.target.host}:${this.target.port}`,
      state: this.state,
      lastError: this.lastError
        ? { code: this.lastError.code, message: this.lastError.message, at: new Date(this.lastErrorAt ?? Date.now()).toISOString() }
        : null,
      connectedSince: isoOrNull(this.connectedSince),
      lastExecOkAt: isoOrNull(this.lastExecOkAt),
      reconnectAttempts: this.attempts,
      nextAttemptAt: isoOrNull(this.nextAttemptAt),
      backoffMs: this.backoffMs,
      hostKeyFingerprint: this.hostKeyFingerprint,
      activeChannels: this.sem.inUse,
      lowPriorityChannels: this.sem.inUseLow,
      queuedCommands: this.sem.queued,
      channelsOpened: this.channelsOpened,
      compression: this.compression,
    };
  }

  /** Skip the remaining backoff and connect now (a "retry now" button; config fixed). */
  reconnectNow(): void {
    if (this.state === 'closed' || this.state === 'ready' || this.state === 'connecting') return;
    this.connect().catch(() => undefined);
  }

  /** Open the connection ahead of the first command (optional; commands connect lazily). */
  async warm(): Promise<void> {
    await this.ready(null);
  }

  /** Close for good (shutdown or config change). */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearTimer();
    this.nextAttemptAt = null;
    const live = this.live;
    this.live = null;
    this.connectedSince = null;
    if (live) await endClient(live);
  }

  private err(code: DirectorErrorCode, command: CommandRef | null, extra: Partial<DirectorErrorInit> = {}): DirectorError {
    return new DirectorError({ code, target: this.target, command, ...extra });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private backoffDelay(): number {
    const { reconnectMinMs, reconnectMaxMs } = this.opts.tuning;
    const n = Math.max(1, this.attempts);
    const base = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(n - 1, 30));
    // "Equal jitter": half fixed, half random, so attempts spread but never collapse to 0.
    return Math.max(reconnectMinMs, Math.round(base / 2 + (this.random() * base) / 2));
  }

  private fail(): void {
    this.clearTimer();
    this.state = 'failed';
    this.nextAttemptAt = null;
    this.backoffMs = null;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.state = 'backoff';
    this.nextAttemptAt = Date.now() + delayMs;
    this.backoffMs = delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().catch(() => undefined);
    }, delayMs);
    this.timer.unref();
  }

  private recordError(e: DirectorError): void {
    this.lastError = e;
    this.lastErrorAt = Date.now();
  }

  private connect(): Promise<Live> {
    if (this.connecting) return this.connecting;
    if (this.state === 'closed') return Promise.reject(this.err('disconnected', null, { detail: 'the connection pool was closed' }));
    this.clearTimer();
    this.nextAttemptAt = null;
    this.backoffMs = null;
    if (this.tried) this.attempts++;
    this.tried = true;
    this.state = 'connecting';
    const p = this.open().then(
      (live) => {
        if (this.state === 'closed') {
          void endClient(live);
          throw this.err('disconnected', null, { detail: 'the connection pool was closed' });
        }
        this.live = live;
        this.state = 'ready';
        this.connectedSince = Date.now();
        live.client.on('close', () => this.onDrop(live));
        live.jump?.on('close', () => live.client.end());
        return live;
      },
      (e: unknown) => {
        const de = e instanceof DirectorError ? e : this.err('unreachable', null, { detail: String(e), cause: e });
        this.recordError(de);
        if (this.state !== 'closed') {
          const permanent = de.code === 'host-key-mismatch' || de.code === 'host-key-unknown' || de.code === 'auth-failed';
          // A refused host key or login is terminal: retrying cannot help until someone fixes the
          // key or the account, and a loop of failed logins can get the console's address banned
          // (fail2ban). No timer; commands fail fast with this error; reconnectNow() tries once more.
          if (permanent) this.fail();
          else this.schedule(this.backoffDelay());
        }
        throw de;
      },
    );
    this.connecting = p;
    const clear = (): void => {
      if (this.connecting === p) this.connecting = null;
    };
    p.then(clear, clear);
    return p;
  }

  private onDrop(live: Live): void {
    if (this.live !== live) return;
    this.live = null;
    this.connectedSince = null;
    void endClient(live);
    if (this.state === 'closed') return;
    const why = lastErrorOf.get(live.client);
    this.recordError(this.err('disconnected', null, { detail: why ? `connection dropped: ${why}` : 'connection dropped' }));
    // First reconnect at once (a restarted sshd, a killed session); later ones back off.
    if (this.attempts === 0) this.connect().catch(() => undefined);
    else this.schedule(this.backoffDelay());
  }

  /** The ready client, connecting if needed; fails fast while backing off. */
  private async ready(command: CommandRef | null): Promise<Client> {
    switch (this.state) {
      case 'ready':
        if (this.live) return this.live.client;
        break;
      case 'closed':
        throw this.err('disconnected', command, { detail: 'the connection pool was closed' });
      case 'backoff':
      case 'failed': {
        const wait =
          this.nextAttemptAt !== null
            ? `; next attempt in ${fmtSeconds(Math.max(0, this.nextAttemptAt - Date.now()))}`
            : this.state === 'failed'
              ? '; not retried automatically: fix it, then restart the console'
              : '';
        throw (this.lastError ?? this.err('unreachable', null)).withCommand(command, `not connected${wait}`);
      }
      default:
        break;
    }
    try {
      return (await this.connect()).client;
    } catch (e) {
      throw e instanceof DirectorError ? e.withCommand(command) : e;
    }
  }

  // ---------------------------------------------------------------- connecting

  private sides(): { director: Side; jump: Side | null } {
    const d = this.director;
    const director: Side = {
      side: 'director',
      host: d.host,
      port: d.port,
      user: d.user,
      privateKeyPath: d.privateKeyPath,
      passphrase: d.passphrase,
      agent: d.agent,
      hostKey: d.hostKey,
      knownHostsPath: d.knownHostsPath,
      hostKeyKey: 'hostKey',
    };
    const j = d.jumpHost;
    if (!j) return { director, jump: null };
    const usesOwnKey = j.privateKeyPath !== undefined || j.agent;
    return {
      director,
      jump: {
        side: 'jump-host',
        host: j.host,
        port: j.port,
        user: j.user,
        // Like OpenSSH's ProxyJump: without its own identity, the jump host gets the director's.
        privateKeyPath: usesOwnKey ? j.privateKeyPath : d.privateKeyPath,
        passphrase: usesOwnKey ? (j.privateKeyPath === d.privateKeyPath ? d.passphrase : undefined) : d.passphrase,
        agent: usesOwnKey ? j.agent : d.agent,
        hostKey: j.hostKey,
        // Without its own trust settings, the jump host must be listed in the director's known_hosts.
        knownHostsPath: j.hostKey === undefined ? (j.knownHostsPath ?? d.knownHostsPath) : j.knownHostsPath,
        hostKeyKey: 'jumpHost.hostKey',
      },
    };
  }

  private async loadTrust(s: Side): Promise<Trust> {
    if (s.hostKey !== undefined) {
      return { kind: 'pin', fingerprint: normalizeFingerprint(s.hostKey), source: `${s.hostKeyKey} in the config` };
    }
    if (s.knownHostsPath !== undefined) {
      let text = '';
      try {
        text = await readFile(s.knownHostsPath, 'utf8');
      } catch (e) {
        // A missing file trusts nothing: every key is "unknown".
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw this.err('host-key-unknown', null, { side: s.side, detail: `cannot read ${s.knownHostsPath}: ${(e as Error).message}`, trustSource: s.knownHostsPath });
        }
      }
      return { kind: 'known-hosts', path: s.knownHostsPath, parsed: parseKnownHosts(text), source: s.knownHostsPath };
    }
    // The schema requires hostKey or knownHostsPath for directors; a jump host without either is refused.
    throw this.err('host-key-unknown', null, {
      side: s.side,
      trustSource: `${s.hostKeyKey} / knownHostsPath`,
      detail: 'no hostKey or knownHostsPath configured, and there is no accept-anything mode',
    });
  }

  private async connectConfig(s: Side, trust: Trust, failure: { error: DirectorError | null; fingerprint: string | null }): Promise<ConnectConfig> {
    const cfg: ConnectConfig = {
      host: s.host,
      port: s.port,
      username: s.user,
      readyTimeout: this.opts.tuning.connectTimeoutMs,
      keepaliveInterval: this.opts.tuning.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      tryKeyboard: false,
    };
    if (s.privateKeyPath !== undefined) {
      try {
        cfg.privateKey = await readFile(s.privateKeyPath);
      } catch (e) {
        throw this.err('auth-failed', null, { side: s.side, detail: `cannot read private key ${s.privateKeyPath}: ${(e as Error).message}` });
      }
      if (s.passphrase !== undefined) cfg.passphrase = (this.opts.resolvePassphrase ?? ((v: string) => v))(s.passphrase);
    }
    if (s.agent) {
      if (this.opts.agentSocket) cfg.agent = this.opts.agentSocket;
      else if (s.privateKeyPath === undefined) {
        throw this.err('auth-failed', null, { side: s.side, detail: 'agent: true but no ssh-agent socket (SSH_AUTH_SOCK) was given to the console' });
      }
    }
    if (trust.kind === 'known-hosts') {
      const algs = hostKeyAlgorithmsFor(knownKeyTypesFor(trust.parsed, s.host, s.port));
      if (algs.length > 0) cfg.algorithms = { serverHostKey: algs as ServerHostKeyAlgorithm[] };
    }
    // ssh.compress: zlib for directors behind a slow link (the listings are padded text that
    // deflates to about a quarter; the director's sshd pays the deflate). OpenSSH's server offers only the delayed
    // zlib@openssh.com (after login); 'none' keeps a server that offers no compression reachable.
    if (this.opts.tuning.compress) cfg.algorithms = { ...cfg.algorithms, compress: ['zlib@openssh.com', 'zlib', 'none'] };
    cfg.hostVerifier = (key: Buffer): boolean => {
      const presented = fingerprintSha256(key);
      failure.fingerprint = presented;
      if (trust.kind === 'pin') {
        if (presented === trust.fingerprint) return true;
        failure.error = this.err('host-key-mismatch', null, {
          side: s.side,
          expectedFingerprints: [trust.fingerprint],
          presentedFingerprint: presented,
          trustSource: trust.source,
        });
        return false;
      }
      const v = checkKnownHosts(trust.parsed, s.host, s.port, key);
      switch (v.verdict) {
        case 'match':
          return true;
        case 'mismatch':
          failure.error = this.err('host-key-mismatch', null, {
            side: s.side,
            expectedFingerprints: v.expected,
            presentedFingerprint: presented,
            trustSource: trust.source,
          });
          return false;
        case 'revoked':
          failure.error = this.err('host-key-mismatch', null, {
            side: s.side,
            expectedFingerprints: [],
            presentedFingerprint: presented,
            trustSource: trust.source,
            detail: `the presented key is marked @revoked on line ${v.line} of ${trust.path}`,
          });
          return false;
        case 'unknown':
          failure.error = this.err('host-key-unknown', null, { side: s.side, presentedFingerprint: presented, trustSource: trust.source });
          return false;
      }
    };
    return cfg;
  }

  private mapConnectError(s: Side, e: SshError | undefined, failure: { error: DirectorError | null }): DirectorError {
    if (failure.error) return failure.error;
    const side = s.side;
    if (!e) return this.err('unreachable', null, { side, detail: 'the connection closed before the SSH handshake completed' });
    const msg = e.message;
    const code = typeof e.code === 'string' ? e.code : '';
    if (e.level === 'client-authentication' || e.level === 'agent') {
      const methods = [s.privateKeyPath !== undefined ? `key ${s.privateKeyPath}` : null, s.agent ? 'ssh-agent' : null].filter(Boolean).join(', ');
      return this.err('auth-failed', null, { side, detail: `tried ${methods || 'no method'}: ${msg}`, cause: e });
    }
    if (e.level === 'client-timeout') {
      return this.err('connect-timeout', null, { side, detail: `${msg}, limit ${fmtSeconds(this.opts.tuning.connectTimeoutMs)}`, cause: e });
    }
    if (code === 'ECONNREFUSED') return this.err('connect-refused', null, { side, detail: `${s.host}:${s.port}`, cause: e });
    if (code === 'ETIMEDOUT') return this.err('connect-timeout', null, { side, detail: msg, cause: e });
    if (/cannot parse privatekey|encrypted private key|passphrase/i.test(msg)) {
      return this.err('auth-failed', null, { side, detail: msg, cause: e });
    }
    return this.err('unreachable', null, { side, detail: code ? `${code}: ${msg}` : msg, cause: e });
  }

  private connectClient(s: Side, cfg: ConnectConfig, failure: { error: DirectorError | null }, negotiated?: { compress?: string }): Promise<Client> {
    return new Promise((resolve, reject) => {
      const c = new Client();
      // What the server sends us is what compression is for: its server-to-client choice.
      if (negotiated) c.once('handshake', (n) => (negotiated.compress = n.sc.compress));
      let settled = false;
      // Keep an 'error' listener for the client's whole life: an unhandled one would crash the process.
      c.on('error', (e: SshError) => {
        lastErrorOf.set(c, e.message);
        if (settled) return;
        settled = true;
        c.end();
        reject(this.mapConnectError(s, e, failure));
      });
      c.once('ready', () => {
        if (settled) return;
        settled = true;
        // Small request/reply packets: Nagle plus delayed ACKs would add ~40 ms stalls per exec.
        c.setNoDelay(true);
        resolve(c);
      });
      c.once('close', () => {
        if (settled) return;
        settled = true;
        reject(this.mapConnectError(s, undefined, failure));
      });
      try {
        c.connect(cfg);
      } catch (e) {
        settled = true;
        c.end();
        reject(this.mapConnectError(s, e as SshError, failure));
      }
    });
  }

  private async open(): Promise<Live> {
    const { director: ds, jump: js } = this.sides();
    let jump: Client | null = null;
    try {
      let sock: ConnectConfig['sock'];
      if (js) {
        const jtrust = await this.loadTrust(js);
        const jfail = { error: null as DirectorError | null, fingerprint: null as string | null };
        jump = await this.connectClient(js, await this.connectConfig(js, jtrust, jfail), jfail);
        sock = await this.forwardOut(jump, ds);
      }
      const trust = await this.loadTrust(ds);
      const fail = { error: null as DirectorError | null, fingerprint: null as string | null };
      const cfg = await this.connectConfig(ds, trust, fail);
      if (sock) cfg.sock = sock;
      const negotiated: { compress?: string } = {};
      const client = await this.connectClient(ds, cfg, fail, negotiated);
      this.hostKeyFingerprint = fail.fingerprint;
      this.compression = negotiated.compress ?? null;
      return { client, jump };
    } catch (e) {
      if (jump) jump.end();
      throw e;
    }
  }

  private forwardOut(jump: Client, ds: Side): Promise<NonNullable<ConnectConfig['sock']>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.err('connect-timeout', null, { detail: `the jump host did not open a tunnel within ${fmtSeconds(this.opts.tuning.connectTimeoutMs)}` }));
      }, this.opts.tuning.connectTimeoutMs);
      jump.forwardOut('127.0.0.1', 0, ds.host, ds.port, (e, stream) => {
        clearTimeout(timer);
        if (e) {
          const refused = /refused/i.test(e.message);
          reject(this.err(refused ? 'connect-refused' : 'unreachable', null, { detail: `jump host could not reach ${ds.host}:${ds.port}: ${e.message}`, cause: e }));
          return;
        }
        resolve(stream);
      });
    });
  }

  // ---------------------------------------------------------------- commands

  private isLive(client: Client): boolean {
    return this.live?.client === client && this.state === 'ready';
  }

  private markExecOk(): void {
    this.lastExecOkAt = Date.now();
    this.attempts = 0;
  }

  private async slot(command: CommandRef, deadline: number, timeoutMs: number, priority: ChannelPriority = 'normal'): Promise<() => void> {
    const max = this.opts.tuning.maxChannelsPerDirector;
    const cap = priority === 'low' ? ` (${lowPriorityChannelCap(max)} of them for viewers' reads)` : '';
    return this.sem.acquire(
      deadline,
      () => this.err('command-timeout', command, { detail: `waited ${fmtSeconds(timeoutMs)} for a free channel (at most ${max} commands run at once per director${cap})` }),
      priority,
    );
  }

  /**
   * Open a session channel and send the exec request. Failures where the exec request
   * certainly never left (not connected; connection lost before the channel opened) are
   * marked in NOT_SENT so run() can retry them once on a fresh connection.
   */
  /**
   * Opens an exec channel. Its exit status and close are recorded synchronously in ssh2's
   * callback (see channelState): a fast command's whole reply (open confirmation, output,
   * exit-status, close) can arrive in one TCP read and be emitted before a promise continuation
   * could attach listeners, which lost the exit status ("closed without an exit status").
   */
  private openChannel(client: Client, command: CommandRef, remote: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      const notSent = (e: Error): void => {
        const de = this.err('disconnected', command, { detail: `${e.message}; the command was not sent`, cause: e });
        NOT_SENT.add(de);
        reject(de);
      };
      try {
        this.channelsOpened++;
        this.opts.onChannel?.(command);
        client.exec(remote, (e, ch) => {
          if (e) {
            if (/No response from server|Not connected/.test(e.message)) notSent(e);
            else if (this.isLive(client)) {
              // Refused by the server (e.g. MaxSessions reached while sessions are being torn
              // down): nothing ran, so run() may try once more on the same connection.
              const de = this.err('channel-open-failed', command, { detail: e.message, cause: e });
              CHANNEL_REFUSED.add(de);
              reject(de);
            }
            else reject(this.err('disconnected', command, { detail: e.message, cause: e }));
            return;
          }
          const state: ChannelState = { exit: null, closed: false };
          CHANNEL_STATE.set(ch, state);
          ch.once('exit', (code: number | null, sig?: string) => {
            state.exit = { code: code ?? null, signal: sig ?? null };
          });
          ch.once('close', () => {
            state.closed = true;
          });
          resolve(ch);
        });
      } catch (e) {
        notSent(e as Error);
      }
    });
  }

  /** After a not-sent failure: if ssh2 has not told us yet, treat the connection as dropped. */
  private dropIfDead(client: Client): void {
    if (this.live?.client === client) this.onDrop(this.live);
  }

  /** Run one command string to completion, buffering its output. */
  async run(req: RunRequest): Promise<RunResult> {
    const t0 = Date.now();
    let client = await this.ready(req.command);
    const deadline = Date.now() + req.timeoutMs;
    const release = await this.slot(req.command, deadline, req.timeoutMs, req.priority);
    try {
      if (!this.isLive(client)) client = await this.ready(req.command);
      try {
        return await this.runOnChannel(client, req, deadline, t0);
      } catch (e) {
        if (!(e instanceof DirectorError) || Date.now() >= deadline) throw e;
        if (NOT_SENT.has(e)) {
          // The exec request never left: safe to run it once more on a new connection.
          this.dropIfDead(client);
          client = await this.ready(req.command);
        } else if (CHANNEL_REFUSED.has(e)) {
          await new Promise((r) => setTimeout(r, CHANNEL_RETRY_MS));
        } else {
          throw e;
        }
        return await this.runOnChannel(client, req, deadline, t0);
      }
    } finally {
      release();
    }
  }

  private runOnChannel(client: Client, req: RunRequest, deadline: number, t0: number): Promise<RunResult> {
    const cap = req.maxOutputBytes ?? this.opts.maxOutputBytes;
    return new Promise<RunResult>((resolve, reject) => {
      let done = false;
      let channel: ClientChannel | null = null;
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let bytes = 0;
      let exitCode: number | null = null;
      let signal: string | null = null;
      const stop = (): void => stopChannel(channel);
      const finish = (e: DirectorError | null, r?: RunResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (e) reject(e);
        else if (r) resolve(r);
      };
      const timer = setTimeout(
        () => {
          stop();
          finish(this.err('command-timeout', req.command, { detail: `limit ${fmtSeconds(req.timeoutMs)}`, stderr: Buffer.concat(errOut).toString('utf8') }));
        },
        Math.max(1, deadline - Date.now()),
      );
      const onData = (into: Buffer[]) => (d: Buffer) => {
        if (done) return;
        bytes += d.length;
        if (bytes > cap) {
          stop();
          finish(this.err('output-too-large', req.command, { detail: `more than ${cap} bytes` }));
          return;
        }
        into.push(d);
      };
      this.openChannel(client, req.command, req.remote).then(
        (ch) => {
          channel = ch;
          if (done) {
            stop();
            return;
          }
          ch.on('data', onData(out));
          ch.stderr.on('data', onData(errOut));
          const state = channelState(ch);
          const onClose = () => {
            exitCode = state.exit?.code ?? null;
            signal = state.exit?.signal ?? null;
            if (exitCode === null && signal === null) {
              finish(
                this.err('disconnected', req.command, {
                  detail: this.isLive(client) ? 'the channel closed without an exit status' : 'the connection dropped',
                  stderr: Buffer.concat(errOut).toString('utf8'),
                }),
              );
              return;
            }
            this.markExecOk();
            finish(null, { stdout: Buffer.concat(out), stderr: Buffer.concat(errOut), exitCode, signal, durationMs: Date.now() - t0 });
          };
          // Already closed before this continuation ran: the readable side still holds the output.
          if (state.closed) setImmediate(onClose);
          else ch.once('close', onClose);
          if (req.stdin !== undefined) ch.end(req.stdin);
          else ch.end();
        },
        (e: unknown) => finish(e instanceof DirectorError ? e : this.err('channel-open-failed', req.command, { detail: String(e) })),
      );
    });
  }

  /** Run one command and yield its stdout line by line, reading only as fast as it is consumed. */
  stream(req: RunRequest): LineStream {
    let current: ClientChannel | null = null;
    const stats: StreamStats = {
      bytes: 0,
      lines: 0,
      get buffered() {
        return current?.readableLength ?? 0;
      },
    };
    let exit: StreamExit | null = null;
    let started = false;
    const generate = async function* (this: DirectorConnection): AsyncGenerator<string, void, undefined> {
      const t0 = Date.now();
      let client = await this.ready(req.command);
      const deadline = Date.now() + req.timeoutMs;
      const release = await this.slot(req.command, deadline, req.timeoutMs, req.priority);
      let ch: ClientChannel | null = null;
      let finished = false;
      let abort: (e: DirectorError) => void = () => undefined;
      const aborted = new Promise<never>((_, rej) => {
        abort = rej;
      });
      aborted.catch(() => undefined);
      const stop = (): void => stopChannel(ch);
      const stderr: Buffer[] = [];
      let stderrBytes = 0;
      const timer = setTimeout(
        () => {
          stop();
          abort(this.err('command-timeout', req.command, { detail: `limit ${fmtSeconds(req.timeoutMs)}`, stderr: Buffer.concat(stderr).toString('utf8') }));
        },
        Math.max(1, deadline - Date.now()),
      );
      try {
        if (!this.isLive(client)) client = await this.ready(req.command);
        const opened = await Promise.race([this.openChannel(client, req.command, req.remote), aborted]);
        ch = opened;
        current = opened;
        let exitCode: number | null = null;
        let signal: string | null = null;
        const state = channelState(opened);
        const closed = state.closed ? Promise.resolve() : new Promise<void>((res) => opened.once('close', () => res()));
        // stderr must always be drained: SSH flow control is per channel, stdout would stall too.
        opened.stderr.on('data', (d: Buffer) => {
          if (stderrBytes < STREAM_STDERR_KEEP) stderr.push(d);
          stderrBytes += d.length;
        });
        if (req.stdin !== undefined) opened.end(req.stdin);
        else opened.end();
        const it = (opened as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        const dec = new StringDecoder('utf8');
        let carry = '';
        for (;;) {
          const r = await Promise.race([it.next(), aborted]);
          if (r.done) break;
          const chunk = r.value;
          stats.bytes += chunk.length;
          const text = carry + dec.write(chunk);
          let start = 0;
          let nl = text.indexOf('\n', start);
          while (nl !== -1) {
            stats.lines++;
            yield text.slice(start, nl);
            start = nl + 1;
            nl = text.indexOf('\n', start);
          }
          carry = text.slice(start);
          if (carry.length > MAX_LINE_CHARS) {
            throw this.err('output-too-large', req.command, { detail: `a line longer than ${MAX_LINE_CHARS} characters` });
          }
        }
        carry += dec.end();
        if (carry.length > 0) {
          stats.lines++;
          yield carry;
        }
        await Promise.race([closed, aborted]);
        finished = true;
        exitCode = state.exit?.code ?? null;
        signal = state.exit?.signal ?? null;
        if (exitCode === null && signal === null) {
          throw this.err('disconnected', req.command, {
            detail: this.isLive(client) ? 'the channel closed without an exit status' : 'the connection dropped',
          });
        }
        this.markExecOk();
        exit = { exitCode, signal, stderr: Buffer.concat(stderr).toString('utf8'), durationMs: Date.now() - t0 };
      } finally {
        clearTimeout(timer);
        if (!finished) stop();
        release();
      }
    };
    return {
      stats,
      get exit() {
        return exit;
      },
      [Symbol.asyncIterator]: (): AsyncIterator<string> => {
        if (started) throw new Error('a LineStream can be iterated only once');
        started = true;
        return generate.call(this);
      },
    };
  }
}

async function endClient(live: Live): Promise<void> {
  const closed = new Promise<void>((res) => {
    const t = setTimeout(res, 1000);
    t.unref();
    live.client.once('close', () => {
      clearTimeout(t);
      res();
    });
  });
  live.client.end();
  live.jump?.end();
  await closed;
}
