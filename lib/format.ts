// Formatting of the figures the console shows: rates, counts, durations and times (addresses and
// endpoints: lib/address.ts).
// Pure functions, no locale surprises: every output is fixed English with SI prefixes, so a
// screenshot, a test and an operator's terminal all read the same.

import { netmaskPrefix } from './address';

const EM_DASH = '—';

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'] as const;

const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "—" for null/undefined/NaN: a missing value is never shown as 0. */
function missing(value: number | null | undefined): value is null | undefined {
  return value === null || value === undefined || Number.isNaN(value);
}

/**
 * A number with an SI prefix and three significant digits: 950 → "950", 1234 → "1.23 k",
 * 12_345_678 → "12.3 M". Integers below 1000 print as integers; fractions below 1 keep two
 * decimals ("0.25"). The space between number and prefix is a regular space.
 */
export function formatSi(value: number | null | undefined): string {
  if (missing(value)) return EM_DASH;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const sign = value < 0 ? '-' : '';
  let abs = Math.abs(value);
  if (abs < 1000) {
    if (Number.isInteger(abs)) return `${sign}${abs}`;
    if (abs < 1) return `${sign}${trimZeros(abs.toFixed(2))}`;
    return `${sign}${trimZeros(abs.toPrecision(3))}`;
  }
  let exponent = 0;
  while (abs >= 1000 && exponent < SI_PREFIXES.length - 1) {
    abs /= 1000;
    exponent += 1;
  }
  // Rounding can carry to 1000 (999.96 k → "1000 k"): move to the next prefix instead.
  let digits = abs.toPrecision(3);
  if (Number(digits) >= 1000 && exponent < SI_PREFIXES.length - 1) {
    abs /= 1000;
    exponent += 1;
    digits = abs.toPrecision(3);
  }
  return `${sign}${trimZeros(digits)} ${SI_PREFIXES[exponent] ?? ''}`;
}

function trimZeros(text: string): string {
  if (!text.includes('.') || text.includes('e')) return text;
  return text.replace(/\.?0+$/, '');
}

function withUnit(value: number | null | undefined, unit: string, fusePrefix: boolean): string {
  if (missing(value)) return EM_DASH;
  const si = formatSi(value);
  // Symbols take the prefix ("1.23 kB/s"); words stand apart ("1.23 k conn/s"); "950 B/s".
  return fusePrefix && /\s[kMGTPE]$/.test(si) ? `${si}${unit}` : `${si} ${unit}`;
}

/** Connections per second: "12 conn/s", "1.23 k conn/s". */
export function formatCps(value: number | null | undefined): string {
  return withUnit(value, 'conn/s', false);
}

/** Packets per second: "950 pkt/s", "12.3 k pkt/s". */
export function formatPps(value: number | null | undefined): string {
  return withUnit(value, 'pkt/s', false);
}

/** Bytes per second with SI (decimal) prefixes: "512 B/s", "1.5 MB/s". */
export function formatBytesPerSecond(value: number | null | undefined): string {
  return withUnit(value, 'B/s', true);
}

/** Bytes with SI prefixes: "512 B", "4.2 GB". */
export function formatBytes(value: number | null | undefined): string {
  return withUnit(value, 'B', true);
}

/** An exact count with thousands separators: 1234567 → "1,234,567". */
export function formatCount(value: number | null | undefined): string {
  if (missing(value)) return EM_DASH;
  return COUNT_FORMAT.format(value);
}

/** A percentage of a whole, one decimal below 10 %: (45, 1000) → "4.5 %". */
export function formatPercent(part: number | null | undefined, whole: number | null | undefined): string {
  if (missing(part) || missing(whole) || whole === 0) return EM_DASH;
  const pct = (part / whole) * 100;
  return `${pct < 10 ? trimZeros(pct.toFixed(1)) : Math.round(pct).toString()} %`;
}

const UNITS: readonly { label: string; ms: number }[] = [
  { label: 'd', ms: 86_400_000 },
  { label: 'h', ms: 3_600_000 },
  { label: 'min', ms: 60_000 },
  { label: 's', ms: 1000 },
];

/**
 * A duration with its two largest non-zero units, truncated (never rounded up, so a countdown
 * never shows more than is left): 3000 → "3 s", 252_000 → "4 min 12 s", 7_200_000 → "2 h",
 * 7_500_000 → "2 h 5 min", below one second → "0 s" (or "450 ms" with `{ ms: true }`).
 */
export function formatDuration(ms: number | null | undefined, options: { ms?: boolean } = {}): string {
  if (missing(ms)) return EM_DASH;
  if (!Number.isFinite(ms)) return '∞';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return options.ms ? `${sign}${Math.floor(rest)} ms` : `${sign}0 s`;
  const parts: string[] = [];
  for (const unit of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / unit.ms);
    rest -= n * unit.ms;
    if (n > 0) parts.push(`${n} ${unit.label}`);
    else if (parts.length === 1) break; // "2 h" not "2 h 0 min 5 s": the second unit must be adjacent
  }
  return `${sign}${parts.join(' ')}`;
}

/** "4.5 s", "12 s", "2 min 5 s": an interval as an operator compares it with the poll interval. */
export function formatInterval(ms: number): string {
  if (ms >= 60_000) return formatDuration(ms);
  const s = ms / 1000;
  return `${s < 10 ? (Math.round(s * 10) / 10).toString() : Math.round(s).toString()} s`;
}

/**
 * How long ago `at` was, seen from `now`: "now" (under 1 s), "12 s ago", "4 min 12 s ago".
 * A time slightly in the future (clock skew under 2 s) counts as "now"; further ahead: "in 5 s".
 */
export function formatRelative(at: number | null | undefined, now: number): string {
  if (missing(at)) return 'never';
  const delta = now - at;
  if (delta < 1000 && delta > -2000) return 'now';
  if (delta < 0) return `in ${formatDuration(-delta)}`;
  return `${formatDuration(delta)} ago`;
}

/**
 * A wall-clock time "12:03:04" (24 h), with the date prefixed ("2024-05-02 12:03:04") when it is
 * not the same calendar day as `now` (or always, with `date: true`), and the zone's short name
 * appended with `zone: true` ("12:03:04 UTC", "12:03:04 GMT+1"). `timeZone` defaults to the viewer's.
 */
export function formatClock(at: number | null | undefined, options: { now?: number; timeZone?: string; zone?: boolean; date?: boolean } = {}): string {
  if (missing(at)) return EM_DASH;
  const time = partsOf(at, options.timeZone);
  const hms = `${time.hour}:${time.minute}:${time.second}`;
  const zone = options.zone ? ` ${zoneName(at, options.timeZone)}` : '';
  let sameDay = !options.date;
  if (sameDay && options.now !== undefined) {
    const today = partsOf(options.now, options.timeZone);
    sameDay = today.year === time.year && today.month === time.month && today.day === time.day;
  }
  return sameDay ? `${hms}${zone}` : `${time.year}-${time.month}-${time.day} ${hms}${zone}`;
}

const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The short name of the zone at that instant: "UTC", "GMT+1", "EST" (summer time included). */
export function zoneName(at: number, timeZone?: string): string {
  const cacheKey = timeZone ?? '';
  let format = ZONE_FORMATS.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short', ...(timeZone ? { timeZone } : {}) });
    ZONE_FORMATS.set(cacheKey, format);
  }
  return format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timeZone ?? 'local';
}

const PART_FORMATS = new Map<string, Intl.DateTimeFormat>();

function partsOf(at: number, timeZone: string | undefined): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const cacheKey = timeZone ?? '';
  let format = PART_FORMATS.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      ...(timeZone ? { timeZone } : {}),
    });
    PART_FORMATS.set(cacheKey, format);
  }
  const out = { year: '', month: '', day: '', hour: '', minute: '', second: '' };
  for (const part of format.formatToParts(at)) {
    if (part.type in out) out[part.type as keyof typeof out] = part.value;
  }
  return out;
}

/** A persistence setting: "persist 5 min", "persist 1 h /24" (netmask 255.255.255.0). */
export function formatPersistence(persistent: { timeout: number; netmask: string | null } | null): string | null {
  if (!persistent) return null;
  const prefix = persistent.netmask ? netmaskPrefix(persistent.netmask) : null;
  const mask = persistent.netmask && persistent.netmask !== '255.255.255.255' ? ` ${prefix === null ? persistent.netmask : `/${prefix}`}` : '';
  return `persist ${formatDuration(persistent.timeout * 1000)}${mask}`;
}

/** IPVS forwarding method as operators say it: Masq → "NAT", Route → "DR", Tunnel → "TUN". */
export function formatForward(forward: string | null | undefined): string {
  if (!forward) return EM_DASH;
  switch (forward) {
    case 'Masq':
      return 'NAT';
    case 'Route':
      return 'DR';
    case 'Tunnel':
      return 'TUN';
    default:
      return forward;
  }
}
