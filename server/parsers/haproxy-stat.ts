import type { HaproxyBackend, HaproxyFrontend, HaproxyServer, HaproxyStats } from '@/lib/models/haproxy';

// Pure: HAProxy's `show stat` (CSV, first line "# pxname,svname,...") -> frontends, backends and
// their servers. Columns are found by their header names, so versions that add columns parse the
// same. Row type: 0 frontend, 1 backend, 2 server, 3 listener (listeners are skipped).
// Text fields that hold a comma are quoted, with "" for a quote inside (HAProxy's csv_enc): a MySQL
// check's last_chk is the server's error, e.g. "#HY000Access denied, this account is locked".

export class HaproxyStatParseError extends Error {
  override readonly name = 'HaproxyStatParseError';
}

function int(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) ? n : null;
}

/** One CSV line into fields: RFC 4180 quoting as HAProxy writes it (quoted when the text has , " or a newline). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parseHaproxyStat(text: string): HaproxyStats {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0];
  if (!head || !head.startsWith('# ')) throw new HaproxyStatParseError(`not a 'show stat' answer (first line: ${JSON.stringify((head ?? '').slice(0, 80))})`);
  const cols = splitCsvLine(head.slice(2));
  const at = (name: string): number => cols.indexOf(name);
  const need = ['pxname', 'svname', 'status', 'type'];
  for (const n of need) if (at(n) < 0) throw new HaproxyStatParseError(`'show stat' header has no ${n} column`);
  const idx = { px: at('pxname'), sv: at('svname'), scur: at('scur'), stot: at('stot'), status: at('status'), weight: at('weight'), type: at('type'), check: at('check_status'), code: at('check_code'), lastChk: at('last_chk'), desc: at('check_desc'), dur: at('check_duration'), lastchg: at('lastchg'), addr: at('addr') };
  const get = (f: string[], i: number): string | undefined => (i < 0 ? undefined : f[i]);

  const frontends: HaproxyFrontend[] = [];
  const backends = new Map<string, HaproxyBackend>();
  const servers: { px: string; s: HaproxyServer }[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) continue;
    const f = splitCsvLine(line);
    const px = get(f, idx.px) ?? '';
    const sv = get(f, idx.sv) ?? '';
    const type = get(f, idx.type);
    const base = { status: get(f, idx.status) ?? '', currentSessions: int(get(f, idx.scur)), totalSessions: int(get(f, idx.stot)) };
    if (type === '0') frontends.push({ name: px, ...base });
    else if (type === '1') backends.set(px, { name: px, ...base, servers: [] });
    else if (type === '2') {
      servers.push({
        px,
        s: {
          name: sv,
          address: get(f, idx.addr) || null,
          ...base,
          weight: int(get(f, idx.weight)),
          checkStatus: (get(f, idx.check) ?? '').replace(/^\* /, ''),
          checkCode: int(get(f, idx.code)),
          checkDetail: get(f, idx.lastChk) ?? '',
          checkDescription: get(f, idx.desc) ?? '',
          checkDurationMs: int(get(f, idx.dur)),
          lastChangeS: int(get(f, idx.lastchg)),
        },
      });
    }
  }
  for (const { px, s } of servers) {
    let b = backends.get(px);
    if (!b) {
      b = { name: px, status: '', currentSessions: null, totalSessions: null, servers: [] };
      backends.set(px, b);
    }
    b.servers.push(s);
  }
  return { frontends, backends: [...backends.values()] };
}
