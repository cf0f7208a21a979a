// Types of peer-stamp.mjs (plain JavaScript: the launcher bin/next-server.mjs imports it under Node).
export const PEER_HEADER: 'x-lvs-peer';
export const STAMP_HEADER: 'x-lvs-peer-stamp';
export function isInternalHeader(name: string): boolean;
export function installPeerSecret(): void;
export function hasPeerSecret(): boolean;
export function peerStamp(peer: string, secret?: Buffer | null): string;
export function stampRequest(req: { headers: Record<string, string | string[] | undefined>; rawHeaders?: string[] }, peer: string | undefined): void;
export type PeerProblem = 'no-secret' | 'unstamped' | 'bad-stamp';
export function verifyPeer(peer: string | null, stamp: string | null, secret?: Buffer | null): { peer: string; problem: null } | { peer: null; problem: PeerProblem };
