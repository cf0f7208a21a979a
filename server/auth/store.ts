import 'server-only';
import { z } from 'zod';
import { Role } from '@/lib/models/auth';
import type { Db } from '@/server/db';
import { randomSecret, sha256 } from './secrets';

// Accounts, sessions and API tokens in SQLite (tables of migration 4). Session ids and API tokens
// are random and only their SHA-256 is stored; passwords only as scrypt hashes (./password.ts).

const Clusters = z
  .string()
  .nullable()
  .transform((s, ctx): string[] | null => {
    if (s === null) return null;
    const parsed = z.array(z.string()).safeParse(JSON.parse(s));
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'clusters is not a JSON list of names' });
      return z.NEVER;
    }
    return parsed.data;
  });

const UserRow = z.object({
  name: z.string(),
  password_hash: z.string(),
  role: Role,
  clusters: Clusters,
  created_at: z.number(),
  disabled_at: z.number().nullable(),
});

const SessionRow = z.object({
  id_hash: z.string(),
  user: z.string(),
  role: Role,
  clusters: Clusters,
  csrf: z.string(),
  created_at: z.number(),
  last_seen_at: z.number(),
});
export type Session = z.infer<typeof SessionRow>;

const TokenRow = z.object({
  id: z.number(),
  name: z.string(),
  token_hash: z.string(),
  role: Role,
  clusters: Clusters,
  created_by: z.string(),
  created_at: z.number(),
  last_used_at: z.number().nullable(),
  revoked_at: z.number().nullable(),
  expires_at: z.number().nullable(),
});

export interface StoredUser {
  name: string;
  passwordHash: string;
  role: Role;
  clusters: string[] | null;
  createdAt: number;
}

/** An API token as listed: never the token itself, nor its hash. */
export interface TokenInfo {
  name: string;
  role: Role;
  clusters: string[] | null;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Epoch ms after which the token is refused; null: never (tokens made before expiry existed). */
  expiresAt: number | null;
  /** Past expiresAt when listed. */
  expired: boolean;
}

export class AuthStoreError extends Error {
  override readonly name = 'AuthStoreError';
}

/** API tokens start with this, so they are recognisable in a config file or a leak scanner. */
export const TOKEN_PREFIX = 'lvs_';

function toTokenInfo(r: z.infer<typeof TokenRow>, now: number): TokenInfo {
  return {
    name: r.name,
    role: r.role,
    clusters: r.clusters,
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
    expired: r.expires_at !== null && now >= r.expires_at,
  };
}

function clustersColumn(clusters: readonly string[] | null | undefined): string | null {
  return clusters && clusters.length > 0 ? JSON.stringify(clusters) : null;
}

export class AuthStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = () => Date.now(),
  ) {}

  // --- users -------------------------------------------------------------------------------

  addUser(u: { name: string; passwordHash: string; role: Role; clusters?: readonly string[] | null }): void {
    if (this.getUser(u.name)) throw new AuthStoreError(`user ${u.name} already exists`);
    this.db
      .prepare('INSERT INTO users (name, password_hash, role, clusters, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(u.name, u.passwordHash, u.role, clustersColumn(u.clusters), this.now());
  }

  getUser(name: string): StoredUser | null {
    const raw = this.db.prepare('SELECT * FROM users WHERE name = ? AND disabled_at IS NULL').get(name);
    if (raw === undefined) return null;
    const r = UserRow.parse(raw);
    return { name: r.name, passwordHash: r.password_hash, role: r.role, clusters: r.clusters, createdAt: r.created_at };
  }

  listUsers(): Omit<StoredUser, 'passwordHash'>[] {
    return this.db
      .prepare('SELECT * FROM users WHERE disabled_at IS NULL ORDER BY name')
      .all()
      .map((raw) => {
        const r = UserRow.parse(raw);
        return { name: r.name, role: r.role, clusters: r.clusters, createdAt: r.created_at };
      });
  }

  /** Removes the account and ends its sessions. False when there was no such user. */
  removeUser(name: string): boolean {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes;
      this.db.prepare('DELETE FROM sessions WHERE "user" = ?').run(name);
      return n > 0;
    })();
  }

  // --- sessions ----------------------------------------------------------------------------

  /** A new session: returns its id (for the cookie only; just its hash is kept) and CSRF token. */
  createSession(user: { name: string; role: Role; clusters: readonly string[] | null }): { id: string; csrf: string } {
    const id = randomSecret();
    const csrf = randomSecret();
    const t = this.now();
    this.db
      .prepare('INSERT INTO sessions (id_hash, "user", role, clusters, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(sha256(id), user.name, user.role, clustersColumn(user.clusters), csrf, t, t);
    return { id, csrf };
  }

  getSession(id: string): Session | null {
    const raw = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(sha256(id));
    return raw === undefined ? null : SessionRow.parse(raw);
  }

  touchSession(idHash: string, at: number): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(at, idHash);
  }

  deleteSession(idHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  /** Drops sessions past their idle or absolute expiry. */
  deleteExpiredSessions(idleMs: number, absoluteMs: number): number {
    const t = this.now();
    return this.db.prepare('DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?').run(t - idleMs, t - absoluteMs).changes;
  }

  // --- API tokens --------------------------------------------------------------------------

  /** Creates a token; the returned secret is shown once and never stored. */
  createToken(t: { name: string; role: Role; clusters?: readonly string[] | null; createdBy: string; expiresAt?: number | null }): { token: string; info: TokenInfo } {
    const existing = this.db.prepare('SELECT revoked_at FROM api_tokens WHERE name = ?').get(t.name) as { revoked_at: number | null } | undefined;
    if (existing) throw new AuthStoreError(existing.revoked_at === null ? `a token named ${t.name} already exists` : `a revoked token named ${t.name} exists; pick another name`);
    const token = `${TOKEN_PREFIX}${randomSecret()}`;
    this.db
      .prepare('INSERT INTO api_tokens (name, token_hash, role, clusters, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(t.name, sha256(token), t.role, clustersColumn(t.clusters), t.createdBy, this.now(), t.expiresAt ?? null);
    const info = this.listTokens().find((x) => x.name === t.name);
    if (!info) throw new AuthStoreError(`token ${t.name} was not stored`);
    return { token, info };
  }

  listTokens(): TokenInfo[] {
    const t = this.now();
    return this.db
      .prepare('SELECT * FROM api_tokens ORDER BY name')
      .all()
      .map((raw) => toTokenInfo(TokenRow.parse(raw), t));
  }

  /** False when there is no such unrevoked token. */
  revokeToken(name: string): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(this.now(), name).changes > 0;
  }

  /** The unrevoked, unexpired token with this secret (and notes its use), or null. */
  useToken(token: string): TokenInfo | null {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const raw = this.db.prepare('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(sha256(token));
    if (raw === undefined) return null;
    const r = TokenRow.parse(raw);
    const t = this.now();
    if (r.expires_at !== null && t >= r.expires_at) return null;
    // Once a minute is precise enough for "last used", and spares a write per request.
    if (r.last_used_at === null || t - r.last_used_at >= 60_000) {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(t, r.id);
      r.last_used_at = t;
    }
    return toTokenInfo(r, t);
  }
}
