// Where to go after logging in: `next` from /login?next=…, only ever a path of this console.
// Prefix checks on the raw string are not enough: browsers drop tabs and newlines from URLs and
// read "\" as "/", so "/\t/evil.example" or "/\evil.example" become "//evil.example", another
// origin. The answer is resolved as a URL and must keep the console's origin, and the path handed
// back must resolve there too.

/** Any origin will do for resolving: only the path is returned. */
const PLACEHOLDER_ORIGIN = 'http://console.invalid';

/**
 * `next` as a same-origin path (with query and fragment), or "/" when it would leave the console
 * or is not a URL at all. `origin` is the console's (the browser's `location.origin`).
 */
export function safeNextPath(next: string | null | undefined, origin: string = PLACEHOLDER_ORIGIN): string {
  if (!next) return '/';
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base.origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example", which on its own is another host.
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  try {
    if (new URL(path, base).origin !== base.origin) return '/';
  } catch {
    return '/';
  }
  return path;
}
