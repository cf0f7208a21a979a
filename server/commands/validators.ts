import 'server-only';
import { isIP, isIPv4, type IpFamily } from '@/lib/address';
import { CommandArgumentError } from './command';

// Strict validators for every value that can end up in a catalogue argv. Each takes the
// field's name (for the error) and an `unknown` (route handlers pass user input), and
// returns the typed value or throws CommandArgumentError. Nothing here trims, coerces or
// guesses: "80" is not a port, " 1.2.3.4" is not an address.

function fail(field: string, value: unknown, reason: string): never {
  throw new CommandArgumentError(field, value, reason);
}

function str(field: string, value: unknown, max = 256): string {
  if (typeof value !== 'string') fail(field, value, 'must be a string');
  if (value.length === 0) fail(field, value, 'must not be empty');
  if (value.length > max) fail(field, value, `must be at most ${max} characters`);
  if (value.includes('\0')) fail(field, value, 'must not contain NUL');
  return value;
}

function int(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(field, value, 'must be an integer');
  if (value < min || value > max) fail(field, value, `must be between ${min} and ${max}`);
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const list = allowed.length <= 14 ? allowed.join(', ') : `${allowed.length} allow-listed values (${allowed.slice(0, 3).join(', ')}, …)`;
    fail(field, value, `must be one of ${list}`);
  }
  return value as T;
}

/** The validator of one closed set of words (the field must be one of them). */
function oneOfThese<T extends string>(allowed: readonly T[]): (field: string, value: unknown) => T {
  return (field, value) => oneOf(field, value, allowed);
}

export type { IpFamily };

/** An IPv4 (dotted quad, no leading zeros) or IPv6 address; no zone id, no brackets, no port. */
export function ipAddress(field: string, value: unknown): string {
  const s = str(field, value, 45);
  if (s.includes('%')) fail(field, value, 'zone ids (%eth0) are not accepted');
  if (isIP(s) !== 0) return s.toLowerCase();
  return fail(field, value, 'must be an IPv4 or IPv6 address');
}

export function ipFamilyOf(address: string): IpFamily {
  return isIPv4(address) ? 'inet' : 'inet6';
}

/** Port 1–65535; 0 only where `allowZero` (real servers of fwmark services). */
export function port(field: string, value: unknown, allowZero = false): number {
  return int(field, value, allowZero ? 0 : 1, 65535);
}

export function fwmark(field: string, value: unknown): number {
  return int(field, value, 1, 0xffff_ffff);
}

export function weight(field: string, value: unknown): number {
  return int(field, value, 0, 65535);
}

/** Connection thresholds (-x/-y): ipvsadm accepts 0..INT_MAX. */
export function threshold(field: string, value: unknown): number {
  return int(field, value, 0, 2_147_483_647);
}

export const IPVS_PROTOCOLS = ['tcp', 'udp', 'sctp', 'fwm'] as const;
export type IpvsProtocolArg = (typeof IPVS_PROTOCOLS)[number];
export const protocol = oneOfThese(IPVS_PROTOCOLS);

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];
export const scheduler = oneOfThese(SCHEDULERS);

export const FORWARD_METHODS = ['route', 'masq', 'tunnel'] as const;
export type ForwardMethodArg = (typeof FORWARD_METHODS)[number];
export const forwardMethod = oneOfThese(FORWARD_METHODS);

export function family(field: string, value: unknown): IpFamily {
  return oneOf(field, value, ['inet', 'inet6'] as const);
}

export function bool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(field, value, 'must be true or false');
  return value;
}

export function plainObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, value, 'must be an object');
  return value as Record<string, unknown>;
}

// Track files: keepalived FILE_CHECK files the console writes to hold a drain across keepalived
// flaps. Their directory, naming and value range are defined here only.

export const TRACK_DIR = '/var/lib/lvs-console/track';
/** Largest number written to a track file. */
export const TRACK_VALUE_MAX = 1_000_000;

/** The absolute path of the track file NAME (already validated). */
export function trackPath(name: string): string {
  return `${TRACK_DIR}/${name}`;
}

/** A keepalived FILE_CHECK track file name: [a-z0-9._-], starting with a letter or digit. */
export function trackFileName(field: string, value: unknown): string {
  const s = str(field, value, 64);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(s)) fail(field, value, 'must match [a-z0-9][a-z0-9._-]* (at most 64 characters)');
  return s;
}

/** The absolute path of a track file, from the allow-listed directory only. */
export function trackFilePath(field: string, value: unknown): string {
  const s = str(field, value, 128);
  const prefix = `${TRACK_DIR}/`;
  if (!s.startsWith(prefix)) fail(field, value, `must be a file directly under ${TRACK_DIR}/`);
  trackFileName(field, s.slice(prefix.length));
  return s;
}

/** The track file name if `path` is one the console may write (directly under TRACK_DIR), else null. */
export function trackNameOf(path: string): string | null {
  try {
    return trackFileName('path', trackFilePath('path', path).slice(TRACK_DIR.length + 1));
  } catch (e) {
    if (e instanceof CommandArgumentError) return null;
    throw e;
  }
}

/** Value written to a track file (keepalived reads an integer; 0 = up). */
export function trackValue(field: string, value: unknown): number {
  return int(field, value, 0, TRACK_VALUE_MAX);
}

/** Files the console may read (keepalived dumps, its log, its pid file). */
const READABLE_FIXED = [
  '/tmp/keepalived.data',
  '/tmp/keepalived.stats',
  '/tmp/keepalived.json',
  '/tmp/keepalived_check.data',
  '/tmp/keepalived_check.stats',
  '/run/keepalived.pid',
  '/var/log/keepalived.log',
  '/var/log/keepalived-notify.log',
] as const;
/** Plus keepalived logs under /var/log: /var/log/keepalived*.log or /var/log/keepalived/*.log. */
const READABLE_LOG = /^\/var\/log\/(?:keepalived[a-z0-9_-]*\.log|keepalived\/[a-z0-9][a-z0-9_-]*\.log)$/;

export function readablePath(field: string, value: unknown): string {
  const s = str(field, value, 128);
  if ((READABLE_FIXED as readonly string[]).includes(s) || READABLE_LOG.test(s)) return s;
  return fail(field, value, `must be one of ${READABLE_FIXED.join(', ')} or /var/log/keepalived*.log`);
}

export function lineCount(field: string, value: unknown): number {
  return int(field, value, 1, 1_000_000);
}

/** sysctl keys the console reads (forwarding, IPVS, ARP behaviour for DR, conntrack). */
export const SYSCTL_KEYS = [
  'net.ipv4.ip_forward',
  'net.ipv6.conf.all.forwarding',
  'net.ipv4.ip_nonlocal_bind',
  'net.ipv6.ip_nonlocal_bind',
  'net.ipv4.conf.all.arp_ignore',
  'net.ipv4.conf.all.arp_announce',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.vs.am_droprate',
  'net.ipv4.vs.amemthresh',
  'net.ipv4.vs.conn_reuse_mode',
  'net.ipv4.vs.conntrack',
  'net.ipv4.vs.drop_entry',
  'net.ipv4.vs.drop_packet',
  'net.ipv4.vs.expire_nodest_conn',
  'net.ipv4.vs.expire_quiescent_template',
  'net.ipv4.vs.ignore_tunneled',
  'net.ipv4.vs.run_estimation',
  'net.ipv4.vs.schedule_icmp',
  'net.ipv4.vs.secure_tcp',
  'net.ipv4.vs.sloppy_sctp',
  'net.ipv4.vs.sloppy_tcp',
  'net.ipv4.vs.snat_reroute',
  'net.ipv4.vs.sync_threshold',
  'net.ipv4.vs.sync_version',
  'net.netfilter.nf_conntrack_count',
  'net.netfilter.nf_conntrack_max',
  'net.netfilter.nf_conntrack_buckets',
] as const;
export type SysctlKey = (typeof SYSCTL_KEYS)[number];
export const sysctlKey = oneOfThese(SYSCTL_KEYS);

export const KEEPALIVED_SIGNAL_KINDS = ['data', 'stats', 'json'] as const;
export type KeepalivedSignalKind = (typeof KEEPALIVED_SIGNAL_KINDS)[number];
export const keepalivedSignalKind = oneOfThese(KEEPALIVED_SIGNAL_KINDS);

/** A systemd unit name (keepalived, keepalived@x.service). */
export function unitName(field: string, value: unknown): string {
  const s = str(field, value, 128);
  if (!/^[A-Za-z0-9][A-Za-z0-9@._:-]*$/.test(s)) fail(field, value, 'must be a systemd unit name');
  return s;
}

/** A syslog identifier (Keepalived_vrrp). */
export function syslogIdentifier(field: string, value: unknown): string {
  const s = str(field, value, 64);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s)) fail(field, value, 'must be a syslog identifier ([A-Za-z0-9_.-])');
  return s;
}

/** A NetworkManager connection UUID (the only form a profile is named by in argv: names may hold anything). */
export function connectionUuid(field: string, value: unknown): string {
  const s = str(field, value, 36);
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s)) fail(field, value, 'must be a UUID (8-4-4-4-12 hex digits)');
  return s.toLowerCase();
}

/** A journal cursor as printed in __CURSOR: "s=…;i=…;b=…;m=…;t=…;x=…". */
export function journalCursor(field: string, value: unknown): string {
  const s = str(field, value, 512);
  if (!/^[a-z]=[0-9a-f]+(?:;[a-z]=[0-9a-f]+)*$/.test(s)) fail(field, value, 'must be a journal cursor (s=…;i=…;b=…)');
  return s;
}

/** A point in time as epoch milliseconds (or a Date), from 2000 to 2100. */
export function epochMs(field: string, value: unknown): number {
  const n = value instanceof Date ? value.getTime() : value;
  return int(field, n, Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1));
}

export function stringList<T>(field: string, value: unknown, max: number, each: (f: string, v: unknown) => T): T[] {
  if (!Array.isArray(value)) fail(field, value, 'must be a list');
  if (value.length === 0) fail(field, value, 'must not be empty');
  if (value.length > max) fail(field, value, `must have at most ${max} items`);
  return (value as unknown[]).map((v, i) => each(`${field}[${i}]`, v));
}
