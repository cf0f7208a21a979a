import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next';

// Issue 14, item 8: no open redirect after login. Every nasty `next` must end on the console's own
// origin; ordinary paths pass unchanged.

const ORIGIN = 'https://console.example';

/** Where a browser would land after `location.assign(safeNextPath(next))` on the console. */
const landing = (next: string) => new URL(safeNextPath(next, ORIGIN), ORIGIN);

describe('open redirect after login: safeNextPath', () => {
  it.each([
    ['//evil.example', 'protocol-relative'],
    ['//evil.example/path?x=1', 'protocol-relative with a path'],
    ['/\\evil.example', 'backslash: browsers read it as a slash'],
    ['\\\\evil.example', 'two backslashes'],
    ['/\t/evil.example', 'tab (what /login?next=/%09/evil.example decodes to): browsers drop it'],
    ['/\n/evil.example', 'newline: dropped too'],
    ['/\r\n/evil.example', 'carriage return and newline'],
    [' //evil.example', 'leading space'],
    ['/.//evil.example', 'dot segment that leaves "//evil.example" as the path'],
    ['https://evil.example/', 'absolute URL'],
    ['http://evil.example', 'absolute URL, http'],
    ['http:evil.example', 'scheme without slashes, another scheme than the console\'s'],
    ['javascript:alert(document.domain)', 'javascript: URL'],
    ['JaVaScRiPt:alert(1)', 'javascript: URL, mixed case'],
    ['data:text/html,<script>alert(1)</script>', 'data: URL'],
    ['http://[::1', 'not a URL'],
  ])('%j (%s) goes to "/" of the console', (next) => {
    expect(safeNextPath(next, ORIGIN)).toBe('/');
    expect(landing(next).origin).toBe(ORIGIN);
  });

  it('keeps same-origin paths, with query and fragment', () => {
    expect(safeNextPath('/clusters/lab?x=1#svc', ORIGIN)).toBe('/clusters/lab?x=1#svc');
    expect(safeNextPath('/audit', ORIGIN)).toBe('/audit');
    expect(safeNextPath('/%09/evil.example', ORIGIN)).toBe('/%09/evil.example'); // still encoded: a path here
    expect(landing('/%09/evil.example').origin).toBe(ORIGIN);
    expect(safeNextPath(`${ORIGIN}/clusters`, ORIGIN)).toBe('/clusters');
    // The console's own scheme without slashes is a relative path in WHATWG URLs: harmless.
    expect(safeNextPath('https:evil.example', ORIGIN)).toBe('/evil.example');
  });

  it('empty or missing goes to "/"', () => {
    expect(safeNextPath('', ORIGIN)).toBe('/');
    expect(safeNextPath(undefined, ORIGIN)).toBe('/');
    expect(safeNextPath(null)).toBe('/');
  });

  it('without the origin (server side) the answer is still a path of whatever origin serves it', () => {
    for (const next of ['/\t/evil.example', '//evil.example', 'https://evil.example', '/\\evil']) expect(safeNextPath(next)).toBe('/');
    expect(safeNextPath('/clusters/lab')).toBe('/clusters/lab');
  });
});
