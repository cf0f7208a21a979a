import { z } from 'zod/mini';

// GET /api/consoles: the consoles sharing this console's store (#16), which clusters each leads,
// and whether this one reaches the store. Host names and process ids, never the store's URL.

/** The lease name of the store's own housekeeping (history compaction, audit-head anchors), beside the clusters'. */
export const STORE_LEASE = '@store';

export const ConsoleInfo = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  startedAt: z.number(),
  /** Milliseconds since its last heartbeat (its last lease renewal). */
  seenAgoMs: z.number(),
  /** Beating within a lease. */
  live: z.boolean(),
  /** The console answering this request. */
  self: z.boolean(),
  /** The clusters (and '@store', the store's housekeeping) whose side effects it runs. */
  leads: z.array(z.string()),
});
export type ConsoleInfo = z.infer<typeof ConsoleInfo>;

export const LeaseInfo = z.object({
  name: z.string(),
  holder: z.string(),
  /** Milliseconds since the holder renewed it. */
  ageMs: z.number(),
  /** Milliseconds until it runs out (negative: it has; the next console to tick takes it). */
  expiresInMs: z.number(),
});
export type LeaseInfo = z.infer<typeof LeaseInfo>;

export const ConsolesView = z.object({
  store: z.enum(['sqlite', 'postgres']),
  /** False: this console lost its store; it has stopped its side effects and refuses changes. */
  storeReachable: z.boolean(),
  storeError: z.nullable(z.string()),
  leaseMs: z.number(),
  consoles: z.array(ConsoleInfo),
  leases: z.array(LeaseInfo),
});
export type ConsolesView = z.infer<typeof ConsolesView>;
