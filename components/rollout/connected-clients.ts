import type { DrainProgress } from '@/lib/models/drain';

// Who still holds a host the rollout drains, from the drain progress with connections (-Lnc on the
// director holding each VIP): entries, distinct clients, the first client addresses, the estimate
// and its note, and the directors that could not be read. Pure: the board renders it, the tests
// read it.

/** At most this many client addresses are listed (the API sends the first 50 per director). */
export const CLIENTS_SHOWN = 12;

export interface ConnectedClients {
  /** -Lnc entries to the host's real servers, over every director read. */
  entries: number;
  /** Distinct client addresses (summed over directors). */
  distinctClients: number;
  /** The first client addresses, each once. */
  clients: string[];
  /** Distinct clients not listed in `clients`. */
  more: number;
  /** Seconds until the last entry expires if nothing new arrives; null when unknown. */
  estimatedSecondsToZero: number | null;
  /** Why the estimate is a lower bound, when it is. */
  estimateNote: string | null;
  /** "dir2: ssh timed out" for each director whose table could not be read. */
  errors: string[];
}

export function connectedClients(p: Pick<DrainProgress, 'connections' | 'estimatedSecondsToZero' | 'estimateNote'>): ConnectedClients {
  const clients: string[] = [];
  let entries = 0;
  let distinctClients = 0;
  const errors: string[] = [];
  for (const c of p.connections) {
    entries += c.entries;
    distinctClients += c.distinctClients;
    if (c.error) errors.push(`${c.director}: ${c.error}`);
    for (const a of c.clients) if (clients.length < CLIENTS_SHOWN && !clients.includes(a)) clients.push(a);
  }
  return {
    entries,
    distinctClients,
    clients,
    more: Math.max(0, distinctClients - clients.length),
    estimatedSecondsToZero: p.estimatedSecondsToZero,
    estimateNote: p.estimateNote,
    errors,
  };
}
