import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { TopBar } from '@/components/ui/top-bar';
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

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-canvas font-sans text-ink antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        <Providers>
          <TopBar />
          <main id="main" className="mx-auto max-w-[1680px] px-4 py-5 sm:px-6">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
