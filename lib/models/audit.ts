import { z } from 'zod';

// The audit log: who did what, from where, to what, and how it went on each director.

export const AuditOutcome = z.enum(['ok', 'partial', 'failed', 'refused']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const AuditEntry = z.object({
  id: z.string(),
  /** Epoch ms. */
  at: z.number(),
  /** Account, token ("token:NAME"), proxy user, or "system" for automatic repairs. */
  actor: z.string(),
  role: z.string().nullable(),
  source: z.string(),
  /** e.g. "drain", "restore", "weight", "drift-repair", "login", "user-add", or "POST /api/..." when refused before a handler ran. */
  action: z.string(),
  cluster: z.string().nullable(),
  /** e.g. "TCP 192.0.2.100:80 -> 192.0.2.11:80" or a host address. */
  target: z.string().nullable(),
  outcome: AuditOutcome,
  /** Free-form JSON: per-director results, reason, ticket, error message. Never secrets. */
  detail: z.unknown(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'hash' | 'at'> & { at?: number };

/** GET /api/audit: newest first; page back with ?before=<id of the last entry>. */
export const AuditList = z.object({ entries: z.array(AuditEntry) });
export type AuditList = z.infer<typeof AuditList>;
