// Connection survival across a director switch: which ESTABLISHED TCP entries of the director
// giving up the VIPs the peer taking them has no entry for (the IPVS sync daemon copies them; the
// peer drops or resets a mid-stream packet it has no entry for, unless sloppy_tcp). Both
// `ipvsadm -Lnc` listings are scanned in place by the parser's row reader (no row objects); only the
// peer's established keys are kept, up to a cap.

import { ConnectionRowReader, DESTINATION, SOURCE, VIRTUAL, scannedRow } from '@/server/parsers/ipvsadm-connections';

const { addressStart, addressEnd, port } = scannedRow;

/** At most this many of the peer's entries are remembered (about 100 bytes each). */
export const PEER_KEYS_CAP = 500_000;

type Lines = AsyncIterable<string> | Iterable<string>;

/** "client:port>vip:port>rs:port" of the row just scanned when it is an ESTABLISHED TCP entry, else null. */
function establishedKey(line: string): string | null {
  if (scannedRow.protocol(line) !== 'TCP' || scannedRow.state(line) !== 'ESTABLISHED') return null;
  const ep = (c: number) => `${line.slice(addressStart[c], addressEnd[c])}:${port[c]}`;
  return `${ep(SOURCE)}>${ep(VIRTUAL)}>${ep(DESTINATION)}`;
}

export interface PeerEntries {
  keys: Set<string>;
  /** More established entries than PEER_KEYS_CAP: the count below is a lower bound. */
  truncated: boolean;
}

/** The peer's established entries. */
export async function peerEntries(lines: Lines, cap = PEER_KEYS_CAP): Promise<PeerEntries> {
  const reader = new ConnectionRowReader();
  const keys = new Set<string>();
  let truncated = false;
  for await (const line of lines) {
    if (!reader.next(line)) continue;
    const k = establishedKey(line);
    if (k === null) continue;
    if (keys.size >= cap) truncated = true;
    else keys.add(k);
  }
  return { keys, truncated };
}

export interface SurvivalCount {
  /** Established TCP entries on the director giving up the VIPs. */
  established: number;
  /** Of those, the ones the peer has no entry for. */
  wouldBreak: number;
}

/** Counts the giving director's established entries, and those missing from the peer's. */
export async function countWouldBreak(lines: Lines, peer: PeerEntries): Promise<SurvivalCount> {
  const reader = new ConnectionRowReader();
  let established = 0;
  let wouldBreak = 0;
  for await (const line of lines) {
    if (!reader.next(line)) continue;
    const k = establishedKey(line);
    if (k === null) continue;
    established++;
    if (!peer.keys.has(k)) wouldBreak++;
  }
  return { established, wouldBreak };
}
