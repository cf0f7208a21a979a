// keepalived's SIGUSR2 stats dump (/tmp/keepalived.stats) -> KeepalivedStats. Same layout in
// 1.4+ and 2.x:
//   VRRP Instance: VI_1
//     Advertisements:
//       Received: 12
//       Sent: 3
//     Became master: 1
//     Released master: 0
//     Packet Errors:
//       Length: 0 / TTL: 0 / Invalid Type: 0 / Advertisement Interval: 0 / Address List: 0
//     Authentication Errors:
//       Invalid Type: 0 / Type Mismatch: 0 / Failure: 0   (the last two only with VRRP auth)
//     Priority Zero:
//       Received: 0
//       Sent: 1
// Strict: every counter must be a non-negative integer, every required counter must be present.

import { type KeepalivedStats, type VrrpInstanceStats } from '@/lib/models/keepalived';
import { ParseError } from './parse-error';

const KIND = 'keepalived-stats';

const GROUPS = new Set<string>(['Advertisements', 'Packet Errors', 'Authentication Errors', 'Priority Zero']);

/** `group/key` -> setter path. */
const FIELDS: Record<string, (s: Partial<Counters>, v: number) => void> = {
  'Advertisements/Received': (s, v) => (s.advertReceived = v),
  'Advertisements/Sent': (s, v) => (s.advertSent = v),
  '/Became master': (s, v) => (s.becameMaster = v),
  '/Released master': (s, v) => (s.releasedMaster = v),
  'Packet Errors/Length': (s, v) => (s.length = v),
  'Packet Errors/TTL': (s, v) => (s.ttl = v),
  'Packet Errors/Invalid Type': (s, v) => (s.invalidType = v),
  'Packet Errors/Advertisement Interval': (s, v) => (s.advertInterval = v),
  'Packet Errors/Address List': (s, v) => (s.addressList = v),
  'Authentication Errors/Invalid Type': (s, v) => (s.authInvalidType = v),
  'Authentication Errors/Type Mismatch': (s, v) => (s.typeMismatch = v),
  'Authentication Errors/Failure': (s, v) => (s.failure = v),
  'Priority Zero/Received': (s, v) => (s.priorityZeroReceived = v),
  'Priority Zero/Sent': (s, v) => (s.priorityZeroSent = v),
};

interface Counters {
  advertReceived: number;
  advertSent: number;
  becameMaster: number;
  releasedMaster: number;
  length: number;
  ttl: number;
  invalidType: number;
  advertInterval: number;
  addressList: number;
  authInvalidType: number;
  typeMismatch: number;
  failure: number;
  priorityZeroReceived: number;
  priorityZeroSent: number;
}

const REQUIRED: (keyof Counters)[] = [
  'advertReceived',
  'advertSent',
  'becameMaster',
  'releasedMaster',
  'length',
  'ttl',
  'invalidType',
  'advertInterval',
  'addressList',
  'authInvalidType',
  'priorityZeroReceived',
  'priorityZeroSent',
];

function build(name: string, c: Partial<Counters>, headerNo: number, header: string): VrrpInstanceStats {
  for (const k of REQUIRED) {
    if (c[k] === undefined) throw new ParseError(KIND, headerNo, header, `instance ${name} is missing counter ${k}`);
  }
  const get = (k: keyof Counters): number => c[k] ?? 0;
  return {
    name,
    advertReceived: get('advertReceived'),
    advertSent: get('advertSent'),
    becameMaster: get('becameMaster'),
    releasedMaster: get('releasedMaster'),
    packetErrors: {
      length: get('length'),
      ttl: get('ttl'),
      invalidType: get('invalidType'),
      advertInterval: get('advertInterval'),
      addressList: get('addressList'),
    },
    authErrors: {
      invalidType: get('authInvalidType'),
      typeMismatch: c.typeMismatch ?? null,
      failure: c.failure ?? null,
    },
    priorityZeroReceived: get('priorityZeroReceived'),
    priorityZeroSent: get('priorityZeroSent'),
  };
}

export function parseKeepalivedStats(text: string): KeepalivedStats {
  if (text.trim() === '') throw new ParseError(KIND, 0, '', 'empty input');
  const instances: VrrpInstanceStats[] = [];
  let current: { name: string; no: number; raw: string; c: Partial<Counters> } | null = null;
  let group = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const no = i + 1;
    const start = /^VRRP Instance: (.+)$/.exec(raw);
    if (start) {
      if (current) instances.push(build(current.name, current.c, current.no, current.raw));
      current = { name: (start[1] ?? '').trim(), no, raw, c: {} };
      group = '';
      continue;
    }
    if (!current) throw new ParseError(KIND, no, raw, 'expected "VRRP Instance: NAME"');
    const indent = raw.length - raw.trimStart().length;
    const text = raw.trim();
    const heading = /^(.+):$/.exec(text);
    if (heading && indent === 2 && GROUPS.has(heading[1] ?? '')) {
      group = heading[1] ?? '';
      continue;
    }
    const m = /^(.+?): (.*)$/.exec(text);
    if (!m) throw new ParseError(KIND, no, raw, 'expected "Name: N"');
    const key = `${indent === 2 ? '' : group}/${m[1] ?? ''}`;
    if (indent === 2) group = '';
    const setter = FIELDS[key];
    if (!setter) continue; // a counter a newer keepalived added
    const value = (m[2] ?? '').trim();
    if (!/^\d{1,15}$/.test(value)) throw new ParseError(KIND, no, raw, 'expected a non-negative integer');
    setter(current.c, Number(value));
  }
  if (current) instances.push(build(current.name, current.c, current.no, current.raw));
  return { instances };
}
