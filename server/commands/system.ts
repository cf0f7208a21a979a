import 'server-only';
import { builder, CommandArgumentError, defineCommand, fixedCommand, type CatalogueCommand } from './command';
import {
  epochMs,
  journalCursor,
  lineCount,
  plainObject,
  connectionUuid,
  readablePath,
  stringList,
  syslogIdentifier,
  sysctlKey,
  unitName,
  type SysctlKey,
} from './validators';

// Read-only system commands that need no root: addresses, files, journal, sysctls, NetworkManager.

/** `ip -j addr show`: who holds which address (the VIP owner is the VRRP truth). */
export const ipAddrJson = fixedCommand('ipAddrJson', { argv: ['ip', '-j', 'addr', 'show'], sudo: false, description: 'List addresses as JSON' });

/** `ip -j route show`: the main routing table (a NAT real server must route back through the director). */
export const ipRouteJson = fixedCommand('ipRouteJson', { argv: ['ip', '-j', 'route', 'show'], sudo: false, description: 'List IPv4 routes as JSON' });

/** Every interface's arp_ignore, arp_announce and rp_filter (all, default, each interface), one fixed pattern. */
export const ipv4ConfSysctls = fixedCommand('ipv4ConfSysctls', {
  argv: ['/sbin/sysctl', '-a', '-r', '^net\\.ipv4\\.conf\\.[^.]+\\.(arp_ignore|arp_announce|rp_filter)$'],
  sudo: false,
  description: 'Read arp_ignore, arp_announce and rp_filter of every interface',
});

export interface ReadFileOptions {
  /** Only the last N lines (`tail -n N`). */
  tailLines?: number;
}

/**
 * No file is read with sudo: keepalived's dumps are root's 0600 files by default, so directors run
 * keepalived with the console user's group and `umask IWGRP|IROTH|IWOTH|IXOTH` (0640
 * root:lvsconsole dumps, unreadable by other local users: they hold VRRP passwords) — see README
 * "Least privilege". A sudo rule for `cat` on /tmp paths would be a symlink away from reading any file.
 */
/** `cat PATH` or `tail -n N PATH`, for allow-listed paths only (never with sudo). */
export const readFile = builder('readFile', (path: string, opts: ReadFileOptions = {}): CatalogueCommand => {
  const p = readablePath('path', path);
  const o = plainObject('opts', opts);
  if (o.tailLines !== undefined) {
    const n = lineCount('opts.tailLines', o.tailLines);
    return defineCommand({ name: 'readFile', argv: ['tail', '-n', String(n), p], sudo: false, description: `Last ${n} lines of ${p}` });
  }
  return defineCommand({ name: 'readFile', argv: ['cat', p], sudo: false, description: `Read ${p}` });
});

export type JournalSource = { unit: string } | { identifiers: readonly string[] };

export interface JournalArgs {
  source: JournalSource;
  /** Entries from this time on (epoch ms or Date). */
  since?: number | Date;
  /** Entries after this cursor (from a previous entry's __CURSOR); wins over `since`. */
  afterCursor?: string;
  /** At most the last N matching entries. */
  lines?: number;
}

/** `journalctl --no-pager -o json (-u UNIT | -t ID…) [--since=@EPOCH | --after-cursor=C] [-n N]` */
export const journalctlEntries = builder('journalctlEntries', (args: JournalArgs): CatalogueCommand => {
  const o = plainObject('args', args);
  const src = plainObject('source', o.source);
  const sel: string[] = [];
  if ('unit' in src) {
    sel.push('-u', unitName('source.unit', src.unit));
  } else if ('identifiers' in src) {
    for (const id of stringList('source.identifiers', src.identifiers, 8, syslogIdentifier)) sel.push('-t', id);
  } else {
    throw new CommandArgumentError('source', src, 'must have unit or identifiers');
  }
  const range: string[] = [];
  if (o.afterCursor !== undefined) range.push(`--after-cursor=${journalCursor('afterCursor', o.afterCursor)}`);
  else if (o.since !== undefined) range.push(`--since=@${Math.floor(epochMs('since', o.since) / 1000)}`);
  if (o.lines !== undefined) range.push('-n', String(lineCount('lines', o.lines)));
  return defineCommand({
    name: 'journalctlEntries',
    argv: ['journalctl', '--no-pager', '-o', 'json', ...sel, ...range],
    sudo: false,
    description: 'Read keepalived journal entries as JSON',
  });
});

/** `/sbin/sysctl -e KEY…` for allow-listed keys (absolute path: /sbin is not on a non-root PATH). */
export const sysctlRead = builder('sysctlRead', (keys: readonly SysctlKey[]): CatalogueCommand => {
  const ks = stringList('keys', keys, 32, sysctlKey);
  return defineCommand({ name: 'sysctlRead', argv: ['/sbin/sysctl', '-e', ...ks], sudo: false, description: `Read ${ks.join(', ')}` });
});

/** Conntrack table fill: count, max, buckets (missing keys are skipped when nf_conntrack is not loaded). */
export const conntrackFigures = fixedCommand('conntrackFigures', {
  argv: ['/sbin/sysctl', '-e', 'net.netfilter.nf_conntrack_count', 'net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_buckets'],
  sudo: false,
  description: 'Read conntrack table size and fill',
});

/** `pidof conntrackd`: whether netfilter's connection tracking state is synced between directors (exit 1: not running). */
export const pidofConntrackd = fixedCommand('pidofConntrackd', { argv: ['pidof', 'conntrackd'], sudo: false, description: 'Is conntrackd running' });

/**
 * `nmcli -t -f RUNNING general`: "running" when NetworkManager runs; exit 8 ("NetworkManager is not
 * running") or 127 (no nmcli) otherwise. Detection: directors without it are asked once.
 */
export const nmcliRunning = fixedCommand('nmcliRunning', {
  argv: ['nmcli', '-t', '-f', 'RUNNING', 'general'],
  sudo: false,
  description: 'Is NetworkManager running',
});

/** The profile settings the console reads (and the order `nmcliProfiles` asks for them). */
export const NMCLI_PROFILE_FIELDS = [
  'connection.id',
  'connection.uuid',
  'connection.type',
  'connection.interface-name',
  'connection.autoconnect',
  'ipv4.method',
  'ipv4.addresses',
  'ipv4.never-default',
  'ipv6.method',
  'ipv6.addresses',
] as const;

/** `nmcli -t -f <NMCLI_PROFILE_FIELDS> connection show UUID…`: profiles' addresses and methods (no secrets asked for). */
export const nmcliProfiles = builder('nmcliProfiles', (uuids: readonly string[]): CatalogueCommand => {
  const ids = stringList('uuids', uuids, 64, connectionUuid);
  return defineCommand({
    name: 'nmcliProfiles',
    argv: ['nmcli', '-t', '-f', NMCLI_PROFILE_FIELDS.join(','), 'connection', 'show', ...ids],
    sudo: false,
    description: `Read ${ids.length} NetworkManager profile${ids.length === 1 ? '' : 's'} (addresses, methods, autoconnect)`,
  });
});

/** `nmcli -t -f DEVICE,TYPE,STATE,CONNECTION device status` */
export const nmcliDevices = fixedCommand('nmcliDevices', {
  argv: ['nmcli', '-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status'],
  sudo: false,
  description: 'List NetworkManager devices',
});

/** `nmcli -t -f NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT connection show` (the parser's default fields) */
export const nmcliConnections = fixedCommand('nmcliConnections', {
  argv: ['nmcli', '-t', '-f', 'NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT', 'connection', 'show'],
  sudo: false,
  description: 'List NetworkManager connections',
});
