// keepalived log lines -> typed events (state transitions and their causes, checker results,
// IPVS service changes, process start/stop). Unrecognised messages become `other` events with the
// raw line kept: a log parser never throws on a message it does not know. It throws ParseError
// only when a line does not have the envelope (timestamp/host/identifier) of opts.format.
//
// Formats (opts.format):
//   console            `Sun Nov 22 02:48:49 2026: msg` (keepalived --log-console, strftime %c in the
//                      C locale, so single-digit days are space padded: `Sun Nov  2 ...`). Also the
//                      --log-file form `Sun Nov 22 02:48:49.123456789 2026: msg`.
//   journal-short-iso  `2026-11-22T02:48:49.123456+0000 host Keepalived_vrrp[123]: msg`
//                      (`journalctl -o short-iso-precise`; `-o short-iso` without fraction too).
//                      `-- Boot ... --` / `-- No entries --` marker lines are skipped.
//   journal-json       one `journalctl -o json` object per line; MESSAGE may be a byte array.
//   syslog             `Nov 22 02:48:49 host Keepalived_vrrp[123]: msg` (year from opts.year), or
//                      rsyslog's RFC 3339 `2026-11-22T02:48:49.123456+00:00 host ident[pid]: msg`.
//
// Time zones: `console` and classic `syslog` timestamps are the director's local time with no zone.
// opts.timeZoneOffsetMinutes says how far that local time is ahead of UTC (+60 for CET, -300 for
// EST; the ISO-8601 sign convention, the opposite of Date#getTimezoneOffset). Default 0 = UTC.
// ISO timestamps and journal-json carry their own zone and ignore it. Event time is epoch ms.

import { z } from 'zod';
import {
  type KeepalivedEndpoint,
  type KeepalivedLogEvent,
  type KeepalivedLogFormat,
  type KeepalivedLogSource,
} from '@/lib/models/keepalived';
import { ENDPOINT_PATTERN, parseKeepalivedEndpoint } from './keepalived-notify';
import { ParseError } from './parse-error';

const KIND = 'keepalived-log';

export interface KeepalivedLogOptions {
  format: KeepalivedLogFormat;
  /** Year for classic syslog timestamps (they have none). Required for format `syslog`. */
  year?: number;
  /** Local time minus UTC, in minutes, for `console` and classic `syslog` timestamps. Default 0. */
  timeZoneOffsetMinutes?: number;
}

type EventBase = 'time' | 'source' | 'host' | 'pid' | 'message' | 'raw';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event without its envelope fields. */
export type KeepalivedLogBody = DistributiveOmit<KeepalivedLogEvent, EventBase>;

interface Envelope {
  time: number;
  host: string | null;
  identifier: string | null;
  pid: number | null;
  message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function localToEpochMs(
  year: number,
  monthName: string,
  day: number,
  hms: string,
  fraction: string | undefined,
  offsetMinutes: number,
): number | null {
  const month = MONTHS.indexOf(monthName);
  const [h, m, s] = hms.split(':').map(Number);
  if (month < 0 || h === undefined || m === undefined || s === undefined) return null;
  if (day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return null;
  const ms = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  return Date.UTC(year, month, day, h, m, s) + Math.floor(ms) - offsetMinutes * 60_000;
}

function isoToEpochMs(base: string, fraction: string | undefined, zone: string): number | null {
  const offset = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const whole = Date.parse(`${base}${offset}`);
  if (Number.isNaN(whole)) return null;
  return whole + (fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0);
}

const CONSOLE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))? (\d{4}): ?(.*)$/;
const ISO_PREFIX = String.raw`(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})`;
const SYSLOG_TAIL = String.raw` (\S+) ([^\s\[:]+)(?:\[(\d{1,10})\])?: ?(.*)$`;
const SHORT_ISO = new RegExp(`^${ISO_PREFIX}${SYSLOG_TAIL}`);
const CLASSIC_SYSLOG = new RegExp(String.raw`^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?${SYSLOG_TAIL}`);

const JournalJson = z.object({
  __REALTIME_TIMESTAMP: z.string().regex(/^\d{1,17}$/),
  MESSAGE: z.union([z.string(), z.array(z.number().int().min(0).max(255)), z.null()]).optional(),
  SYSLOG_IDENTIFIER: z.string().optional(),
  SYSLOG_PID: z.string().optional(),
  _PID: z.string().optional(),
  _HOSTNAME: z.string().optional(),
});

function envelope(line: string, lineNo: number, opts: KeepalivedLogOptions): Envelope | null {
  const offset = opts.timeZoneOffsetMinutes ?? 0;
  switch (opts.format) {
    case 'console': {
      const m = CONSOLE.exec(line);
      if (!m) throw new ParseError(KIND, lineNo, line, 'expected "Www Mmm dd hh:mm:ss yyyy: message"');
      const [, mon = '', day = '', hms = '', frac, year = '', message = ''] = m;
      const time = localToEpochMs(Number(year), mon, Number(day), hms, frac, offset);
      if (time === null) throw new ParseError(KIND, lineNo, line, 'invalid date');
      return { time, host: null, identifier: null, pid: null, message };
    }
    case 'journal-short-iso': {
      if (line.startsWith('-- ')) return null;
      const m = SHORT_ISO.exec(line);
      if (!m) throw new ParseError(KIND, lineNo, line, 'expected "yyyy-mm-ddThh:mm:ss.ffffff+zzzz host ident[pid]: message"');
      return fromSyslogMatch(isoToEpochMs(m[1] ?? '', m[2], m[3] ?? ''), m.slice(4), lineNo, line);
    }
    case 'syslog': {
      const iso = SHORT_ISO.exec(line);
      if (iso) return fromSyslogMatch(isoToEpochMs(iso[1] ?? '', iso[2], iso[3] ?? ''), iso.slice(4), lineNo, line);
      const m = CLASSIC_SYSLOG.exec(line);
      if (!m) throw new ParseError(KIND, lineNo, line, 'expected "Mmm dd hh:mm:ss host ident[pid]: message"');
      if (opts.year === undefined) throw new ParseError(KIND, 0, '', 'syslog format needs opts.year');
      const time = localToEpochMs(opts.year, m[1] ?? '', Number(m[2]), m[3] ?? '', m[4], offset);
      return fromSyslogMatch(time, m.slice(5), lineNo, line);
    }
    case 'journal-json': {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new ParseError(KIND, lineNo, line, 'expected one JSON object per line (journalctl -o json)');
      }
      const r = JournalJson.safeParse(json);
      if (!r.success) {
        const issue = r.error.issues[0];
        throw new ParseError(KIND, lineNo, line, `journal entry: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
      }
      const e = r.data;
      const msg = e.MESSAGE;
      const message = typeof msg === 'string' ? msg : Array.isArray(msg) ? new TextDecoder().decode(Uint8Array.from(msg)) : '';
      // _PID first: it is what `journalctl -o short*` shows, and it differs per process even when
      // several PID namespaces (containers, the lab's directors) log into one journal.
      const pidText = e._PID ?? e.SYSLOG_PID;
      return {
        time: Math.floor(Number(e.__REALTIME_TIMESTAMP) / 1000),
        host: e._HOSTNAME ?? null,
        identifier: e.SYSLOG_IDENTIFIER ?? null,
        pid: pidText !== undefined && /^\d{1,10}$/.test(pidText) ? Number(pidText) : null,
        message: message.replace(/\n$/, ''),
      };
    }
  }
}

function fromSyslogMatch(time: number | null, rest: (string | undefined)[], lineNo: number, line: string): Envelope {
  if (time === null) throw new ParseError(KIND, lineNo, line, 'invalid date');
  const [host = '', identifier = '', pid, message = ''] = rest;
  return { time, host, identifier, pid: pid === undefined ? null : Number(pid), message };
}

function sourceOf(identifier: string | null): KeepalivedLogSource | null {
  switch (identifier) {
    case 'Keepalived_vrrp':
      return 'vrrp';
    case 'Keepalived_healthcheckers':
    case 'Keepalived_checker':
      return 'healthcheckers';
    case 'Keepalived':
    case 'keepalived':
      return 'parent';
    case 'Keepalived_bfd':
      return 'bfd';
    default:
      return null;
  }
}

function inferredSource(body: KeepalivedLogBody): KeepalivedLogSource {
  switch (body.type) {
    case 'vrrp-transition':
    case 'vrrp-group-sync':
    case 'advert-timeout':
    case 'lower-priority-advert':
    case 'higher-priority-advert':
    case 'priority-zero':
    case 'effective-priority':
    case 'script-result':
    case 'fault-cause':
    case 'interface':
    case 'vips':
      return 'vrrp';
    case 'address':
      // VRRP names the interface; the checker's (and older) lines do not, and either may log them.
      return body.interface !== null ? 'vrrp' : 'unknown';
    case 'checker':
    case 'service':
    case 'weight':
    case 'quorum':
      return 'healthcheckers';
    case 'track-file':
      return body.owner.startsWith('[') ? 'healthcheckers' : 'vrrp';
    case 'process':
      return body.action === 'child-stopped' || body.action === 'reloading' || body.action === 'startup-complete' ? 'unknown' : 'parent';
    case 'other':
      return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Message classification

const EP = `(${ENDPOINT_PATTERN})`;
const INST = String.raw`(?:VRRP_Instance)?\(([^()]+)\):?`;

/**
 * Thrown by ep() / n() when a capture is out of range (port > 65535, a number beyond 2^53):
 * the rule does not apply and the next one is tried (finally `other`).
 */
class RuleMismatch extends Error {}

function ep(text: string | undefined): KeepalivedEndpoint {
  const parsed = parseKeepalivedEndpoint(text ?? '');
  if (!parsed) throw new RuleMismatch();
  return parsed;
}

type Rule = [RegExp, (m: RegExpExecArray) => KeepalivedLogBody];

const n = (v: string | undefined): number => {
  const x = Number(v);
  if (!Number.isSafeInteger(x)) throw new RuleMismatch();
  return x;
};
const s = (v: string | undefined): string => v ?? '';
const tstate = (v: string | undefined): 'MASTER' | 'BACKUP' | 'FAULT' =>
  v === 'MASTER' ? 'MASTER' : v === 'BACKUP' ? 'BACKUP' : 'FAULT';

const RULES: Rule[] = [
  // --- VRRP transitions
  [
    /^\(([^()]+)\) Entering (MASTER|BACKUP|FAULT) STATE( \(init\))?$/,
    (m) => ({ type: 'vrrp-transition', instance: s(m[1]), state: tstate(m[2]), init: m[3] !== undefined, legacy: false, phase: 'entering' }),
  ],
  [
    /^VRRP_Instance\(([^()]+)\):? (Entering|Transition to) (MASTER|BACKUP|FAULT) STATE( \(init\))?$/,
    (m) => ({
      type: 'vrrp-transition',
      instance: s(m[1]),
      state: tstate(m[3]),
      init: m[4] !== undefined,
      legacy: true,
      phase: m[2] === 'Entering' ? 'entering' : 'transition',
    }),
  ],
  [
    /^VRRP_Instance\(([^()]+)\):? Now in (BACKUP|FAULT) state$/,
    (m) => ({ type: 'vrrp-transition', instance: s(m[1]), state: tstate(m[2]), init: false, legacy: true, phase: 'entering' }),
  ],
  [
    /^VRRP_Group\(([^()]+)\) (?:Syncing instances to|Transition to) (MASTER|BACKUP|FAULT) state$/,
    (m) => ({ type: 'vrrp-group-sync', group: s(m[1]), state: tstate(m[2]) }),
  ],
  // --- causes
  [new RegExp(`^${INST} Receive advertisement timeout$`), (m) => ({ type: 'advert-timeout', instance: s(m[1]) })],
  [
    new RegExp(`^${INST} received lower priority \\((\\d+)\\) advert from (\\S+) - discarding$`),
    (m) => ({ type: 'lower-priority-advert', instance: s(m[1]), priority: n(m[2]), from: s(m[3]) }),
  ],
  [
    new RegExp(`^${INST} Master received advert from (\\S+) with higher priority (\\d+), ours (\\d+)$`),
    (m) => ({ type: 'higher-priority-advert', instance: s(m[1]), from: s(m[2]), priority: n(m[3]), ours: n(m[4]) }),
  ],
  [
    new RegExp(`^${INST} Received advert with higher priority (\\d+), ours (\\d+)$`),
    (m) => ({ type: 'higher-priority-advert', instance: s(m[1]), from: null, priority: n(m[2]), ours: n(m[3]) }),
  ],
  [
    new RegExp(`^${INST} (?:Backup|Master) received priority 0 (?:advertisement|message)$`),
    (m) => ({ type: 'priority-zero', instance: s(m[1]), direction: 'received' }),
  ],
  [new RegExp(`^${INST} sent 0 priority$`), (m) => ({ type: 'priority-zero', instance: s(m[1]), direction: 'sent' })],
  [
    new RegExp(`^${INST} Changing effective priority from (-?\\d+) to (-?\\d+)$`),
    (m) => ({ type: 'effective-priority', instance: s(m[1]), from: n(m[2]), to: n(m[3]) }),
  ],
  [
    new RegExp(`^${INST} Setting effective priority to (-?\\d+)$`),
    (m) => ({ type: 'effective-priority', instance: s(m[1]), from: null, to: n(m[2]) }),
  ],
  [
    /^VRRP_Script\((.+)\) (succeeded|failed|timed_out|timed out)(?: \((.*)\))?$/,
    (m) => ({
      type: 'script-result',
      script: s(m[1]),
      result: m[2] === 'succeeded' ? 'succeeded' : m[2] === 'failed' ? 'failed' : 'timed_out',
      detail: m[3] ?? null,
    }),
  ],
  [
    new RegExp(`^${INST} entering FAULT state due to script (.+)$`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'script', subject: s(m[2]) }),
  ],
  [
    new RegExp(`^${INST} entering FAULT state \\(interface (\\S+) down\\)$`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'interface', subject: s(m[2]) }),
  ],
  [
    new RegExp(`^${INST} entering FAULT state \\(tracked file (.+) has status -?\\d+\\)$`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'file', subject: s(m[2]) }),
  ],
  [
    new RegExp(`^${INST} entering FAULT state \\(tracked process (\\S+)`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'process', subject: s(m[2]) }),
  ],
  [
    new RegExp(`^${INST} entering FAULT state \\(no IPv\\d address for interface\\)$`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'no-address', subject: null }),
  ],
  [
    new RegExp(`^${INST} Cannot use unicast without any peers - going to fault state$`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'no-peers', subject: null }),
  ],
  [
    new RegExp(`^${INST} entering FAULT state(?: \\((.*)\\))?$`),
    (m) => ({ type: 'fault-cause', instance: s(m[1]), cause: 'other', subject: m[2] ?? null }),
  ],
  [new RegExp(`^${INST} (setting|removing) VIPs\\.$`), (m) => ({ type: 'vips', instance: s(m[1]), action: m[2] === 'setting' ? 'set' : 'remove' })],
  [/^Netlink reports (\S+) (up|down)$/, (m) => ({ type: 'interface', interface: s(m[1]), up: m[2] === 'up' })],
  [
    /^Netlink reflector reports IP (\S+) (added to|removed from|added|removed)(?: (\S+))?$/,
    (m) => ({ type: 'address', address: s(m[1]), added: m[2]?.startsWith('added') === true, interface: m[3] ?? null }),
  ],
  [/^Kernel is reporting: interface (\S+) (UP|DOWN)$/, (m) => ({ type: 'interface', interface: s(m[1]), up: m[2] === 'UP' })],
  [
    /^\((.+)\): tracked file (.+) (now FAULT|leaving FAULT) state$/,
    (m) => ({ type: 'track-file', owner: s(m[1]), file: s(m[2]), fault: m[3] === 'now FAULT' }),
  ],
  // --- checkers
  [
    new RegExp(`^TCP connection to ${EP} (success|failed|timeout)(?:\\.| !!!)$`),
    (m) => ({ type: 'checker', checker: 'TCP_CHECK', realServer: ep(m[1]), virtualServer: null, ok: m[2] === 'success', detail: `connection ${s(m[2])}` }),
  ],
  [
    new RegExp(`^(TCP_CHECK|HTTP_CHECK|SSL_CHECK|SMTP_CHECK|DNS_CHECK) on service ${EP} (failed(?: after \\d+ retries)?)\\.$`),
    (m) => ({
      type: 'checker',
      checker: m[1] === 'HTTP_CHECK' || m[1] === 'SSL_CHECK' ? 'HTTP_GET' : s(m[1]),
      realServer: ep(m[2]),
      virtualServer: null,
      ok: false,
      detail: s(m[3]),
    }),
  ],
  [
    new RegExp(`^Check on service ${EP} (failed after \\d+ retry)\\.$`),
    (m) => ({ type: 'checker', checker: null, realServer: ep(m[1]), virtualServer: null, ok: false, detail: s(m[2]) }),
  ],
  [
    new RegExp(`^Remote Web server ${EP} succeed on service\\.$`),
    (m) => ({ type: 'checker', checker: 'HTTP_GET', realServer: ep(m[1]), virtualServer: null, ok: true, detail: 'succeed on service' }),
  ],
  [
    new RegExp(`^HTTP status code error to ${EP} url\\((.*)\\), status_code \\[(\\d+)\\]\\.$`),
    (m) => ({
      type: 'checker',
      checker: 'HTTP_GET',
      realServer: ep(m[1]),
      virtualServer: null,
      ok: false,
      detail: `HTTP status code error, url ${s(m[2])}, status ${s(m[3])}`,
    }),
  ],
  [
    new RegExp(`^(.+?) success to ${EP} url\\((.*)\\)$`),
    (m) => ({ type: 'checker', checker: 'HTTP_GET', realServer: ep(m[2]), virtualServer: null, ok: true, detail: `${s(m[1])} success, url ${s(m[3])}` }),
  ],
  [
    new RegExp(`^(.+?) server ${EP}\\.$`),
    (m) => ({ type: 'checker', checker: 'HTTP_GET', realServer: ep(m[2]), virtualServer: null, ok: false, detail: s(m[1]).replace(/ (?:to|from|with)$/, '') }),
  ],
  [
    new RegExp(`^Misc check for \\[${EP} VS ${EP}\\] by \\[(.*)\\] (succeeded|failed|timed_out|timed out)(.*)\\.$`),
    (m) => ({
      type: 'checker',
      checker: 'MISC_CHECK',
      realServer: ep(m[1]),
      virtualServer: ep(m[2]),
      ok: m[4] === 'succeeded',
      detail: `${s(m[3])} ${s(m[4])}${s(m[5])}`,
    }),
  ],
  [
    new RegExp(`^(Adding|Removing|Enabling|Disabling|Shutting down) (\\(inhibited\\) )?service ${EP} (?:to|from|of) VS ${EP}$`),
    (m) => ({
      type: 'service',
      action:
        m[1] === 'Adding' ? 'add' : m[1] === 'Removing' ? 'remove' : m[1] === 'Enabling' ? 'enable' : m[1] === 'Disabling' ? 'disable' : 'shutdown',
      inhibited: m[2] !== undefined,
      realServer: ep(m[3]),
      virtualServer: ep(m[4]),
    }),
  ],
  [
    new RegExp(`^Changing weight from (-?\\d+) to (-?\\d+) for (?:in)?active service ${EP} of VS ${EP}$`),
    (m) => ({ type: 'weight', from: n(m[1]), to: n(m[2]), realServer: ep(m[3]), virtualServer: ep(m[4]) }),
  ],
  [
    new RegExp(`^(Gained quorum|Lost quorum|Starting with quorum up|Starting with quorum down) .* for VS ${EP}$`),
    (m) => ({
      type: 'quorum',
      up: m[1] === 'Gained quorum' || m[1] === 'Starting with quorum up',
      init: s(m[1]).startsWith('Starting'),
      virtualServer: ep(m[2]),
    }),
  ],
  // --- process life cycle
  [
    /^Starting (VRRP|Healthcheck|BFD) child process, pid=(\d+)$/,
    (m) => ({ type: 'process', action: 'child-started', version: null, childPid: n(m[2]) }),
  ],
  [/^Starting (Keepalived v\S+.*?)(?:, git commit .*)?$/, (m) => ({ type: 'process', action: 'starting', version: s(m[1]), childPid: null })],
  [/^Stopping$/, () => ({ type: 'process', action: 'stopping', version: null, childPid: null })],
  [/^Stopping (Keepalived v\S+.*?)(?:, git commit .*)?$/, (m) => ({ type: 'process', action: 'stopping', version: s(m[1]), childPid: null })],
  [/^Stopped (Keepalived v\S+.*?)(?:, git commit .*)?$/, (m) => ({ type: 'process', action: 'stopped', version: s(m[1]), childPid: null })],
  [/^Stopped(?: - used .*)?$/, () => ({ type: 'process', action: 'child-stopped', version: null, childPid: null })],
  [/^Startup complete$/, () => ({ type: 'process', action: 'startup-complete', version: null, childPid: null })],
  [/^Reloading$/, () => ({ type: 'process', action: 'reloading', version: null, childPid: null })],
];

/** Classifies a keepalived message (the text after the envelope). */
export function classifyKeepalivedMessage(message: string): KeepalivedLogBody {
  const text = message.trim();
  for (const [re, build] of RULES) {
    const m = re.exec(text);
    if (!m) continue;
    try {
      return build(m);
    } catch (e) {
      if (!(e instanceof RuleMismatch)) throw e;
    }
  }
  return { type: 'other' };
}

/**
 * One log line. Returns null for lines that carry no entry (blank lines, journal `-- ... --`
 * markers). `lineNo` is used in ParseError messages.
 */
export function parseKeepalivedLogLine(line: string, opts: KeepalivedLogOptions, lineNo = 1): KeepalivedLogEvent | null {
  const raw = line.replace(/\r$/, '');
  if (raw.trim() === '') return null;
  const env = envelope(raw, lineNo, opts);
  if (!env) return null;
  const body = classifyKeepalivedMessage(env.message);
  const source = sourceOf(env.identifier) ?? (env.identifier === null ? inferredSource(body) : 'unknown');
  return { ...body, time: env.time, source, host: env.host, pid: env.pid, message: env.message, raw };
}

/** Every line of a log; see the formats above. */
export function parseKeepalivedLog(text: string, opts: KeepalivedLogOptions): KeepalivedLogEvent[] {
  const out: KeepalivedLogEvent[] = [];
  text.split('\n').forEach((line, i) => {
    const ev = parseKeepalivedLogLine(line, opts, i + 1);
    if (ev) out.push(ev);
  });
  return out;
}
