import 'server-only';
import { z } from 'zod';
import { Role, type Actor } from '@/lib/models/auth';
import { ApiError } from '@/server/api/errors';
import { hashPassword } from './password';
import { getAuth, type AuthService } from './service';
import { AuthStoreError, type TokenInfo } from './store';

// Managing accounts and API tokens (admin role, or lvsctl on the console host). Every change is
// written to the audit log, fail-closed (an 'attempted' row first: no row, no change). Listings
// never include password hashes or token secrets.

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

export const NewToken = z.object({ name: AccountName, role: Role, clusters: ClusterNames }).strict();

/** Who made a change: an actor of the console, or the local user running lvsctl. */
export interface ChangedBy {
  name: string;
  role: string | null;
  source: string;
}

export function changedBy(actor: Actor): ChangedBy {
  return { name: actor.name, role: actor.role, source: actor.source };
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

export function listUsersWith(svc: AuthService): UserListing[] {
  return [
    ...svc.config.users.map((u) => ({ name: u.name, role: u.role, clusters: u.clusters ?? null, from: 'config' as const })),
    ...svc.store.listUsers().map((u) => ({ name: u.name, role: u.role, clusters: u.clusters, from: 'database' as const })),
  ];
}

export async function addUserWith(svc: AuthService, input: unknown, by: ChangedBy): Promise<UserListing> {
  const u = NewUser.parse(input);
  if (svc.config.users.some((c) => c.name === u.name)) throw new ApiError('conflict', `user ${u.name} is defined in the configuration file`);
  const passwordHash = await hashPassword(u.password);
  try {
    audited(svc, by, 'user-add', u.name, { role: u.role, clusters: u.clusters ?? null }, () => svc.store.addUser({ name: u.name, passwordHash, role: u.role, clusters: u.clusters ?? null }));
  } catch (e) {
    storeError(e);
  }
  return { name: u.name, role: u.role, clusters: u.clusters ?? null, from: 'database' };
}

export function removeUserWith(svc: AuthService, name: string, by: ChangedBy): { removed: string } {
  if (svc.config.users.some((c) => c.name === name)) throw new ApiError('conflict', `user ${name} is defined in the configuration file: remove it there`);
  audited(svc, by, 'user-remove', name, null, () => {
    if (!svc.store.removeUser(name)) throw new ApiError('not-found', `no user named ${name}`);
  });
  return { removed: name };
}

export function listTokensWith(svc: AuthService): TokenInfo[] {
  return svc.store.listTokens();
}

/** The token secret is in the answer this once; it is not stored and cannot be shown again. */
export function createTokenWith(svc: AuthService, input: unknown, by: ChangedBy): { token: string; info: TokenInfo } {
  const t = NewToken.parse(input);
  let created: { token: string; info: TokenInfo };
  try {
    created = audited(svc, by, 'token-create', t.name, { role: t.role, clusters: t.clusters ?? null }, () =>
      svc.store.createToken({ name: t.name, role: t.role, clusters: t.clusters ?? null, createdBy: by.name }),
    );
  } catch (e) {
    storeError(e);
  }
  return created;
}

export function revokeTokenWith(svc: AuthService, name: string, by: ChangedBy): { revoked: string } {
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
export const listUsers = () => ({ users: listUsersWith(getAuth()) });
export const addUser = async (req: Request, actor: Actor | null) => addUserWith(getAuth(), await readJson(req), changedBy(need(actor)));
export const removeUser = (name: string, actor: Actor | null) => removeUserWith(getAuth(), name, changedBy(need(actor)));
export const listTokens = () => ({ tokens: listTokensWith(getAuth()) });
export const createToken = async (req: Request, actor: Actor | null) => createTokenWith(getAuth(), await readJson(req), changedBy(need(actor)));
export const revokeToken = (name: string, actor: Actor | null) => revokeTokenWith(getAuth(), name, changedBy(need(actor)));

async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new ApiError('bad-request', 'send a JSON body');
  }
}
