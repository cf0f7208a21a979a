// @ts-check

// Security headers on every response. Pages also get a nonce-based Content-Security-Policy from
// proxy.ts (lib/security-headers.ts); API answers get one that lets them load and frame nothing.
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()' },
];
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
    ];
  },
  // Native and Node-only modules stay out of the bundle and are required at run time.
  serverExternalPackages: ['ssh2', 'cpu-features', 'better-sqlite3', 'pg'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  experimental: {
    // The stylesheet (~40 KB, ~8 KB gzip) goes into each page's HTML: a large cluster's first screen
    // paints as soon as its HTML arrives, without a second request queued behind the collector's
    // work on the server's one thread (docs/scale.md). style-src already allows inline styles.
    inlineCss: true,
  },
};

module.exports = nextConfig;
