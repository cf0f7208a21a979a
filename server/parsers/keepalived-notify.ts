// keepalived notifications:
// - notify FIFO lines (`notify_fifo`, `vrrp_notify_fifo`, `lvs_notify_fifo`):
//     INSTANCE "VI_1" MASTER 150        GROUP "VG_1" BACKUP 0
//     RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 UP     VS [192.0.2.100]:tcp:80 DOWN
//   Lines end with "\n"; some versions also write the C string's NUL, so NUL ends a line too.
// - notify script arguments (`notify` scripts get `$1 $2 $3 $4`): INSTANCE VI_1 MASTER 150
//   (name unquoted, priority absent in 1.x), joined by spaces as a script would log "$*".
// - a notify script's log in the lab's format: `2026-11-22T02:48:49.123456789Z dir1 INSTANCE VI_1 MASTER 150`.
// Also exports the `[ADDR]:proto:PORT` endpoint parser shared with the log parser.

import {
  type KeepalivedEndpoint,
  type KeepalivedNotifyEvent,
  type KeepalivedNotifyLogEntry,
  NotifyState,
} from '@/lib/models/keepalived';
import { ParseError } from './parse-error';

const KIND = 'keepalived-notify';

/**
 * `[192.0.2.11]:tcp:80`, `[2001:db8::1]:udp:53`, 1.x `[192.0.2.11]:80`, group `[VSG]:80`,
 * `FWM 5`. Returns null for anything else.
 */
export function parseKeepalivedEndpoint(text: string): KeepalivedEndpoint | null {
  const fwm = /^FWM (\d{1,10})$/.exec(text);
  if (fwm) return { address: null, protocol: null, port: null, fwmark: Number(fwm[1]), text };
  const m = /^\[([^\][\s]+)\]:(?:([a-z?]+):)?(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { address: m[1] ?? null, protocol: m[2] ?? null, port, fwmark: null, text };
}

/** Matches an endpoint inside a larger regex (no capture groups). */
export const ENDPOINT_PATTERN = String.raw`(?:FWM \d{1,10}|\[[^\][\s]+\]:(?:[a-z?]+:)?\d{1,5})`;

function endpointOrThrow(text: string, line: number, raw: string): KeepalivedEndpoint {
  const ep = parseKeepalivedEndpoint(text);
  if (!ep) throw new ParseError(KIND, line, raw, 'expected an endpoint like [ADDR]:tcp:PORT');
  return ep;
}

function stateOrThrow(text: string, line: number, raw: string) {
  const s = NotifyState.safeParse(text);
  if (!s.success) throw new ParseError(KIND, line, raw, `unknown notify state "${text}"`);
  return s.data;
}

// Priorities are 0-255 (and -1 style sentinels); more than 9 digits is not a priority.
const FIFO_VRRP = /^(INSTANCE|GROUP) "([^"]*)" (\S+)(?: (-?\d{1,9}))?$/;
const ARGS_VRRP = /^(INSTANCE|GROUP) (\S+) (\S+)(?: (-?\d{1,9}))?$/;
const CHECKER_RS = new RegExp(`^RS (${ENDPOINT_PATTERN}) (${ENDPOINT_PATTERN}) (UP|DOWN)$`);
const CHECKER_VS = new RegExp(`^VS (${ENDPOINT_PATTERN}) (UP|DOWN)$`);

/**
 * One notify line, FIFO form (quoted names) or script-argument form (bare names).
 * `line` is the 1-based number used in errors.
 */
export function parseKeepalivedNotifyLine(input: string, line = 1): KeepalivedNotifyEvent {
  const raw = input;
  const text = input.replace(/\0+$/, '').replace(/\r$/, '').trim();
  const vrrp = FIFO_VRRP.exec(text) ?? ARGS_VRRP.exec(text);
  if (vrrp) {
    const [, kind, name = '', state = '', prio] = vrrp;
    return {
      type: kind === 'GROUP' ? 'group' : 'instance',
      name,
      state: stateOrThrow(state, line, raw),
      priority: prio === undefined ? null : Number(prio),
      raw,
    };
  }
  const rs = CHECKER_RS.exec(text);
  if (rs) {
    return {
      type: 'real-server',
      realServer: endpointOrThrow(rs[1] ?? '', line, raw),
      virtualServer: endpointOrThrow(rs[2] ?? '', line, raw),
      up: rs[3] === 'UP',
      raw,
    };
  }
  const vs = CHECKER_VS.exec(text);
  if (vs) return { type: 'virtual-server', virtualServer: endpointOrThrow(vs[1] ?? '', line, raw), up: vs[2] === 'UP', raw };
  throw new ParseError(
    KIND,
    line,
    raw,
    'expected INSTANCE|GROUP "NAME" STATE PRIO, RS [RS]:proto:PORT [VS]:proto:PORT UP|DOWN or VS [VS]:proto:PORT UP|DOWN',
  );
}

/** Splits FIFO/argument text at "\n" and NUL; blank lines are skipped. */
export function parseKeepalivedNotify(text: string): KeepalivedNotifyEvent[] {
  const out: KeepalivedNotifyEvent[] = [];
  text.split('\n').forEach((physical, index) => {
    for (const part of physical.split('\0')) {
      if (part.trim() === '') continue;
      out.push(parseKeepalivedNotifyLine(part, index + 1));
    }
  });
  return out;
}

const NOTIFY_LOG = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2}) (\S+) (.+)$/;

/** `ISO-8601 HOST ARGS...` lines as the lab's notify.sh appends them to /var/log/keepalived-notify.log. */
export function parseKeepalivedNotifyLog(text: string): KeepalivedNotifyLogEntry[] {
  const out: KeepalivedNotifyLogEntry[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;
    const m = NOTIFY_LOG.exec(line);
    if (!m) throw new ParseError(KIND, index + 1, line, 'expected "ISO-TIME HOST TYPE NAME STATE [PRIO]"');
    const [, base = '', frac = '', zone = 'Z', host = '', rest = ''] = m;
    const offset = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const ms = Date.parse(`${base}.${(frac + '000').slice(0, 3)}${offset}`);
    if (Number.isNaN(ms)) throw new ParseError(KIND, index + 1, line, 'invalid timestamp');
    out.push({ time: ms, host, event: parseKeepalivedNotifyLine(rest, index + 1) });
  });
  return out;
}
