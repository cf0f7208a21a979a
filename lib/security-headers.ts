// The pages' Content-Security-Policy (proxy.ts). The headers every response carries are in
// next.config.js headers(). Pages get a per-request nonce CSP from proxy.ts: scripts only from this origin and with the
// nonce ('strict-dynamic' lets Next's own chunks load), no 'unsafe-inline' for scripts. Inline
// style *attributes* (virtualised rows, sparklines) need style-src 'unsafe-inline'; styles cannot
// run code.

export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
