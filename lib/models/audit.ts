import { z } from 'zod/mini';

// The audit log: who did what, from where, to what, and how it went on each director.

/**
 * 'attempted': written before a change (drain, restore, weight, HAProxy, accounts, tokens); the
 * change is made only once this row is stored, and a second row with the outcome completes it.
 */
export const AuditOutcome = z.enum(['attempted', 'ok', 'partial', 'failed', 'refused']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const AuditEntry = z.object({
  id: z.string(),
  /** Epoch ms. */
  at: z.number(),
  /** Account, token ("token:NAME"), proxy user, or "system" for automatic repairs. */
  actor: z.string(),
  role: z.nullable(z.string()),
  source: z.string(),
  /** e.g. "drain", "restore", "weight", "drift-repair", "login", "user-add", or "POST /api/..." when refused before a handler ran. */
  action: z.string(),
  cluster: z.nullable(z.string()),
  /** e.g. "TCP 192.0.2.100:80 -> 192.0.2.11:80" or a host address. */
  target: z.nullable(z.string()),
  outcome: AuditOutcome,
  /** The id of the 'attempted' row this row completes (null for rows that complete nothing). */
  attemptId: z.nullable(z.string()),
  /**
   * For an 'attempted' row: the id of the row that completed it; null when no outcome is recorded
   * (the action is still running, or the process stopped, or the outcome could not be written).
   * Derived when listing (not part of the row's hash). Null for other rows.
   */
  outcomeId: z.nullable(z.string()),
  /** Free-form JSON: per-director results, reason, ticket, error message. Never secrets. */
  detail: z.unknown(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'hash' | 'at' | 'attemptId' | 'outcomeId'> & { at?: number };

/** GET /api/audit: newest first; page back with ?before=<id of the last entry>. */
export const AuditList = z.object({ entries: z.array(AuditEntry) });
export type AuditList = z.infer<typeof AuditList>;
