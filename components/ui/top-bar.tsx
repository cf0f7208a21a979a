'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { Me } from '@/lib/models/auth';
import { UserMenu } from '@/components/auth/user-menu';
import { GlobalSearch } from '@/components/search/global-search';
import { ConsoleStatus } from './console-status';
import { ThemeToggle } from './theme-toggle';
import { TimeZoneToggle } from './time-zone';

// The top bar: product name home, section nav (others add Timeline, Audit here), and how fresh
// the data on this page is.

export interface NavItem {
  href: string;
  label: string;
  /** Also active on these path prefixes. */
  matches?: readonly string[];
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview', matches: ['/clusters', '/hosts'] },
  { href: '/events', label: 'Timeline' },
  { href: '/audit', label: 'Audit' },
  { href: '/api-docs', label: 'API' },
];

function isActive(item: NavItem, pathname: string): boolean {
  if (item.href === '/' ? pathname === '/' : pathname.startsWith(item.href)) return true;
  return item.matches?.some((prefix) => pathname.startsWith(prefix)) ?? false;
}

export function TopBar({ me }: { me: Me | null }) {
  const pathname = usePathname();
  return (
    <header className="sticky top-0 z-30 border-b border-line bg-surface/95 backdrop-blur supports-[backdrop-filter]:bg-surface/80">
      <div className="mx-auto flex h-12 max-w-[1680px] items-center gap-6 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <span aria-hidden="true" className="grid h-6 w-6 place-items-center rounded bg-indigo-600 text-[0.65rem] font-bold text-white">
            LVS
          </span>
          <span>LVS console</span>
        </Link>
        {me ? (
        <nav aria-label="Main">
          <ul className="flex items-center gap-1 text-sm">
            {NAV_ITEMS.map((item) => {
              const active = isActive(item, pathname);
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    aria-current={active ? 'page' : undefined}
                    className={`rounded-md px-2.5 py-1.5 ${active ? 'bg-sunken font-medium text-ink' : 'text-muted hover:bg-hover hover:text-ink'}`}
                  >
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        ) : null}
        <div className="ml-auto flex min-w-0 flex-1 items-center justify-end gap-4">
          {me ? <GlobalSearch /> : null}
          {me ? <ConsoleStatus /> : null}
          <TimeZoneToggle />
          <ThemeToggle />
          {me ? <UserMenu me={me} /> : null}
        </div>
      </div>
    </header>
  );
}
