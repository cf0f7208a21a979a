import 'server-only';
import { headers } from 'next/headers';
import type { Me } from '@/lib/models/auth';
import { authenticateWith } from '@/server/auth/authenticate';
import { getAuth } from '@/server/runtime';

// For server components (the root layout, the login page): who is looking at this page, from the
// same session cookie / token / trusted-proxy header the API handlers read.

export async function currentUser(): Promise<Me | null> {
  const h = await headers();
  const { actor } = authenticateWith(new Request('http://console.invalid/', { headers: new Headers(h) }), getAuth());
  return actor ? { name: actor.name, role: actor.role, clusters: actor.clusters, via: actor.via } : null;
}

/** The page path (and query) the proxy recorded, for coming back after login. */
export async function currentPath(): Promise<string> {
  return (await headers()).get('x-lvs-path') ?? '/';
}

/** This response's CSP nonce (proxy.ts), for the page's own inline script (the theme boot script). */
export async function currentNonce(): Promise<string | undefined> {
  return (await headers()).get('x-nonce') ?? undefined;
}
