import { z } from 'zod/mini';
import { Role } from './auth';

// Answers of the admin routes (/api/admin/users, /api/admin/tokens), for the OpenAPI document and
// clients. Listings never carry a password hash or a token secret.

export const UserListing = z.object({
  name: z.string(),
  role: Role,
  clusters: z.nullable(z.array(z.string())),
  /** 'config': from the configuration file (change it there); 'database': from lvsctl or the API. */
  from: z.enum(['config', 'database']),
});
export type UserListing = z.infer<typeof UserListing>;

export const UserList = z.object({ users: z.array(UserListing) });

/** An API token as listed: never the token itself, nor its hash. */
export const TokenInfo = z.object({
  name: z.string(),
  role: Role,
  clusters: z.nullable(z.array(z.string())),
  createdBy: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.nullable(z.number()),
  revokedAt: z.nullable(z.number()),
  /** Epoch ms after which the token is refused; null: never (made before tokens expired). */
  expiresAt: z.nullable(z.number()),
  /** Past expiresAt when listed (then refused: 401). */
  expired: z.boolean(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

export const TokenList = z.object({ tokens: z.array(TokenInfo) });

/** POST /api/admin/tokens: the secret, shown this once. */
export const CreatedToken = z.object({ token: z.string(), info: TokenInfo });

export const RemovedUser = z.object({ removed: z.string() });
export const RevokedToken = z.object({ revoked: z.string() });
