// `lvsctl parse <kind> [FILE]`: runs one of the server parsers on FILE (or stdin) and prints the
// model as pretty JSON. Bad input -> `lvsctl: <kind>: line N: <reason>: "<line>"` on stderr, exit 2.

import { readFile } from 'node:fs/promises';
import { text as streamText } from 'node:stream/consumers';
import { IpvsListMode } from '@/lib/models/ipvsadm';
import { KeepalivedLogFormat } from '@/lib/models/keepalived';
import { parseDirectorHealth } from '@/server/parsers/director-health';
import { parseIpAddrJson } from '@/server/parsers/ip-addr';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { parseKeepalivedData } from '@/server/parsers/keepalived-data';
import { parseKeepalivedJson } from '@/server/parsers/keepalived-json';
import { parseKeepalivedLog } from '@/server/parsers/keepalived-log';
import { parseKeepalivedNotify, parseKeepalivedNotifyLog } from '@/server/parsers/keepalived-notify';
import { parseKeepalivedStats } from '@/server/parsers/keepalived-stats';
import {
  NMCLI_CONNECTION_FIELDS,
  NMCLI_DEVICE_FIELDS,
  parseNmcliConnections,
  parseNmcliDevices,
  parseNmcliMultiline,
  parseNmcliTerse,
} from '@/server/parsers/nmcli';
import { ParseError } from '@/server/parsers/parse-error';
import { parseOptions, UsageError, type LvsctlCommand } from './command';

interface ParseOptions {
  format?: string;
  year?: string;
  'tz-offset'?: string;
  fields?: string;
  multiline?: boolean;
  mode?: string;
  'script-log'?: boolean;
}

interface Kind {
  name: string;
  what: string;
  parse(text: string, opts: ParseOptions): unknown;
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} needs an integer, got "${value}"`);
  return Number(value);
}

function fieldList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').filter((f) => f !== '');
}

const KINDS: Kind[] = [
  {
    name: 'ipvsadm',
    what: 'ipvsadm -Ln [--stats|--rate|--thresholds|--persistent-conn|--tun-info|-c|--timeout|--daemon], ipvsadm -Sn (--mode MODE to insist on one)',
    parse: (text, o) => {
      if (o.mode === undefined) return parseIpvsadm(text);
      const mode = IpvsListMode.safeParse(o.mode);
      if (!mode.success) throw new UsageError(`--mode must be one of ${IpvsListMode.options.join(', ')}`);
      return parseIpvsadm(text, { mode: mode.data });
    },
  },
  { name: 'ip-addr', what: 'ip -j addr show', parse: (text) => parseIpAddrJson(text) },
  {
    name: 'keepalived-data',
    what: '/tmp/keepalived.data and/or /tmp/keepalived_check.data (SIGUSR1)',
    parse: (text) => parseKeepalivedData(text),
  },
  { name: 'keepalived-json', what: '/tmp/keepalived.json (keepalived --signum=JSON)', parse: (text) => parseKeepalivedJson(text) },
  { name: 'keepalived-stats', what: '/tmp/keepalived.stats (SIGUSR2)', parse: (text) => parseKeepalivedStats(text) },
  {
    name: 'keepalived-log',
    what: 'keepalived log lines, --format console (default) | journal-short-iso | journal-json | syslog',
    parse: (text, o) => {
      const format = KeepalivedLogFormat.safeParse(o.format ?? 'console');
      if (!format.success) throw new UsageError(`--format must be one of ${KeepalivedLogFormat.options.join(', ')}`);
      const year = intOption(o.year, 'year');
      if (format.data === 'syslog' && year === undefined) throw new UsageError('--format syslog needs --year YYYY');
      return parseKeepalivedLog(text, { format: format.data, year, timeZoneOffsetMinutes: intOption(o['tz-offset'], 'tz-offset') });
    },
  },
  {
    name: 'keepalived-notify',
    what: 'notify FIFO lines or notify-script arguments; --script-log for `ISO-TIME HOST ARGS` lines',
    parse: (text, o) => (o['script-log'] ? parseKeepalivedNotifyLog(text) : parseKeepalivedNotify(text)),
  },
  {
    name: 'nmcli',
    what: 'nmcli -t -f FIELDS ... (--fields F1,F2 required) or nmcli -m multiline ... (--multiline)',
    parse: (text, o) => {
      if (o.multiline) return parseNmcliMultiline(text);
      const fields = fieldList(o.fields);
      if (!fields || fields.length === 0) throw new UsageError('nmcli needs --fields F1,F2,... (the -f list nmcli was given) or --multiline');
      return parseNmcliTerse(text, fields);
    },
  },
  {
    name: 'nmcli-devices',
    what: `nmcli -t -f ${NMCLI_DEVICE_FIELDS.join(',')} device (or --fields, --multiline)`,
    parse: (text, o) => parseNmcliDevices(text, { fields: fieldList(o.fields), multiline: o.multiline }),
  },
  {
    name: 'nmcli-connections',
    what: `nmcli -t -f ${NMCLI_CONNECTION_FIELDS.join(',')} connection (or --fields, --multiline)`,
    parse: (text, o) => parseNmcliConnections(text, { fields: fieldList(o.fields), multiline: o.multiline }),
  },
  { name: 'director-health', what: 'sysctl KEY... / sysctl -a output (forwarding, IPVS, ARP, conntrack)', parse: (text) => parseDirectorHealth(text) },
];

const USAGE = `usage: lvsctl parse <kind> [FILE] [options]

Parses FILE (or standard input, or "-") and prints the model as JSON.

kinds:
${KINDS.map((k) => `  ${k.name.padEnd(18)} ${k.what}`).join('\n')}

options:
  --format F         keepalived-log input format (console, journal-short-iso, journal-json, syslog)
  --year YYYY        keepalived-log: year of classic syslog timestamps (they have none)
  --tz-offset MIN    keepalived-log: local time minus UTC in minutes for console/syslog timestamps (default 0)
  --fields F1,F2     nmcli: the field list given to nmcli -f
  --multiline        nmcli: input is nmcli -m multiline
  --mode MODE        ipvsadm: the list mode the command was run in
  --script-log       keepalived-notify: lines are "ISO-TIME HOST ARGS" (a notify script's log)

Exit status: 0 ok, 2 usage error or input the parser rejects (the line is named on stderr), 1 unreadable file.`;

const OPTIONS = {
  format: { type: 'string' },
  year: { type: 'string' },
  'tz-offset': { type: 'string' },
  fields: { type: 'string' },
  multiline: { type: 'boolean' },
  mode: { type: 'string' },
  'script-log': { type: 'boolean' },
} as const;

async function run(argv: string[]): Promise<number> {
  const err = (s: string) => void process.stderr.write(`${s}\n`);
  try {
    const { values, positionals } = parseOptions(argv, OPTIONS, true);
    const [kindName, file, ...extra] = positionals;
    const kind = KINDS.find((k) => k.name === kindName);
    if (kindName === undefined) throw new UsageError('missing <kind>');
    if (!kind) throw new UsageError(`unknown kind "${kindName}"`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
    let text: string;
    if (file === undefined || file === '-') {
      if (process.stdin.isTTY) throw new UsageError('no FILE given and standard input is a terminal');
      text = await streamText(process.stdin);
    } else {
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        err(`lvsctl: parse: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
      }
    }
    const model = kind.parse(text, values);
    process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ParseError) {
      err(`lvsctl: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError) {
      err(`lvsctl: parse: ${e.message}`);
      err(USAGE);
      return 2;
    }
    throw e;
  }
}

export const parseCommand: LvsctlCommand = {
  name: 'parse',
  summary: 'parse captured command output (ipvsadm, ip, keepalived dumps and logs, nmcli, sysctl) into JSON',
  usage: USAGE,
  run,
};
