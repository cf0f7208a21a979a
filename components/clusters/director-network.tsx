import type { DirectorView } from '@/lib/models/cluster';
import type { DirectorNetwork } from '@/lib/models/nmcli';
import { RelativeTime } from '@/components/ui/relative-time';
import { StatusPill } from '@/components/ui/status-pill';

// A director's network as NetworkManager sees it: each interface (NetworkManager's state, the
// profile on it, the addresses it has now with keepalived's VIPs marked) and each profile's
// addresses (a VIP there is the classic NetworkManager split brain). A director without
// NetworkManager says so in one line: that is the normal case, not an error.

function deviceTone(state: string): 'ok' | 'warning' | 'neutral' {
  if (/^connected\b/.test(state)) return 'ok';
  if (state === 'unmanaged') return 'neutral';
  return 'warning';
}

export function DirectorNetworkSection({ director, vips }: { director: DirectorView; vips: ReadonlySet<string> }) {
  const n: DirectorNetwork | null | undefined = director.network;
  if (!n) return null;
  if (n.manager === 'none') {
    return (
      <p className="text-xs text-muted" data-testid="director-network" data-manager="none">
        Network: not managed by NetworkManager
      </p>
    );
  }
  const isVip = (cidr: string) => vips.has(cidr.split('/')[0] ?? '');
  const vipProfiles = n.profiles.filter((p) => [...p.ipv4Addresses, ...p.ipv6Addresses].some(isVip));
  return (
    <details className="group text-xs" data-testid="director-network" data-manager="networkmanager" open={vipProfiles.length > 0 || undefined}>
      <summary className="cursor-pointer">
        <span className="text-muted">Network:</span> NetworkManager, {n.interfaces.filter((i) => i.nm && /^connected\b/.test(i.nm.state)).length} of{' '}
        {n.interfaces.length} interfaces connected, {n.profiles.length} profiles
        {vipProfiles.length > 0 ? (
          <span className="ml-1.5 font-semibold text-red-700 dark:text-red-300" data-testid="director-network-vip-in-profile">
            VIP in profile {vipProfiles.map((p) => p.name).join(', ')}
          </span>
        ) : null}
        <span className="text-faint">
          {' '}
          · read <RelativeTime at={n.readAt} />
        </span>
      </summary>
      {n.error ? <p className="mt-1 text-amber-800 dark:text-amber-300">Last read failed: {n.error}</p> : null}
      <table className="mt-1.5 w-full" aria-label={`Interfaces of ${director.name}`}>
        <thead>
          <tr className="text-left text-muted">
            <th scope="col" className="pb-1 font-medium">Device</th>
            <th scope="col" className="pb-1 font-medium">NetworkManager</th>
            <th scope="col" className="pb-1 font-medium">Profile</th>
            <th scope="col" className="pb-1 font-medium" title="Addresses on the device now (ip addr); VIPs are keepalived's">
              Addresses now
            </th>
          </tr>
        </thead>
        <tbody>
          {n.interfaces.map((i) => (
            <tr key={i.device} className="border-t border-line align-top" data-testid={`director-interface-${i.device}`} data-state={i.nm?.state ?? ''}>
              <td className="py-1 font-mono">{i.device}</td>
              <td className="py-1">
                {i.nm ? (
                  <StatusPill tone={deviceTone(i.nm.state)} plain>
                    {i.nm.state}
                  </StatusPill>
                ) : (
                  '—'
                )}
              </td>
              <td className="py-1 font-mono">{i.nm?.connection ?? '—'}</td>
              <td className="py-1 font-mono break-all">
                {i.addresses.length === 0
                  ? '—'
                  : i.addresses.map((a, k) => (
                      <span key={a}>
                        {k > 0 ? ', ' : ''}
                        {a}
                        {isVip(a) ? <span className="font-sans text-faint"> (VIP)</span> : null}
                      </span>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="mt-2 w-full" aria-label={`NetworkManager profiles of ${director.name}`}>
        <thead>
          <tr className="text-left text-muted">
            <th scope="col" className="pb-1 font-medium">Profile</th>
            <th scope="col" className="pb-1 font-medium">Active on</th>
            <th scope="col" className="pb-1 font-medium">IPv4</th>
            <th scope="col" className="pb-1 font-medium">IPv6</th>
            <th scope="col" className="pb-1 font-medium">Autoconnect</th>
          </tr>
        </thead>
        <tbody>
          {n.profiles.map((p) => (
            <tr key={p.uuid} className="border-t border-line align-top" data-testid={`director-profile-${p.name}`}>
              <td className="py-1 font-mono" title={p.uuid}>
                {p.name}
              </td>
              <td className="py-1 font-mono">{p.device ?? '—'}</td>
              {[{ method: p.ipv4Method, list: p.ipv4Addresses }, { method: p.ipv6Method, list: p.ipv6Addresses }].map(({ method, list }, k) => (
                <td key={k} className="py-1 font-mono break-all">
                  <span className="font-sans text-faint">{method ?? '—'}</span>
                  {list.map((a) => (
                    <span key={a} className={isVip(a) ? 'font-semibold text-red-700 dark:text-red-300' : ''}>
                      {' '}
                      {a}
                      {isVip(a) ? ' (VIP!)' : ''}
                    </span>
                  ))}
                </td>
              ))}
              <td className="py-1">{p.autoconnect === null ? '—' : p.autoconnect ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
