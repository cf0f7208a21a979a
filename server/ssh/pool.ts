import 'server-only';
import type { DirectorConfig, SshTuning } from '../config/schema';
import type { CommandRef } from './errors';
import { SshTuning as SshTuningSchema } from '../config/schema';
import { DirectorConnection, type ConnectionStatus } from './connection';

// One DirectorConnection per director, keyed by cluster AND name (director names are unique only
// within a cluster: `lb1` of `prod` and `lb1` of `staging` are two hosts, and keyed by name alone
// each call to one closed the other's connection). A director whose config changed (host, key,
// jump host...) gets a fresh connection; the old one is closed. The app uses one pool
// (getSshPool); tests make their own.

export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface SshPoolOptions {
  /** Partial tuning is completed with the schema defaults. */
  tuning?: Partial<SshTuning> | undefined;
  /** ssh-agent socket path, for directors with `agent: true` (read $SSH_AUTH_SOCK in server/config). */
  agentSocket?: string | undefined;
  /** Cap on one buffered command's stdout+stderr (default 64 MiB). */
  maxOutputBytes?: number | undefined;
  /** Missed keepalives before a connection is declared dead (default 3). */
  keepaliveCountMax?: number | undefined;
  /** Resolves a configured passphrase such as "env:NAME" to the secret. */
  resolvePassphrase?: ((value: string) => string) | undefined;
  random?: (() => number) | undefined;
}

/** The pool's key of a director: `cluster/name` (`/` cannot occur in either), or the bare name for a director built without a cluster. */
export function connectionKey(director: Pick<DirectorConfig, 'name' | 'cluster'>): string {
  return director.cluster === undefined ? director.name : `${director.cluster}/${director.name}`;
}

export class SshPool {
  readonly tuning: SshTuning;
  readonly maxOutputBytes: number;
  private readonly conns = new Map<string, { key: string; conn: DirectorConnection }>();
  private readonly channelListeners = new Set<(director: DirectorConfig, command: CommandRef) => void>();
  private closed = false;

  constructor(private readonly opts: SshPoolOptions = {}) {
    this.tuning = SshTuningSchema.parse(opts.tuning ?? {});
    this.maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  }

  /** The connection for this director (created lazily; it connects on first use). */
  connection(director: DirectorConfig): DirectorConnection {
    if (this.closed) throw new Error('SshPool is closed');
    const key = JSON.stringify(director);
    const id = connectionKey(director);
    const have = this.conns.get(id);
    if (have && have.key === key) return have.conn;
    if (have) void have.conn.close();
    const conn = new DirectorConnection(director, {
      tuning: this.tuning,
      agentSocket: this.opts.agentSocket,
      maxOutputBytes: this.maxOutputBytes,
      keepaliveCountMax: this.opts.keepaliveCountMax ?? 3,
      resolvePassphrase: this.opts.resolvePassphrase,
      random: this.opts.random,
      onChannel: (command) => {
        for (const l of this.channelListeners) l(director, command);
      },
    });
    this.conns.set(id, { key, conn });
    return conn;
  }

  /**
   * Observe every exec channel this pool opens (director, command), e.g. to count how many
   * `ipvsadm -Lnc` really ran. Returns the unsubscribe function.
   */
  onChannel(listener: (director: DirectorConfig, command: CommandRef) => void): () => void {
    this.channelListeners.add(listener);
    return () => this.channelListeners.delete(listener);
  }

  /** Status of every director this pool has seen, for the UI. */
  status(): ConnectionStatus[] {
    return [...this.conns.values()].map((c) => c.conn.status());
  }

  /** One director's connection status (`cluster` as in its config; omit it for a director built without one). */
  statusOf(directorName: string, cluster?: string): ConnectionStatus | null {
    return this.conns.get(connectionKey({ name: directorName, cluster }))?.conn.status() ?? null;
  }

  /** "Retry now": skip the backoff wait of one director. */
  reconnectNow(directorName: string, cluster?: string): void {
    this.conns.get(connectionKey({ name: directorName, cluster }))?.conn.reconnectNow();
  }

  /** Drop directors no longer in the config (each identified by cluster and name). */
  async retain(directors: readonly Pick<DirectorConfig, 'name' | 'cluster'>[]): Promise<void> {
    const keep = new Set(directors.map(connectionKey));
    const gone = [...this.conns.entries()].filter(([id]) => !keep.has(id));
    for (const [id] of gone) this.conns.delete(id);
    await Promise.all(gone.map(([, c]) => c.conn.close()));
  }

  /** Close every connection (shutdown). */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((c) => c.conn.close()));
  }
}

// The app-wide pool. Kept on globalThis so Next.js dev-mode module reloads share it.
const GLOBAL_KEY = Symbol.for('lvs-console.ssh-pool');
type PoolHolder = { [GLOBAL_KEY]?: SshPool };

/** Replace the app-wide pool (at start-up, with tuning from the config); closes the old one. */
export function configureSshPool(opts: SshPoolOptions): SshPool {
  const g = globalThis as PoolHolder;
  const old = g[GLOBAL_KEY];
  const pool = new SshPool(opts);
  g[GLOBAL_KEY] = pool;
  if (old) void old.closeAll();
  return pool;
}

/** The app-wide pool (schema-default tuning until configureSshPool is called). */
export function getSshPool(): SshPool {
  const g = globalThis as PoolHolder;
  return (g[GLOBAL_KEY] ??= new SshPool());
}

/** Close the app-wide pool (shutdown hook). */
export async function closeAll(): Promise<void> {
  const g = globalThis as PoolHolder;
  const pool = g[GLOBAL_KEY];
  delete g[GLOBAL_KEY];
  if (pool) await pool.closeAll();
}
