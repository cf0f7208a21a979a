import 'server-only';
import { parseFwmark } from '@/lib/address';
import type { ClusterSnapshot, MergedService } from '@/lib/models/cluster';
import type { DiagnosticCheck } from '@/lib/models/diagnostics';
import { maintenanceConfigHint, type MaintenanceStatus } from '@/lib/models/maintenance';
import { networkManagerIssues } from '@/lib/network-manager-issues';
import { MAINTENANCE_TRACK_PATH } from '@/server/maintenance/preflight';

// "Check this cluster", the pure part: from a fresh merged snapshot (sysctls, tables, keepalived's
// configured weights: all read by the collector) and each director's `keepalived -t` answer, one
// verdict per check and director, each with the exact fix. No I/O here (server/api/diagnostics.ts).

export type ConfigTest = { ok: true; output: string } | { ok: false; output: string } | { error: string };

const SYSCTL_FILE = '/etc/sysctl.d/90-lvs.conf';

function sysctlFix(key: string, value: string | number): string {
  return `sysctl -w ${key}=${value}\necho '${key} = ${value}' >> ${SYSCTL_FILE}   # keep it after a reboot`;
}

/** The ipvsadm service argument for a service key: "TCP 192.0.2.100:80" -> "-t 192.0.2.100:80", "FWM 1 IPv6" -> "-f 1 -6". */
export function serviceArg(key: string): string {
  const fwm = parseFwmark(key);
  if (fwm) return `-f ${fwm.fwmark}${fwm.family === 'inet6' ? ' -6' : ''}`;
  const m = /^(TCP|UDP|SCTP) (.+)$/.exec(key);
  if (!m) return key;
  return `${m[1] === 'TCP' ? '-t' : m[1] === 'UDP' ? '-u' : '--sctp-service'} ${m[2]}`;
}

const FORWARD_FLAG: Record<string, string> = { Route: '-g', Masq: '-m', Tunnel: '-i' };

/**
 * Director maintenance (one click: the VIPs off a director through its VRRP track file) needs
 * keepalived to track the maintenance file: per director, whether it does, with the lines to add.
 */
export function diagnoseMaintenance(s: ClusterSnapshot, status: MaintenanceStatus): DiagnosticCheck[] {
  return status.directors.map((m) => {
    const d = s.directors.find((x) => x.name === m.director);
    const base = { id: `director-maintenance:${m.director}`, check: 'director-maintenance' as const, title: 'Director maintenance track file', director: m.director };
    if (!d?.live || d.instances.length === 0) return { ...base, status: 'unknown' as const, detail: `keepalived's configuration on ${m.director} has not been read.`, fix: null };
    if (m.trackFile === null) {
      const groups = [...new Set(d.instances.map((i) => i.syncGroup).filter((g): g is string => g !== null))];
      return {
        ...base,
        status: 'warning' as const,
        detail: `keepalived on ${m.director} does not track ${MAINTENANCE_TRACK_PATH}: it cannot be put in maintenance from the console (its VIPs moved to a peer, checked and verified).`,
        fix: `Add to keepalived.conf on ${m.director} (and every director), create the file with 0 owned by the console's user, reload keepalived:\n${maintenanceConfigHint(MAINTENANCE_TRACK_PATH, d.instances.map((i) => i.name), groups)}`,
      };
    }
    return {
      ...base,
      status: 'ok' as const,
      detail: `keepalived on ${m.director} tracks ${m.trackFile}${m.value ? ` (it holds ${m.value}: in maintenance${m.maintenance ? ` since ${new Date(m.maintenance.createdAt).toISOString()} by ${m.maintenance.actor}` : ''})` : ''}.`,
      fix: null,
    };
  });
}

/**
 * NetworkManager: per director whether it runs it (not being managed by it is normal), and each
 * issue lib/network-manager-issues.ts finds (the same as the live findings), with its nmcli fix.
 */
export function diagnoseNetworkManager(s: ClusterSnapshot): DiagnosticCheck[] {
  const issues = networkManagerIssues(s.directors, s.services);
  const out: DiagnosticCheck[] = s.directors.map((d) => {
    const base = { id: `networkmanager:${d.name}`, check: 'networkmanager' as const, title: 'NetworkManager', director: d.name, fix: null };
    const n = d.network;
    if (!n) return { ...base, status: 'unknown' as const, detail: `${d.name} has not been asked about NetworkManager yet.` };
    if (n.manager === 'none') return { ...base, status: 'not-applicable' as const, detail: `${d.name} is not managed by NetworkManager (nmcli absent or NetworkManager not running).` };
    const mine = issues.filter((i) => i.director === d.name).length;
    const active = n.profiles.filter((p) => p.device !== null).map((p) => `${p.name} on ${p.device}`);
    return {
      ...base,
      status: n.error ? ('unknown' as const) : ('ok' as const),
      detail:
        `NetworkManager runs on ${d.name}${active.length ? ` (active profiles: ${active.join(', ')})` : ''}; read ${new Date(n.readAt).toISOString()}` +
        (n.error ? `; the last read failed: ${n.error}` : mine > 0 ? `; ${mine} issue${mine > 1 ? 's' : ''} below.` : '; no VIP in a profile, VRRP and real-server-facing devices connected.'),
    };
  });
  for (const i of issues) {
    out.push({
      id: i.id,
      check: i.kind,
      title: i.kind === 'nm-vip-in-profile' ? 'VIP in a NetworkManager profile' : i.kind === 'nm-device-not-connected' ? 'Interface connected (NetworkManager)' : i.kind === 'nm-dhcp-on-vrrp' ? 'Static address on the VRRP interface' : 'VRRP interface managed alike on every director',
      // info (a VRRP interface managed on some directors only) is worth knowing, not wrong: ok, with the guidance
      status: i.severity === 'critical' ? 'problem' : i.severity === 'warning' ? 'warning' : 'ok',
      director: i.director,
      detail: i.message,
      fix: i.fix,
    });
  }
  return out;
}

export function diagnoseCluster(s: ClusterSnapshot, configTests: Readonly<Record<string, ConfigTest>>): DiagnosticCheck[] {
  const out: DiagnosticCheck[] = [];
  const natServices = s.services.filter((svc) => svc.realServers.some((r) => r.forward === 'Masq'));
  const persistent = s.services.filter((svc) => svc.persistent !== null);

  for (const d of s.directors) {
    const base = { director: d.name };
    if (!d.live) {
      out.push({ ...base, id: `director-reachable:${d.name}`, check: 'director-reachable', title: 'Director answers', status: 'problem',
        detail: `${d.name} did not answer the refresh this check asked for${d.error ? `: ${d.error.message}` : ''}; its checks below use its last data, or none.`,
        fix: 'Make the director reachable over SSH as the console user (see the error), then run the check again.' });
    }
    const h = d.health;

    // net.ipv4.ip_forward, needed by NAT (Masq) services: replies go back through the director.
    if (natServices.length === 0) {
      out.push({ ...base, id: `ip-forward:${d.name}`, check: 'ip-forward', title: 'IP forwarding for NAT services', status: 'not-applicable', detail: 'No NAT (masquerading) real servers in this cluster.', fix: null });
    } else if (h?.ipForward == null) {
      out.push({ ...base, id: `ip-forward:${d.name}`, check: 'ip-forward', title: 'IP forwarding for NAT services', status: 'unknown', detail: 'net.ipv4.ip_forward was not read from this director.', fix: null });
    } else {
      out.push({ ...base, id: `ip-forward:${d.name}`, check: 'ip-forward', title: 'IP forwarding for NAT services', status: h.ipForward ? 'ok' : 'problem',
        detail: h.ipForward
          ? `net.ipv4.ip_forward = 1 (needed by ${natServices.length} NAT service${natServices.length > 1 ? 's' : ''}).`
          : `net.ipv4.ip_forward = 0, but ${natServices.map((x) => x.key).join(', ')} use NAT: replies from the real servers are not forwarded back to clients${d.instances.some((i) => i.vipsHeld > 0) ? '' : ' (once this director becomes master)'}.`,
        fix: h.ipForward ? null : sysctlFix('net.ipv4.ip_forward', 1) });
    }

    // Connection tracking table against its maximum.
    if (h?.conntrackCount == null || h.conntrackMax == null || h.conntrackMax <= 0) {
      out.push({ ...base, id: `conntrack:${d.name}`, check: 'conntrack', title: 'Conntrack table size', status: 'unknown', detail: 'nf_conntrack_count / nf_conntrack_max were not read (module not loaded, or not readable).', fix: null });
    } else {
      const use = h.conntrackCount / h.conntrackMax;
      const status = use >= 0.9 ? 'problem' : use >= 0.75 ? 'warning' : 'ok';
      out.push({ ...base, id: `conntrack:${d.name}`, check: 'conntrack', title: 'Conntrack table size', status,
        detail: `${h.conntrackCount} of ${h.conntrackMax} entries in use (${Math.round(use * 100)}%)${status === 'ok' ? '.' : ': when it fills, the kernel drops new connections ("nf_conntrack: table full").'}`,
        fix: status === 'ok' ? null : sysctlFix('net.netfilter.nf_conntrack_max', Math.max(h.conntrackMax * 2, 262_144)) });
    }

    // expire_quiescent_template: with persistence, a drained (weight 0) server keeps getting the
    // clients its persistence templates point at until those expire, unless this is 1.
    if (persistent.length === 0) {
      out.push({ ...base, id: `expire-quiescent-template:${d.name}`, check: 'expire-quiescent-template', title: 'Drains end persistence (expire_quiescent_template)', status: 'not-applicable', detail: 'No persistent services in this cluster.', fix: null });
    } else if (h?.expireQuiescentTemplate == null) {
      out.push({ ...base, id: `expire-quiescent-template:${d.name}`, check: 'expire-quiescent-template', title: 'Drains end persistence (expire_quiescent_template)', status: 'unknown', detail: 'net.ipv4.vs.expire_quiescent_template was not read.', fix: null });
    } else {
      out.push({ ...base, id: `expire-quiescent-template:${d.name}`, check: 'expire-quiescent-template', title: 'Drains end persistence (expire_quiescent_template)', status: h.expireQuiescentTemplate ? 'ok' : 'warning',
        detail: h.expireQuiescentTemplate
          ? 'net.ipv4.vs.expire_quiescent_template = 1: a drained real server gets no new clients through persistence templates.'
          : `net.ipv4.vs.expire_quiescent_template = 0 with persistent services (${persistent.map((x) => x.key).join(', ')}): a drained real server keeps receiving returning clients until their persistence timeout runs out.`,
        fix: h.expireQuiescentTemplate ? null : sysctlFix('net.ipv4.vs.expire_quiescent_template', 1) });
    }

    // expire_nodest_conn: connections to a removed real server are dropped at once instead of hanging.
    if (h?.expireNodestConn == null) {
      out.push({ ...base, id: `expire-nodest-conn:${d.name}`, check: 'expire-nodest-conn', title: 'Connections to removed servers end (expire_nodest_conn)', status: 'unknown', detail: 'net.ipv4.vs.expire_nodest_conn was not read.', fix: null });
    } else {
      out.push({ ...base, id: `expire-nodest-conn:${d.name}`, check: 'expire-nodest-conn', title: 'Connections to removed servers end (expire_nodest_conn)', status: h.expireNodestConn ? 'ok' : 'warning',
        detail: h.expireNodestConn
          ? 'net.ipv4.vs.expire_nodest_conn = 1: when a checker removes a real server, its connections are reset and clients reconnect elsewhere.'
          : 'net.ipv4.vs.expire_nodest_conn = 0: when a checker removes a real server, packets of its existing connections are silently dropped until they time out (clients hang).',
        fix: h.expireNodestConn ? null : sysctlFix('net.ipv4.vs.expire_nodest_conn', 1) });
    }

    // keepalived -t
    const t = configTests[d.name];
    if (!t) {
      out.push({ ...base, id: `keepalived-config:${d.name}`, check: 'keepalived-config', title: 'keepalived configuration (keepalived -t)', status: 'unknown', detail: 'Not run (director not reachable).', fix: null });
    } else if ('error' in t) {
      out.push({ ...base, id: `keepalived-config:${d.name}`, check: 'keepalived-config', title: 'keepalived configuration (keepalived -t)', status: 'unknown', detail: `keepalived -t could not be run: ${t.error}`,
        fix: 'Allow it in the console user\'s sudoers (README "Least privilege": LVS_KEEPALIVED_TEST = /usr/sbin/keepalived ^(-t|--config-test)$).' });
    } else {
      const lines = t.output.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 8);
      out.push({ ...base, id: `keepalived-config:${d.name}`, check: 'keepalived-config', title: 'keepalived configuration (keepalived -t)', status: t.ok ? 'ok' : 'problem',
        detail: t.ok ? 'keepalived -t accepts /etc/keepalived/keepalived.conf.' : `keepalived -t refuses the configuration: ${lines.join(' | ') || '(no message)'}. A restart or reload would fail or drop what it cannot read.`,
        fix: t.ok ? null : 'Fix what keepalived -t names in /etc/keepalived/keepalived.conf (and included files), run `keepalived -t` until it exits 0, then `systemctl reload keepalived`.' });
    }
  }

  // Runtime weights against keepalived's configuration, on every live director.
  const live = new Set(s.directors.filter((d) => d.live).map((d) => d.name));
  for (const svc of s.services) {
    for (const rs of svc.realServers) {
      if (rs.configuredWeight === null) continue;
      for (const [director, v] of Object.entries(rs.perDirector)) {
        if (!live.has(director) || !v.present || v.weight === null || v.weight === rs.configuredWeight) continue;
        const id = `runtime-weights:${director}:${svc.key}:${rs.key}`;
        const title = 'Runtime weight matches keepalived.conf';
        if (rs.hold) {
          out.push({ id, check: 'runtime-weights', title, status: 'ok', director,
            detail: `${rs.key} in ${svc.key}: weight ${v.weight}, configured ${rs.configuredWeight}: held by the console (${rs.hold.kind} by ${rs.hold.actor}: ${rs.hold.reason}).`, fix: null });
        } else if (rs.trackFile) {
          out.push({ id, check: 'runtime-weights', title, status: 'ok', director,
            detail: `${rs.key} in ${svc.key}: weight ${v.weight} is set by keepalived's track file ${rs.trackFile.path} (weight ${rs.trackFile.base} + file value x ${rs.trackFile.multiplier}), not by keepalived.conf alone.`, fix: null });
        } else if (v.weight === 0 && rs.checkerAlive === false) {
          out.push({ id, check: 'runtime-weights', title, status: 'ok', director,
            detail: `${rs.key} in ${svc.key}: weight 0 because keepalived's checker finds it down (inhibit_on_failure).`, fix: null });
        } else {
          const flag = FORWARD_FLAG[v.forward ?? rs.forward ?? ''] ?? '-g';
          out.push({ id, check: 'runtime-weights', title, status: 'warning', director,
            detail: `${rs.key} in ${svc.key} has weight ${v.weight} on ${director}, but keepalived.conf says ${rs.configuredWeight}, and no console drain holds it: someone changed it by hand (it comes back on the next keepalived reload).`,
            fix: `ipvsadm -e ${serviceArg(svc.key)} -r ${rs.key} ${flag} -w ${rs.configuredWeight}   # on ${director}; or drain it in the console to record who and why` });
        }
      }
    }
  }

  // The directors' IPVS tables compared (what the backup would serve after a failover).
  if (live.size >= 2) {
    let differences = 0;
    for (const svc of s.services) differences += compareService(svc, [...live], out);
    if (differences === 0) {
      out.push({ id: 'tables-compared:all', check: 'tables-compared', title: "Directors' IPVS tables agree", status: 'ok', director: null,
        detail: `${s.services.length} services and their real servers are the same on ${[...live].join(', ')} (presence, weights).`, fix: null });
    }
  } else {
    out.push({ id: 'tables-compared:all', check: 'tables-compared', title: "Directors' IPVS tables agree", status: 'unknown', director: null, detail: 'Fewer than two directors answered: nothing to compare.', fix: null });
  }
  return out;
}

function compareService(svc: MergedService, live: readonly string[], out: DiagnosticCheck[]): number {
  let n = 0;
  const missingOn = live.filter((d) => !svc.presentOn.includes(d));
  if (missingOn.length > 0) {
    n++;
    out.push({ id: `tables-compared:${svc.key}`, check: 'tables-compared', title: "Directors' IPVS tables agree", status: 'problem', director: missingOn.join(', '),
      detail: `${svc.key} is on ${svc.presentOn.join(', ') || 'no director'} but not on ${missingOn.join(', ')}: after a failover to ${missingOn.join(' or ')}, this VIP would not be balanced.`,
      fix: `On ${missingOn.join(', ')}: compare /etc/keepalived/keepalived.conf with the other director's (the virtual_server block for ${svc.key}), run \`keepalived -t\`, then \`systemctl reload keepalived\`.` });
  }
  for (const rs of svc.realServers) {
    const present = live.filter((d) => svc.presentOn.includes(d));
    const absent = present.filter((d) => rs.perDirector[d]?.present !== true);
    const weights = new Set(present.filter((d) => rs.perDirector[d]?.present).map((d) => rs.perDirector[d]?.weight));
    if (absent.length > 0 && absent.length < present.length) {
      n++;
      out.push({ id: `tables-compared:${svc.key}:${rs.key}`, check: 'tables-compared', title: "Directors' IPVS tables agree", status: 'problem', director: absent.join(', '),
        detail: `${rs.key} in ${svc.key} is missing on ${absent.join(', ')} (present on ${present.filter((d) => !absent.includes(d)).join(', ')}): the checker there finds it down, or the configurations differ.`,
        fix: `On ${absent.join(', ')}: check keepalived's checker for ${rs.key} (journalctl -u keepalived | grep ${rs.address}) and that the real_server block matches the other director's; then \`systemctl reload keepalived\`.` });
    } else if (weights.size > 1 && !rs.hold) {
      n++;
      const list = present.map((d) => `${d}=${rs.perDirector[d]?.weight ?? '?'}`).join(', ');
      out.push({ id: `tables-compared:${svc.key}:${rs.key}:weight`, check: 'tables-compared', title: "Directors' IPVS tables agree", status: 'warning', director: null,
        detail: `${rs.key} in ${svc.key} has different weights: ${list}. After a failover its share of traffic changes.`,
        fix: rs.configuredWeight === null ? 'Set the same weight on every director (or drain/re-weight it in the console, which applies it to all).' : `Set keepalived.conf's weight ${rs.configuredWeight} where it differs: ipvsadm -e ${serviceArg(svc.key)} -r ${rs.key} ${FORWARD_FLAG[rs.forward ?? ''] ?? '-g'} -w ${rs.configuredWeight}` });
    }
  }
  return n;
}
