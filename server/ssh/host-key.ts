import 'server-only';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Pure host-key logic: OpenSSH fingerprints and known_hosts lookups. No I/O here: the
// connection reads the file and hands its text in, so this is testable line by line.

/** OpenSSH SHA256 fingerprint of a raw public key blob: "SHA256:" + unpadded base64 of sha256. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Normalise a configured fingerprint for comparison (tolerates a trailing "="). */
export function normalizeFingerprint(fp: string): string {
  return fp.trim().replace(/=+$/, '');
}

/** The key type written inside a public key blob (its first SSH string), or null if malformed. */
export function keyTypeOfBlob(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const t = blob.subarray(4, 4 + len).toString('latin1');
  return /^[a-z0-9@.+-]+$/i.test(t) ? t : null;
}

/** The name known_hosts uses for a host: `host` on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export type KnownHostsMarker = 'revoked' | 'cert-authority' | null;

export type HostPatterns =
  | { kind: 'plain'; patterns: readonly string[] }
  | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  /** 1-based line number in the file. */
  line: number;
  marker: KnownHostsMarker;
  hosts: HostPatterns;
  keyType: string;
  keyBlob: Buffer;
  fingerprint: string;
}

export interface ParsedKnownHosts {
  entries: KnownHostsEntry[];
  /** Lines that could not be understood ("line 7: bad base64 key"), for diagnostics. */
  notes: string[];
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parse a known_hosts file (OpenSSH sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). */
export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const notes: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/[ \t]+/);
    let marker: KnownHostsMarker = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        notes.push(`line ${lineNo}: unknown marker ${m ?? ''}, line ignored`);
        return;
      }
    }
    const [hostField, keyType, keyB64] = fields;
    if (hostField === undefined || keyType === undefined || keyB64 === undefined) {
      notes.push(`line ${lineNo}: expected "hosts keytype base64key", line ignored`);
      return;
    }
    if (!B64.test(keyB64)) {
      notes.push(`line ${lineNo}: key is not base64, line ignored`);
      return;
    }
    const keyBlob = Buffer.from(keyB64, 'base64');
    const blobType = keyTypeOfBlob(keyBlob);
    if (blobType === null || blobType !== keyType) {
      notes.push(`line ${lineNo}: key blob type ${blobType ?? '(malformed)'} does not match ${keyType}, line ignored`);
      return;
    }
    let hosts: HostPatterns;
    if (hostField.startsWith('|1|')) {
      const [, , saltB64, hashB64, extra] = hostField.split('|');
      if (!saltB64 || !hashB64 || extra !== undefined || !B64.test(saltB64) || !B64.test(hashB64)) {
        notes.push(`line ${lineNo}: malformed hashed host name, line ignored`);
        return;
      }
      hosts = { kind: 'hashed', salt: Buffer.from(saltB64, 'base64'), hash: Buffer.from(hashB64, 'base64') };
    } else {
      hosts = { kind: 'plain', patterns: hostField.split(',').filter((p) => p !== '') };
    }
    if (marker === 'cert-authority') {
      notes.push(`line ${lineNo}: @cert-authority is not supported (host certificates are not used); line ignored`);
    }
    entries.push({ line: lineNo, marker, hosts, keyType, keyBlob, fingerprint: fingerprintSha256(keyBlob) });
  });
  return { entries, notes };
}

/** OpenSSH wildcard match (`*`, `?`), case-insensitive, over the whole string. */
function wildcardMatch(pattern: string, s: string): boolean {
  const p = pattern.toLowerCase();
  const t = s.toLowerCase();
  // Iterative glob with backtracking on the last `*`.
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Does this entry's host field name `name` (already in `[host]:port` form when port ≠ 22)? */
export function hostMatches(hosts: HostPatterns, name: string): boolean {
  if (hosts.kind === 'hashed') {
    const h = createHmac('sha1', hosts.salt).update(name).digest();
    return h.length === hosts.hash.length && timingSafeEqual(h, hosts.hash);
  }
  let positive = false;
  for (const pat of hosts.patterns) {
    if (pat.startsWith('!')) {
      if (wildcardMatch(pat.slice(1), name)) return false;
    } else if (wildcardMatch(pat, name)) {
      positive = true;
    }
  }
  return positive;
}

export type HostKeyVerdict =
  | { verdict: 'match'; fingerprint: string; line: number }
  | { verdict: 'mismatch'; presented: string; expected: string[] }
  | { verdict: 'unknown'; presented: string }
  | { verdict: 'revoked'; presented: string; line: number };

/**
 * Decide what known_hosts says about `keyBlob` presented by host:port.
 * @revoked for this host and key wins over everything; @cert-authority lines are ignored
 * (ssh2 does not use host certificates). A host with keys listed but none equal to the
 * presented one is a mismatch; a host with no usable line is unknown.
 */
export function checkKnownHosts(parsed: ParsedKnownHosts, host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const presented = fingerprintSha256(keyBlob);
  const forHost = parsed.entries.filter((e) => e.marker !== 'cert-authority' && hostMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob));
  if (revoked) return { verdict: 'revoked', presented, line: revoked.line };
  const trusted = forHost.filter((e) => e.marker === null);
  const hit = trusted.find((e) => e.keyBlob.equals(keyBlob));
  if (hit) return { verdict: 'match', fingerprint: presented, line: hit.line };
  if (trusted.length > 0) return { verdict: 'mismatch', presented, expected: [...new Set(trusted.map((e) => e.fingerprint))] };
  return { verdict: 'unknown', presented };
}

/** SSH host key algorithms (ssh2 names, ssh2's preference order) able to present the key types. */
export function hostKeyAlgorithmsFor(keyTypes: readonly string[]): string[] {
  const order: Array<[string, string]> = [
    ['ssh-ed25519', 'ssh-ed25519'],
    ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
    ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
    ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
    ['ssh-rsa', 'rsa-sha2-512'],
    ['ssh-rsa', 'rsa-sha2-256'],
    ['ssh-rsa', 'ssh-rsa'],
  ];
  const want = new Set(keyTypes);
  return order.filter(([type]) => want.has(type)).map(([, alg]) => alg);
}

/** Key types listed (not revoked) for host:port, to offer only algorithms that can match. */
export function knownKeyTypesFor(parsed: ParsedKnownHosts, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [
    ...new Set(parsed.entries.filter((e) => e.marker === null && hostMatches(e.hosts, name)).map((e) => e.keyType)),
  ];
}
