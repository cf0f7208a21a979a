import 'server-only';
import { z } from 'zod';
import { coversCluster, Role, withinScope, type Actor } from '@/lib/models/auth';
import { readJsonBody } from '@/server/api/body';
import { ApiError } from '@/server/api/errors';
import { hashPassword, isPasswordHashBusy } from '@/server/auth/password';
import type { AuthService } from '@/server/auth/service';
import { getAuth } from '@/server/runtime';
import { AuthStoreError, type TokenInfo } from '@/server/auth/store';

// Managing accounts and API tokens (admin role, or lvsctl on the console host). Every change is
// written to the audit log, fail-closed (an 'attempted' row first: no row, no change). Listings
// never include password hashes or token secrets.
//
// Scope: an admin limited to some clusters manages only accounts and tokens limited to a non-empty
// subset of its own clusters. It cannot grant an unrestricted role or another cluster, and does not
// see, revoke or remove anything beyond its clusters (403, and a refused row in the audit log).
// Unrestricted admins and lvsctl (the console host's own user) manage everything.

const AccountName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'letters, digits, _ . @ - (starting with a letter or digit)');
const ClusterNames = z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a cluster name')).min(1).optional();

export const NewUser = z
  .object({
    name: AccountName,
    password: z.string().min(12, 'at least 12 characters').max(1024),
    role: Role,
    clusters: ClusterNames,
  })
  .strict();

export const NewToken = z
  .object({
    name: AccountName,
    role: Role,
    clusters: ClusterNames,
    /** Days until the token stops working (default and maximum: auth.tokenMaxDays). */
    expiresInDays: z.number().int().min(1).max(36_500).optional(),
    /** Or the moment it stops working, epoch ms. */
    expiresAt: z.number().int().positive().optional(),
  })
  .strict()
  .refine((t) => t.expiresInDays === undefined || t.expiresAt === undefined, { message: 'give expiresInDays or expiresAt, not both', path: ['expiresAt'] });

const DAY_MS = 86_400_000;

/** When a new token expires: as asked (within auth.tokenMaxDays), else at the maximum. */
function tokenExpiry(svc: AuthService, t: { expiresInDays?: number | undefined; expiresAt?: number | undefined }): number {
  const now = svc.now();
  const maxDays = svc.config.tokenMaxDays;
  const latest = now + maxDays * DAY_MS;
  if (t.expiresInDays !== undefined) {
    if (t.expiresInDays > maxDays) throw new ApiError('validation', `expiresInDays: at most ${maxDays} days (auth.tokenMaxDays)`);
    return now + t.expiresInDays * DAY_MS;
  }
  if (t.expiresAt !== undefined) {
    if (t.expiresAt <= now) throw new ApiError('validation', `expiresAt: ${new Date(t.expiresAt).toISOString()} is in the past`);
    if (t.expiresAt > latest) throw new ApiError('validation', `expiresAt: at most ${maxDays} days from now (auth.tokenMaxDays), i.e. ${new Date(latest).toISOString()}`);
    return t.expiresAt;
  }
  return latest;
}

/** Who made a change: an actor of the console, or the local user running lvsctl. */
export interface ChangedBy {
  name: string;
  role: string | null;
  source: string;
  /** The clusters the actor's role is limited to; null: every cluster (lvsctl is). */
  clusters: readonly string[] | null;
}

export function changedBy(actor: Actor): ChangedBy {
  return { name: actor.name, role: actor.role, source: actor.source, clusters: actor.clusters };
}

function scopeText(scope: readonly string[]): string {
  return `you are limited to cluster${scope.length === 1 ? '' : 's'} ${scope.join(', ')}`;
}

/** Refuses (403, audited) a grant that would reach beyond the actor's clusters. */
function checkGrant(svc: AuthService, by: ChangedBy, action: string, target: string, what: string, clusters: readonly string[] | undefined): void {
  const scope = by.clusters;
  if (scope === null || withinScope(scope, clusters)) return;
  const outside = clusters?.filter((c) => !coversCluster(scope, c)) ?? [];
  const message =
    !clusters || clusters.length === 0
      ? `${scopeText(scope)}: a new ${what} must be limited to some of them (set clusters)`
      : `${scopeText(scope)}: you cannot grant cluster${outside.length === 1 ? '' : 's'} ${outside.join(', ')}`;
  refuse(svc, by, action, target, message);
}

/** Refuses (403, audited) a change to an account or token beyond the actor's clusters. */
function checkTarget(svc: AuthService, by: ChangedBy, action: string, target: string, what: string, clusters: readonly string[] | null): void {
  const scope = by.clusters;
  if (scope === null || withinScope(scope, clusters)) return;
  refuse(svc, by, action, target, `${scopeText(scope)}: ${what} ${target} is not limited to them, so you cannot change it`);
}

function refuse(svc: AuthService, by: ChangedBy, action: string, target: string, message: string): never {
  svc.audit.append({ actor: by.name, role: by.role, source: by.source, action, cluster: null, target, outcome: 'refused', detail: { message } });
  throw new ApiError('forbidden', message);
}

export interface UserListing {
  name: string;
  role: Role;
  clusters: string[] | null;
  /** 'config': from the configuration file (change it there); 'database': from lvsctl or the API. */
  from: 'config' | 'database';
}

/**
 * A change, audited fail-closed: the 'attempted' row first (when it cannot be written: 503, and the
 * change is not made), then the change, then the outcome row ('failed' with the error if it threw).
 */
function audited<T>(svc: AuthService, by: ChangedBy, action: string, target: string, detail: Record<string, unknown> | null, change: () => T): T {
  const attempt = svc.audit.attempt({ actor: by.name, role: by.role, source: by.source, action, cluster: null, target, detail });
  let result: T;
  try {
    result = change();
  } catch (e) {
    svc.audit.complete(attempt, 'failed', { ...detail, error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
  svc.audit.complete(attempt, 'ok', detail);
  return result;
}

function storeError(e: unknown): never {
  if (e instanceof AuthStoreError) throw new ApiError('conflict', e.message);
  throw e;
}

/** The accounts within `scope` (null: every account). */
export function listUsersWith(svc: AuthService, scope: readonly string[] | null): UserListing[] {
  return [
    ...svc.config.users.map((u) => ({ name: u.name, role: u.role, clusters: u.clusters ?? null, from: 'config' as const })),
    ...svc.store.listUsers().map((u) => ({ name: u.name, role: u.role, clusters: u.clusters, from: 'database' as const })),
  ].filter((u) => withinScope(scope, u.clusters));
}

export async function addUserWith(svc: AuthService, input: unknown, by: ChangedBy): Promise<UserListing> {
  const u = NewUser.parse(input);
  checkGrant(svc, by, 'user-add', u.name, 'user', u.clusters);
  if (svc.config.users.some((c) => c.name === u.name)) throw new ApiError('conflict', `user ${u.name} is defined in the configuration file`);
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(u.password);
  } catch (e) {
    if (isPasswordHashBusy(e)) throw new ApiError('unavailable', 'too many password checks at once: try again in a moment');
    throw e;
  }
  try {
    audited(svc, by, 'user-add', u.name, { role: u.role, clusters: u.clusters ?? null }, () => svc.store.addUser({ name: u.name, passwordHash, role: u.role, clusters: u.clusters ?? null }));
  } catch (e) {
    storeError(e);
  }
  return { name: u.name, role: u.role, clusters: u.clusters ?? null, from: 'database' };
}

export function removeUserWith(svc: AuthService, name: string, by: ChangedBy): { removed: string } {
  const existing = findAccountListing(svc, name);
  if (existing) checkTarget(svc, by, 'user-remove', name, 'user', existing.clusters);
  if (svc.config.users.some((c) => c.name === name)) throw new ApiError('conflict', `user ${name} is defined in the configuration file: remove it there`);
  audited(svc, by, 'user-remove', name, null, () => {
    if (!svc.store.removeUser(name)) throw new ApiError('not-found', `no user named ${name}`);
  });
  return { removed: name };
}

function findAccountListing(svc: AuthService, name: string): UserListing | undefined {
  return listUsersWith(svc, null).find((u) => u.name === name);
}

/** The tokens within `scope` (null: every token). */
export function listTokensWith(svc: AuthService, scope: readonly string[] | null): TokenInfo[] {
  return svc.store.listTokens().filter((t) => withinScope(scope, t.clusters));
}

/** The token secret is in the answer this once; it is not stored and cannot be shown again. */
export function createTokenWith(svc: AuthService, input: unknown, by: ChangedBy): { token: string; info: TokenInfo } {
  const t = NewToken.parse(input);
  checkGrant(svc, by, 'token-create', t.name, 'token', t.clusters);
  const expiresAt = tokenExpiry(svc, t);
  let created: { token: string; info: TokenInfo };
  try {
    created = audited(svc, by, 'token-create', t.name, { role: t.role, clusters: t.clusters ?? null, expiresAt }, () =>
      svc.store.createToken({ name: t.name, role: t.role, clusters: t.clusters ?? null, createdBy: by.name, expiresAt }),
    );
  } catch (e) {
    storeError(e);
  }
  return created;
}

export function revokeTokenWith(svc: AuthService, name: string, by: ChangedBy): { revoked: string } {
  const existing = svc.store.listTokens().find((t) => t.name === name && t.revokedAt === null);
  if (existing) checkTarget(svc, by, 'token-revoke', name, 'token', existing.clusters);
  audited(svc, by, 'token-revoke', name, null, () => {
    if (!svc.store.revokeToken(name)) throw new ApiError('not-found', `no active token named ${name}`);
  });
  return { revoked: name };
}

// Route entry points (the actor is non-null on admin routes).
function need(actor: Actor | null): Actor {
  if (!actor) throw new ApiError('unauthorized', 'log in first');
  return actor;
}
export const listUsers = (actor: Actor | null) => ({ users: listUsersWith(getAuth(), need(actor).clusters) });
export const addUser = async (req: Request, actor: Actor | null) => addUserWith(getAuth(), await readJsonBody(req), changedBy(need(actor)));
export const removeUser = (name: string, actor: Actor | null) => removeUserWith(getAuth(), name, changedBy(need(actor)));
export const listTokens = (actor: Actor | null) => ({ tokens: listTokensWith(getAuth(), need(actor).clusters) });
export const createToken = async (req: Request, actor: Actor | null) => createTokenWith(getAuth(), await readJsonBody(req), changedBy(need(actor)));
export const revokeToken = (name: string, actor: Actor | null) => revokeTokenWith(getAuth(), name, changedBy(need(actor)));
