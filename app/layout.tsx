import type { Metadata, Viewport } from 'next';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { MeProvider } from '@/components/auth/me-context';
import { TopBar } from '@/components/ui/top-bar';
import { StoreLostBanner } from '@/components/consoles/consoles';
import { loginUrl } from '@/lib/api/client';
import { THEME_BOOT_SCRIPT } from '@/lib/theme';
import { currentNonce, currentPath, currentUser } from '@/server/api/page-actor';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'LVS console', template: '%s · LVS console' },
  description: 'Live view and control of Linux Virtual Server clusters',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#16171b' },
  ],
};

// Every page is rendered per request: the CSP nonce (proxy.ts) and the login check need it.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Nobody sees a page (not even its empty shell) without logging in; the API checks again.
  const [me, path, nonce] = await Promise.all([currentUser(), currentPath(), currentNonce()]);
  if (!me && !path.startsWith('/login')) redirect(loginUrl(path));
  return (
    // The boot script sets data-theme and color-scheme on <html> before hydration: not a mismatch.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Light or dark before the first paint (no flash): lib/theme.ts. */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-canvas font-sans text-ink antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        <Providers>
          <MeProvider me={me}>
            <TopBar me={me} />
            {me ? <StoreLostBanner /> : null}
            <main id="main" className="mx-auto max-w-[1680px] px-4 py-5 sm:px-6">
              {children}
            </main>
          </MeProvider>
        </Providers>
      </body>
    </html>
  );
}
