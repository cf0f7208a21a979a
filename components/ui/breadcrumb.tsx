import Link from 'next/link';
import type { ReactNode } from 'react';
import { pageHrefs } from './links';

// Where a page sits: "Clusters / lab / HAProxy". A nav landmark named "Breadcrumb" holding an
// ordered list; every step but the last links up, the last is the page itself (aria-current).

export interface Crumb {
  label: ReactNode;
  /** Omitted: a step with no page of its own ("Hosts"). */
  href?: string;
}

export function Breadcrumb({ items }: { items: readonly Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-1 text-xs text-muted">
      <ol className="flex flex-wrap items-center">
        {items.map((item, i) => {
          const current = i === items.length - 1;
          return (
            <li key={i} className="flex items-center">
              {i > 0 ? (
                <span aria-hidden="true" className="px-1">
                  /
                </span>
              ) : null}
              {current ? (
                <span aria-current="page">{item.label}</span>
              ) : item.href ? (
                <Link href={item.href} className="hover:underline">
                  {item.label}
                </Link>
              ) : (
                <span>{item.label}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** Clusters / CLUSTER, or Clusters / CLUSTER / PAGE for a page of one cluster. */
export function ClusterBreadcrumb({ cluster, page }: { cluster: string; page?: string }) {
  const trail: Crumb[] = [{ label: 'Clusters', href: pageHrefs.overview() }, { label: cluster, href: pageHrefs.cluster(cluster) }];
  if (page !== undefined) trail.push({ label: page });
  return <Breadcrumb items={trail} />;
}
