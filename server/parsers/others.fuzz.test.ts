// Fuzz the non-ipvsadm parsers with mutated and truncated fixtures. For every mutation the parser
// must either return a value that validates against its zod model, or throw ParseError. Anything
// else (TypeError, RangeError, a model-invalid result) fails. Deterministic: a seeded PRNG, so a
// failure names a seed and an iteration that reproduce it.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectorHealth } from '@/lib/models/director-health';
import { IpAddrTable } from '@/lib/models/ip-addr';
import {
  KeepalivedData,
  KeepalivedJsonDump,
  KeepalivedLogEvent,
  KeepalivedNotifyEvent,
  KeepalivedNotifyLogEntry,
  KeepalivedStats,
} from '@/lib/models/keepalived';
import { NmcliConnection, NmcliDevice } from '@/lib/models/nmcli';
import { parseDirectorHealth } from './director-health';
import { parseIpAddrJson } from './ip-addr';
import { parseKeepalivedData } from './keepalived-data';
import { parseKeepalivedJson } from './keepalived-json';
import { parseKeepalivedLog } from './keepalived-log';
import { parseKeepalivedNotify, parseKeepalivedNotifyLog } from './keepalived-notify';
import { parseKeepalivedStats } from './keepalived-stats';
import { parseNmcliConnections, parseNmcliDevices } from './nmcli';
import { ParseError } from './parse-error';
import { prng } from '@/lib/testing/prng';

// FUZZ_SEED=<n> explores other cases; the default keeps CI deterministic.
const SEED = Number(process.env.FUZZ_SEED ?? 0x1f2e3d4c);
/** Total characters parsed per fixture kind stays around this, so the whole file runs in ~2-4 s. */
const BUDGET_CHARS = 3_000_000;


const ALPHABET = ['0', '9', '-', ':', ' ', '\n', '[', ']', '(', ')', '"', '{', '}', ',', '.', '=', '\\', '/', 'a', 'Z', '\u0000', '\u00e9', '99999999999999999999', '4294967295', 'NaN', 'null', '-1'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const pos = () => Math.floor(rnd() * (text.length + 1));
  const lines = () => text.split('\n');
  switch (Math.floor(rnd() * 9)) {
    case 0: // truncate
      return text.slice(0, pos());
    case 1: {
      // replace one character
      const p = pos();
      return text.slice(0, p) + pick(ALPHABET) + text.slice(p + 1);
    }
    case 2: {
      // insert a token
      const p = pos();
      return text.slice(0, p) + pick(ALPHABET) + text.slice(p);
    }
    case 3: {
      // delete a line
      const ls = lines();
      ls.splice(Math.floor(rnd() * ls.length), 1);
      return ls.join('\n');
    }
    case 4: {
      // duplicate a line
      const ls = lines();
      const i = Math.floor(rnd() * ls.length);
      ls.splice(i, 0, ls[i] ?? '');
      return ls.join('\n');
    }
    case 5: {
      // swap two lines
      const ls = lines();
      const i = Math.floor(rnd() * ls.length);
      const j = Math.floor(rnd() * ls.length);
      [ls[i], ls[j]] = [ls[j] ?? '', ls[i] ?? ''];
      return ls.join('\n');
    }
    case 6: // replace a number with an extreme one
      return text.replace(/\d+/g, (m) => (rnd() < 0.05 ? pick(['0', '-1', '65536', '256', '99999999999999999999', '1e309']) : m));
    case 7: {
      // delete a span
      const p = pos();
      return text.slice(0, p) + text.slice(p + Math.floor(rnd() * 40));
    }
    default: {
      // re-indent a line
      const ls = lines();
      const i = Math.floor(rnd() * ls.length);
      ls[i] = ' '.repeat(Math.floor(rnd() * 6)) + (ls[i] ?? '').trimStart();
      return ls.join('\n');
    }
  }
}

interface Target {
  kind: string;
  files: (f: string) => boolean;
  run: (text: string, file: string) => unknown;
  schema: (file: string) => z.core.$ZodType;
}

const logFormat = (f: string) =>
  f.endsWith('.json') ? 'journal-json' : f.includes('short-iso') ? 'journal-short-iso' : f.includes('syslog') ? 'syslog' : 'console';

const TARGETS: Target[] = [
  { kind: 'keepalived-data', files: () => true, run: parseKeepalivedData, schema: () => KeepalivedData },
  { kind: 'keepalived-json', files: () => true, run: parseKeepalivedJson, schema: () => KeepalivedJsonDump },
  { kind: 'keepalived-stats', files: () => true, run: parseKeepalivedStats, schema: () => KeepalivedStats },
  {
    kind: 'keepalived-log',
    files: () => true,
    run: (t, f) => parseKeepalivedLog(t, { format: logFormat(f), year: 2026, timeZoneOffsetMinutes: 60 }),
    schema: () => z.array(KeepalivedLogEvent),
  },
  {
    kind: 'keepalived-notify',
    files: () => true,
    run: (t, f) => (f.endsWith('.log') ? parseKeepalivedNotifyLog(t) : parseKeepalivedNotify(t)),
    schema: (f) => z.array(f.endsWith('.log') ? KeepalivedNotifyLogEntry : KeepalivedNotifyEvent),
  },
  { kind: 'ip-addr', files: () => true, run: parseIpAddrJson, schema: () => IpAddrTable },
  {
    kind: 'nmcli',
    files: () => true,
    run: (t, f) => (f.includes('device') ? parseNmcliDevices(t, { multiline: f.endsWith('.multiline') }) : parseNmcliConnections(t, { multiline: f.endsWith('.multiline') })),
    schema: (f) => z.array(f.includes('device') ? NmcliDevice : NmcliConnection),
  },
  { kind: 'sysctl', files: (f) => f.endsWith('.sysctl'), run: parseDirectorHealth, schema: () => DirectorHealth },
];

describe('fuzz: mutated fixtures parse to a valid model or throw ParseError', () => {
  for (const target of TARGETS) {
    const dir = path.join(__dirname, 'fixtures', target.kind);
    const files = readdirSync(dir).filter((f) => !f.endsWith('.expected.json') && target.files(f));
    it(`${target.kind} (${files.length} fixtures)`, () => {
      const rnd = prng(SEED ^ target.kind.length);
      const totalChars = files.reduce((n, f) => n + readFileSync(path.join(dir, f), 'utf8').length, 0) || 1;
      let parsed = 0;
      let rejected = 0;
      for (const file of files) {
        const original = readFileSync(path.join(dir, file), 'utf8');
        const iterations = Math.max(20, Math.min(400, Math.floor(BUDGET_CHARS / totalChars / Math.max(1, original.length / 2000))));
        const schema = target.schema(file);
        for (let i = 0; i < iterations; i++) {
          let text = mutate(original, rnd);
          if (rnd() < 0.3) text = mutate(text, rnd);
          let result: unknown;
          try {
            result = target.run(text, file);
          } catch (e) {
            if (e instanceof ParseError) {
              rejected++;
              expect(e.line).toBeGreaterThanOrEqual(0);
              continue;
            }
            throw new Error(`${target.kind}/${file} iteration ${i}: threw ${String(e)} for input ${JSON.stringify(text.slice(0, 300))}`);
          }
          const check = z.safeParse(schema, result);
          if (!check.success) {
            throw new Error(`${target.kind}/${file} iteration ${i}: result does not validate: ${check.error.message.slice(0, 500)}`);
          }
          parsed++;
        }
      }
      expect(parsed + rejected).toBeGreaterThan(0);
    });
  }
});
