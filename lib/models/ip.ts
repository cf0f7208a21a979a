// Address helpers that work in the browser and on the server (no node:net).

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

// The same few thousand addresses are canonicalised on every poll of every director, so results
// are memoised (bounded: the memo is dropped when it grows past MEMO_MAX entries).
const MEMO_MAX = 200_000;
let memo = new Map<string, string | null>();

/** canonicalIPv6 with the memo. */
function canonicalIPv6Memo(s: string): string | null {
  const hit = memo.get(s);
  if (hit !== undefined || memo.has(s)) return hit ?? null;
  const v = canonicalIPv6(s);
  if (memo.size >= MEMO_MAX) memo = new Map();
  memo.set(s, v);
  return v;
}

/** 4, 6 or 0, like node:net isIP, without zone ids. */
export function isIP(s: string): 0 | 4 | 6 {
  if (V4.test(s)) return 4;
  return canonicalIPv6Memo(s) === null ? 0 : 6;
}

/** Expands an IPv6 address to 8 groups; null when it is not one. Accepts an embedded IPv4 tail. */
function expandIPv6(input: string): number[] | null {
  let s = input.toLowerCase();
  if (s.length < 2 || s.length > 45 || !/^[0-9a-f:.]+$/.test(s)) return null;
  // An embedded IPv4 tail ("::ffff:192.0.2.1") becomes its two hex groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!V4.test(last)) return null;
    const o = last.split('.').map(Number);
    const hi = (((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16);
    const lo = (((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const parts = s.split('::');
  if (parts.length > 2) return null;
  const parse = (p: string): number[] | null => {
    if (p === '') return [];
    const out: number[] = [];
    for (const g of p.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(parts[0] ?? '');
  const rest = parts.length === 2 ? parse(parts[1] ?? '') : [];
  if (!head || !rest) return null;
  if (parts.length === 1) {
    return head.length === 8 ? head : null;
  }
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

/** RFC 5952 text form (lower case, longest zero run compressed), or null when not IPv6. */
export function canonicalIPv6(s: string): string | null {
  const g = expandIPv6(s);
  if (!g || g.length !== 8) return null;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Canonical text form of any IP address (IPv4 unchanged), or the input when it is not an address. */
export function canonicalIP(s: string): string {
  if (!s.includes(':')) return s; // IPv4 (or not an address): unchanged either way
  return canonicalIPv6Memo(s) ?? s;
}
