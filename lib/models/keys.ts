// Stable, human-readable keys for services and real servers, shared by server and browser.

/** "192.0.2.11:80", "[2001:db8::11]:80". */
export function hostPort(address: string, port: number): string {
  // Only an IPv6 address contains ':' (callers pass addresses, never host:port).
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface ServiceIdentity {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  family: 'inet' | 'inet6';
  address: string | null;
  port: number | null;
  fwmark: number | null;
}

/** "TCP 192.0.2.100:80", "UDP [2001:db8::1]:53", "FWM 1", "FWM 1 IPv6". */
export function serviceKey(s: ServiceIdentity): string {
  if (s.protocol === 'FWM') return `FWM ${s.fwmark ?? '?'}${s.family === 'inet6' ? ' IPv6' : ''}`;
  return `${s.protocol} ${hostPort(s.address ?? '?', s.port ?? 0)}`;
}
