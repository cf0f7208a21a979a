// `sysctl` output -> key/value map.
// - `sysctl -a` / `sysctl KEY...`: `net.ipv4.ip_forward = 1` lines. Keys may also be printed with
//   `/` (sysctl -N style paths are not supported). Values keep inner whitespace (tab-separated
//   lists like net.ipv4.ip_local_port_range become single spaces).
// - `sysctl -n KEY...`: bare values in the order of the keys asked for (parseSysctlValues).
// `sysctl: ...` lines (errors merged from stderr: unknown key, permission denied) are collected,
// not parsed. Any other line is a ParseError.

import { ParseError } from './parse-error';

const KIND = 'sysctl';

export interface SysctlOutput {
  values: Record<string, string>;
  /** 1-based line of each key, for error messages of later conversions. */
  lines: Record<string, number>;
  errors: string[];
}

const LINE = /^([A-Za-z0-9_.\-/:@+]+) = ?(.*)$/;

export function parseSysctl(text: string): SysctlOutput {
  const values: Record<string, string> = {};
  const lines: Record<string, number> = {};
  const errors: string[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;
    if (line.startsWith('sysctl: ')) {
      errors.push(line);
      return;
    }
    const m = LINE.exec(line);
    if (!m) throw new ParseError(KIND, i + 1, line, 'expected "key = value"');
    values[m[1] ?? ''] = (m[2] ?? '').trim().replace(/\s+/g, ' ');
    lines[m[1] ?? ''] = i + 1;
  });
  return { values, lines, errors };
}

/** `sysctl -n K1 K2 ...`: one value per line, in key order. Line count must match. */
export function parseSysctlValues(text: string, keys: string[]): SysctlOutput {
  const lines = text.replace(/\n$/, '').split('\n');
  const errors = lines.filter((l) => l.startsWith('sysctl: '));
  const plain = lines.filter((l) => !l.startsWith('sysctl: '));
  if (text.trim() === '' && keys.length > 0) throw new ParseError(KIND, 0, '', `expected ${keys.length} values, got none`);
  if (plain.length !== keys.length) {
    throw new ParseError(KIND, Math.min(plain.length, keys.length) + 1, plain[keys.length] ?? '', `expected ${keys.length} values (${keys.join(', ')}), got ${plain.length}`);
  }
  const values: Record<string, string> = {};
  const lineNos: Record<string, number> = {};
  keys.forEach((k, i) => {
    values[k] = (plain[i] ?? '').replace(/\r$/, '').trim().replace(/\s+/g, ' ');
    lineNos[k] = lines.indexOf(plain[i] ?? '') + 1;
  });
  return { values, lines: lineNos, errors };
}
