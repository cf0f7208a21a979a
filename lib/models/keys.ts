// Stable, human-readable keys for services, shared by server and browser (a real server's key is
// its endpoint, formatEndpoint in lib/address.ts).

import { formatEndpoint, formatFwmark } from '@/lib/address';

export interface ServiceIdentity {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  family: 'inet' | 'inet6';
  address: string | null;
  port: number | null;
  fwmark: number | null;
}

/** "TCP 192.0.2.100:80", "UDP [2001:db8::1]:53", "FWM 1", "FWM 1 IPv6". */
export function serviceKey(s: ServiceIdentity): string {
  if (s.protocol === 'FWM') return formatFwmark(s.fwmark, s.family);
  return `${s.protocol} ${formatEndpoint(s.address ?? '?', s.port ?? 0)}`;
}
