// nmcli output -> records.
// - Terse (`nmcli -t -f F1,F2 ...`): one record per line, fields joined by `:`; a `:` or `\`
//   inside a value is escaped as `\:` / `\\`. The caller passes the field list it asked for, and
//   every line must have exactly that many fields.
// - Multiline (`nmcli -m multiline [-t] -f F1,F2 ...`): one `FIELD:value` per line, not escaped,
//   so split at the first `:` only; padding after the colon (non-terse) is trimmed. A record ends
//   when its first field name comes round again.
// Empty values: terse prints nothing, non-terse prints `--`, and set-but-empty strings show as
// `""`; all three become "".
//
// Defaults used by the conveniences (and by `lvsctl parse nmcli` without --fields):
//   devices:     DEVICE,TYPE,STATE,CONNECTION                        (`nmcli -t -f ... device`)
//   connections: NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT      (`nmcli -t -f ... connection`)

import { type NmcliConnection, type NmcliDevice, type NmcliRecord, type NmcliTable, type NmProfile } from '@/lib/models/nmcli';
import { ParseError } from './parse-error';

const KIND = 'nmcli';

export const NMCLI_DEVICE_FIELDS = ['DEVICE', 'TYPE', 'STATE', 'CONNECTION'];
export const NMCLI_CONNECTION_FIELDS = ['NAME', 'UUID', 'TYPE', 'DEVICE', 'ACTIVE', 'STATE', 'AUTOCONNECT'];

function emptyToBlank(v: string): string {
  return v === '""' || v === '--' ? '' : v;
}

/** Splits one terse line at unescaped colons and unescapes `\:` and `\\`. Null on a dangling `\`. */
export function splitNmcliTerseLine(line: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      const next = line[i + 1];
      if (next === undefined) return null;
      cur += next;
      i++;
    } else if (ch === ':') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseNmcliTerse(text: string, fields: string[]): NmcliTable {
  if (fields.length === 0) throw new ParseError(KIND, 0, '', 'no field names given');
  const records: NmcliRecord[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '');
    if (line === '') return;
    const values = splitNmcliTerseLine(line);
    if (!values) throw new ParseError(KIND, i + 1, line, 'dangling "\\" escape at end of line');
    if (values.length !== fields.length) {
      throw new ParseError(KIND, i + 1, line, `expected ${fields.length} ":"-separated fields (${fields.join(',')}), got ${values.length}`);
    }
    const rec: NmcliRecord = {};
    fields.forEach((f, j) => {
      rec[f] = emptyToBlank(values[j] ?? '');
    });
    records.push(rec);
  });
  return { fields: [...fields], records };
}

export function parseNmcliMultiline(text: string): NmcliTable {
  const fields: string[] = [];
  const records: NmcliRecord[] = [];
  let first: string | null = null;
  let cur: NmcliRecord | null = null;
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ParseError(KIND, i + 1, line, 'expected "FIELD:value"');
    const name = line.slice(0, colon);
    const value = emptyToBlank(line.slice(colon + 1).trim());
    if (first === null) first = name;
    if (name === first || cur === null) {
      cur = {};
      records.push(cur);
    }
    if (!fields.includes(name)) fields.push(name);
    cur[name] = value;
  });
  return { fields, records };
}

function table(text: string, defaults: string[], opts: { fields?: string[]; multiline?: boolean }): NmcliTable {
  return opts.multiline ? parseNmcliMultiline(text) : parseNmcliTerse(text, opts.fields ?? defaults);
}

function field(rec: NmcliRecord, ...names: string[]): string {
  for (const n of names) {
    const v = rec[n];
    if (v !== undefined) return v;
  }
  return '';
}

function yesNo(v: string): boolean | null {
  return v === 'yes' ? true : v === 'no' ? false : null;
}

/** `nmcli -t -f DEVICE,TYPE,STATE,CONNECTION device` (or its multiline form). */
export function parseNmcliDevices(text: string, opts: { fields?: string[]; multiline?: boolean } = {}): NmcliDevice[] {
  return table(text, NMCLI_DEVICE_FIELDS, opts).records.map((r) => {
    const connection = field(r, 'CONNECTION', 'GENERAL.CONNECTION');
    return {
      device: field(r, 'DEVICE', 'GENERAL.DEVICE'),
      type: field(r, 'TYPE', 'GENERAL.TYPE'),
      state: field(r, 'STATE', 'GENERAL.STATE'),
      connection: connection === '' ? null : connection,
    };
  });
}

/** `nmcli -t -f NAME,UUID,TYPE,DEVICE,ACTIVE,STATE,AUTOCONNECT connection` (or multiline). */
export function parseNmcliConnections(text: string, opts: { fields?: string[]; multiline?: boolean } = {}): NmcliConnection[] {
  return table(text, NMCLI_CONNECTION_FIELDS, opts).records.map((r) => {
    const device = field(r, 'DEVICE');
    const state = field(r, 'STATE');
    return {
      name: field(r, 'NAME'),
      uuid: field(r, 'UUID'),
      type: field(r, 'TYPE'),
      device: device === '' ? null : device,
      active: yesNo(field(r, 'ACTIVE')),
      state: state === '' ? null : state,
      autoconnect: yesNo(field(r, 'AUTOCONNECT')),
    };
  });
}

/** `nmcli -t -f RUNNING general`: true for "running", false for anything else (e.g. "starting"). */
export function parseNmcliRunning(text: string): boolean {
  return text.trim() === 'running';
}

function addressList(v: string): string[] {
  return v === '' ? [] : v.split(/,\s*/).map((a) => a.trim()).filter((a) => a !== '');
}

/**
 * `nmcli -t -f connection.id,connection.uuid,...,ipv6.addresses connection show UUID…`: one
 * `setting.property:value` line per field, the profiles one after another (a record starts again
 * at `connection.id`). Address lists are comma-separated ("192.0.2.3/24,192.0.2.100/24").
 */
export function parseNmcliProfiles(text: string): NmProfile[] {
  return parseNmcliMultiline(text).records.map((r, i) => {
    const name = field(r, 'connection.id');
    const uuid = field(r, 'connection.uuid');
    if (name === '' || uuid === '') throw new ParseError(KIND, 0, '', `profile ${i + 1}: connection.id and connection.uuid are required`);
    const opt = (k: string): string | null => (field(r, k) === '' ? null : field(r, k));
    return {
      name,
      uuid,
      type: field(r, 'connection.type'),
      interfaceName: opt('connection.interface-name'),
      autoconnect: yesNo(field(r, 'connection.autoconnect')),
      ipv4Method: opt('ipv4.method'),
      ipv4Addresses: addressList(field(r, 'ipv4.addresses')),
      ipv4NeverDefault: yesNo(field(r, 'ipv4.never-default')),
      ipv6Method: opt('ipv6.method'),
      ipv6Addresses: addressList(field(r, 'ipv6.addresses')),
    };
  });
}
