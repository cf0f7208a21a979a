// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only modules stay out of the bundle and are required at run time.
  serverExternalPackages: ['ssh2', 'cpu-features', 'better-sqlite3'],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

module.exports = nextConfig;
