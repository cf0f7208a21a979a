import { NextResponse, type NextRequest } from 'next/server';
import { pageCsp } from '@/lib/security-headers';

// Next.js proxy (formerly middleware): every page gets a fresh CSP nonce (Next.js puts it on its
// own script tags when it finds it in the request's CSP header), and the root layout learns the
// path (x-lvs-path) so it can send a visitor who is not logged in to /login?next=PATH.
// Authentication itself is decided in the layout and in every API handler, not here.
//
// The request headers set here (x-nonce, x-lvs-path, content-security-policy) are this server's
// alone: they are overwritten on every page request, prefetches included (Next.js hides the
// prefetch headers from the proxy anyway), so a client's copies never reach a page.
// bin/next-server.mjs drops a client's x-nonce and x-lvs-* before this as well; this covers
// `next start`. API routes skip the proxy: none reads these headers (proxy.test.ts checks).

/** Request headers this proxy sets on every page request, replacing whatever a client sent. */
export const PROXY_REQUEST_HEADERS = ['x-nonce', 'x-lvs-path', 'content-security-policy'] as const;

export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  // eslint-disable-next-line no-restricted-syntax -- NODE_ENV is set by Next.js itself, not configuration
  const csp = pageCsp(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', csp);
  headers.set('x-lvs-path', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
